// Loading policy files: every key, and every kind of error with its exact position and key path.
#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <string>

#include "policy/policy_limits.hpp"
#include "policy/policy_loader.hpp"
#include "policy/policy_parser.hpp"
#include "steward/model/ace_text.hpp"
#include "steward/model/pconf.hpp"
#include "support/temp_dir.hpp"

using namespace steward::bridge;
namespace core = steward::core;

namespace {

core::AceResource href(const std::string& h) {
    core::AceResource r;
    r.href = h;
    return r;
}

core::AceResource wildcard(core::Wildcard w) {
    core::AceResource r;
    r.wc = w;
    return r;
}

class PolicyLoaderTest : public ::testing::Test {
protected:
    std::filesystem::path write(const std::string& name, const std::string& text) {
        const auto path = dir_ / name;
        std::ofstream(path, std::ios::binary) << text;
        return path;
    }

    // Loads `text` as one file and returns the error it must cause.
    PolicyError errorOf(const std::string& text) {
        const auto path = write("p.yaml", text);
        try {
            loadPolicyFile(path);
        } catch (const PolicyError& e) {
            EXPECT_EQ(e.file(), path.string());
            return e;
        }
        ADD_FAILURE() << "no error for:\n" << text;
        return PolicyError("", 0, 0, "", "");
    }

    void expectError(const std::string& text, int line, int column, const std::string& key, const std::string& detail) {
        const PolicyError e = errorOf(text);
        EXPECT_EQ(e.line(), line) << e.what();
        EXPECT_EQ(e.column(), column) << e.what();
        EXPECT_EQ(e.key(), key) << e.what();
        EXPECT_EQ(e.detail(), detail) << e.what();
    }

    steward::test::TempDir dir_;
};

// A policy with one ACE; the ACE's lines are indented by 8.
std::string oneAce(const std::string& aceLines) {
    return "policies:\n"
           "  - name: p\n"
           "    aces:\n"
           "      - subject: gateway\n" +
           aceLines;
}

TEST_F(PolicyLoaderTest, ParsesEveryKey) {
    const auto path = write("10-all.yaml", R"(# every key
policies:
  - name: lights-readable-by-switches
    match:
      device_type: oic.d.light
      otm: justworks
      uuid: "8E74*"
      name: "Kitchen*"
    aces:
      - subject: gateway
        resources: ["*", "+", "-"]
        permission: CRUDN
      - subject: {uuid: 2B7C9F0E-5A1D-4C3B-9E8F-1A2B3C4D5E6F}
        resources: [/a/light]
        permission: RU
      - subject: {match: {device_type: oic.d.switch, otm: oic.sec.doxm.rdp}}
        resources: [/a/light, /a/light]
        permission: -R--N
      - subject: {conntype: auth-crypt}
        resources: [/oic/d]
        permission: R
      - subject: {conntype: anon-clear}
        resources: [/oic/p]
        permission: NR
    links:
      - with: {device_type: oic.d.switch}
        resources: [/a/light]
        permission: RU
        key_bits: 256
      - with: {}
        resources: [/a/door]
        permission: R
  - name: second
    links:
      - with: {name: "Hall?"}
        resources: [/a/x]
        permission: C
)");
    const PolicySet set = loadPolicyFile(path);
    ASSERT_EQ(set.policies.size(), 2u);
    const Policy& p = set.policies[0];
    EXPECT_EQ(p.name, "lights-readable-by-switches");
    EXPECT_EQ(p.file, path.string());
    EXPECT_EQ(p.line, 3);
    EXPECT_EQ(p.column, 11);
    EXPECT_EQ(p.match.deviceType, "oic.d.light");
    EXPECT_EQ(p.match.otm, "oic.sec.doxm.jw");
    EXPECT_EQ(p.match.uuidGlob, "8e74*");  // lowercased, as UUIDs are matched
    EXPECT_EQ(p.match.nameGlob, "Kitchen*");

    ASSERT_EQ(p.aces.size(), 5u);
    EXPECT_TRUE(std::holds_alternative<Gateway>(p.aces[0].subject));
    EXPECT_EQ(p.aces[0].resources,
              (std::vector{wildcard(core::Wildcard::All), wildcard(core::Wildcard::Secured), wildcard(core::Wildcard::Public)}));
    EXPECT_EQ(p.aces[0].permission, core::permission::kAll);
    EXPECT_EQ(std::get<core::Uuid>(p.aces[1].subject), *core::Uuid::parse("2b7c9f0e-5a1d-4c3b-9e8f-1a2b3c4d5e6f"));
    EXPECT_EQ(p.aces[1].resources, std::vector{href("/a/light")});
    EXPECT_EQ(p.aces[1].permission, core::permission::kRead | core::permission::kUpdate);
    const auto& selector = std::get<Selector>(p.aces[2].subject);
    EXPECT_EQ(selector.deviceType, "oic.d.switch");
    EXPECT_EQ(selector.otm, "oic.sec.doxm.rdp");
    EXPECT_FALSE(selector.uuidGlob);
    EXPECT_EQ(p.aces[2].resources, std::vector{href("/a/light")});  // the repeated href once
    EXPECT_EQ(p.aces[2].permission, core::permission::kRead | core::permission::kNotify);
    EXPECT_EQ(std::get<core::ConnType>(p.aces[3].subject), core::ConnType::AuthCrypt);
    EXPECT_EQ(p.aces[3].permission, core::permission::kRead);
    EXPECT_EQ(std::get<core::ConnType>(p.aces[4].subject), core::ConnType::AnonClear);
    EXPECT_EQ(p.aces[4].permission, core::permission::kRead | core::permission::kNotify);

    ASSERT_EQ(p.links.size(), 2u);
    EXPECT_EQ(p.links[0].with.deviceType, "oic.d.switch");
    EXPECT_EQ(p.links[0].resources, std::vector{href("/a/light")});
    EXPECT_EQ(p.links[0].permission, core::permission::kRead | core::permission::kUpdate);
    EXPECT_EQ(p.links[0].keyBits, 256);
    EXPECT_TRUE(p.links[1].with.matchesAll());
    EXPECT_EQ(p.links[1].keyBits, 128);  // the default

    const Policy& q = set.policies[1];
    EXPECT_EQ(q.name, "second");
    EXPECT_TRUE(q.match.matchesAll());  // no match: every device
    EXPECT_TRUE(q.aces.empty());
    ASSERT_EQ(q.links.size(), 1u);
    EXPECT_EQ(q.links[0].with.nameGlob, "Hall?");
    EXPECT_EQ(q.links[0].permission, core::permission::kCreate);
}

TEST_F(PolicyLoaderTest, EmptyFilesHaveNoPolicies) {
    EXPECT_TRUE(loadPolicyFile(write("a.yaml", "")).policies.empty());
    EXPECT_TRUE(loadPolicyFile(write("b.yaml", "# nothing yet\n")).policies.empty());
    EXPECT_TRUE(loadPolicyFile(write("c.yaml", "policies: []\n")).policies.empty());
}

TEST_F(PolicyLoaderTest, TheShippedExampleLoads) {
    const PolicySet set = loadPolicyDirectory(STEWARD_POLICY_EXAMPLES_DIR);
    ASSERT_EQ(set.policies.size(), 4u);
    EXPECT_EQ(set.policies[0].name, "lights-managed-by-gateway");
    EXPECT_EQ(set.policies[1].name, "lights-readable-by-switches");
    EXPECT_EQ(set.policies[2].name, "kitchen-switches-linked");
    EXPECT_EQ(set.policies[2].links.at(0).keyBits, 256);
    EXPECT_EQ(set.policies[3].name, "kitchen-light-guest-pairing");
}

TEST_F(PolicyLoaderTest, ATypoedKeyIsAnError) {
    expectError(oneAce("        resources: [/a]\n"
                       "        permision: R\n"),
                6, 9, "policies[0].aces[0].permision", "unknown key (expected subject, resources, permission)");
    expectError(
        "policies:\n"
        "  - name: p\n"
        "    match: {device_typ: oic.d.light}\n"
        "    aces: []\n",
        3, 13, "policies[0].match.device_typ", "unknown key (expected device_type, otm, uuid, name)");
    expectError("polices: []\n", 1, 1, "polices", "unknown key (expected policies)");
}

TEST_F(PolicyLoaderTest, ABadPermissionIsAnError) {
    // The position of the value: line 6, column 21, as in the README's example.
    const std::string text = oneAce(
        "        resources: [/a/light]\n"
        "        permission: RX\n");
    const std::string accepted = " is not a permission (" + std::string(core::kPermissionSyntax) + ")";
    expectError(text, 6, 21, "policies[0].aces[0].permission", "\"RX\"" + accepted);
    const auto path = dir_ / "p.yaml";
    EXPECT_EQ(std::string(errorOf(text).what()), path.string() + ":6:21: policies[0].aces[0].permission: \"RX\"" + accepted);
    // Core's verdicts, as the CLI and MQTT give them: no repeated or misplaced letter, no lower
    // case, no numbers (0 least of all), and at least one right.
    for (const std::string bad : {"RR", "R-U--", "rn", "r", "6", "0", "31"}) {
        expectError(oneAce("        resources: [/a]\n        permission: \"" + bad + "\"\n"), 6, 21, "policies[0].aces[0].permission",
                    "\"" + bad + "\"" + accepted);
    }
    expectError(oneAce("        resources: [/a]\n        permission: \"-----\"\n"), 6, 21, "policies[0].aces[0].permission",
                "\"-----\" grants nothing (at least one of CRUDN is needed)");
}

TEST_F(PolicyLoaderTest, PermissionLettersComeInAnyOrderOrInPlace) {
    for (const auto& [text, bits] : std::vector<std::pair<std::string, int>>{
             {"NR", core::permission::kRead | core::permission::kNotify}, {"-R--N", 18}, {"CRUDN", 31}, {"C-U--", 5}}) {
        const auto set = loadPolicyFile(write("p.yaml", oneAce("        resources: [/a]\n        permission: \"" + text + "\"\n")));
        ASSERT_EQ(set.policies.size(), 1u) << text;
        EXPECT_EQ(set.policies[0].aces.at(0).permission, bits) << text;
    }
}

TEST_F(PolicyLoaderTest, ABadUuidIsAnError) {
    expectError(
        "policies:\n"
        "  - name: p\n"
        "    aces:\n"
        "      - subject: {uuid: 2b7c9f0e-5a1d-4c3b-9e8f}\n"
        "        resources: [/a]\n"
        "        permission: R\n",
        4, 25, "policies[0].aces[0].subject.uuid", "\"2b7c9f0e-5a1d-4c3b-9e8f\" is not a UUID (8-4-4-4-12 hex digits)");
    expectError(
        "policies:\n"
        "  - name: p\n"
        "    aces:\n"
        "      - subject: {uuid: 00000000-0000-0000-0000-000000000000}\n"
        "        resources: [/a]\n"
        "        permission: R\n",
        4, 25, "policies[0].aces[0].subject.uuid", "the nil UUID names no device");
    expectError(
        "policies:\n"
        "  - name: p\n"
        "    match: {uuid: kitchen}\n"
        "    aces: []\n",
        3, 19, "policies[0].match.uuid", "\"kitchen\" is not a UUID pattern (hex digits, '-', and the glob characters * ? [ ] !)");
}

TEST_F(PolicyLoaderTest, AWrongTypeIsAnError) {
    expectError(oneAce("        resources: /a/light\n"
                       "        permission: R\n"),
                5, 20, "policies[0].aces[0].resources", "expected a list, found a string");
    expectError(
        "policies:\n"
        "  - name: [a, b]\n",
        2, 11, "policies[0].name", "expected a string, found a list");
    expectError("policies: {name: a}\n", 1, 11, "policies", "expected a list, found a map");
    expectError("- a\n", 1, 1, "", "expected a map, found a list");
    expectError(oneAce("        resources: [/a]\n"
                       "        permission:\n"),
                6, 9, "policies[0].aces[0].permission", "has no value");
    expectError(oneAce("        resources: [[/a]]\n"
                       "        permission: R\n"),
                5, 21, "policies[0].aces[0].resources[0]", "expected a string, found a list");
    expectError(
        "policies:\n"
        "  - name: p\n"
        "    match: oic.d.light\n"
        "    aces: []\n",
        3, 12, "policies[0].match", "expected a map, found a string");
}

TEST_F(PolicyLoaderTest, AYamlSyntaxErrorKeepsYamlCppsPosition) {
    const PolicyError e = errorOf(
        "policies:\n"
        "  - name: p\n"
        "    aces: [\n");
    EXPECT_EQ(e.key(), "");
    EXPECT_GT(e.line(), 0);
    EXPECT_EQ(e.detail().rfind("invalid YAML: ", 0), 0u) << e.what();
    expectError(
        "policies:\n"
        "  - name: p\n"
        "   bad: indentation\n",
        3, 4, "", "invalid YAML: end of sequence not found");
    expectError("policies: [a\n", 2, 1, "", "invalid YAML: end of sequence flow not found");
    // yaml-cpp 0.7 stops advancing here and would report empty documents forever.
    expectError("\n, ;n246n\x01", 2, 1, "", "invalid YAML: unexpected text");
    expectError("policies: []\n,\n", 2, 1, "", "invalid YAML: end of map not found");
}

TEST_F(PolicyLoaderTest, EmptyResourcesAreAnError) {
    expectError(oneAce("        resources: []\n"
                       "        permission: R\n"),
                5, 20, "policies[0].aces[0].resources", "names no resource (at least one is needed)");
    expectError(oneAce("        resources: [\"\"]\n"
                       "        permission: R\n"),
                5, 21, "policies[0].aces[0].resources[0]", "must not be empty");
    expectError(oneAce("        resources: [light]\n"
                       "        permission: R\n"),
                5, 21, "policies[0].aces[0].resources[0]", "\"light\" is not a resource (" + std::string(core::kAceResourceSyntax) + ")");
    expectError(oneAce("        resources: [\"/\"]\n"
                       "        permission: R\n"),
                5, 21, "policies[0].aces[0].resources[0]", "\"/\" is not a resource (an href names one, /a/light; * is every resource)");
    // Core's verdict, as the CLI and MQTT give it: an href is visible ASCII (no look-alikes).
    expectError(oneAce("        resources: [\"/caf\xc3\xa9\"]\n"
                       "        permission: R\n"),
                5, 21, "policies[0].aces[0].resources[0]",
                "\"/caf\\xc3\\xa9\" is not a resource (an href has no spaces, control characters or non-ASCII bytes)");
}

TEST_F(PolicyLoaderTest, KeyBitsAre128Or256) {
    expectError(
        "policies:\n"
        "  - name: p\n"
        "    links:\n"
        "      - with: {device_type: oic.d.switch}\n"
        "        resources: [/a/light]\n"
        "        permission: RU\n"
        "        key_bits: 512\n",
        7, 19, "policies[0].links[0].key_bits", "\"512\" is not a key size (128 or 256)");
}

TEST_F(PolicyLoaderTest, DuplicateNamesAreAnErrorNamingBothFiles) {
    write("10-a.yaml",
          "policies:\n"
          "  - name: shared\n"
          "    aces: [{subject: gateway, resources: [/a], permission: R}]\n");
    const auto second = write("20-b.yaml",
                              "policies:\n"
                              "  - name: other\n"
                              "    aces: [{subject: gateway, resources: [/a], permission: R}]\n"
                              "  - name: shared\n"
                              "    aces: [{subject: gateway, resources: [/b], permission: R}]\n");
    try {
        loadPolicyDirectory(dir_.path());
        FAIL() << "duplicate names accepted";
    } catch (const PolicyError& e) {
        EXPECT_EQ(e.file(), second.string());
        EXPECT_EQ(e.line(), 4);
        EXPECT_EQ(e.column(), 11);
        EXPECT_EQ(e.key(), "policies[1].name");
        EXPECT_EQ(e.detail(),
                  "\"shared\" is already defined at " + (dir_ / "10-a.yaml").string() + ":2:11 (policy names are unique across all files)");
    }
}

TEST_F(PolicyLoaderTest, DuplicateNamesInOneFileAreAnError) {
    const PolicyError e = errorOf(
        "policies:\n"
        "  - name: x\n"
        "    aces: [{subject: gateway, resources: [/a], permission: R}]\n"
        "  - name: x\n"
        "    aces: [{subject: gateway, resources: [/a], permission: R}]\n");
    EXPECT_EQ(e.line(), 4);
    EXPECT_EQ(e.column(), 11);
    EXPECT_EQ(e.key(), "policies[1].name");
}

TEST_F(PolicyLoaderTest, OtherErrors) {
    // A required key.
    expectError(oneAce("        resources: [/a]\n"), 4, 9, "policies[0].aces[0].permission", "missing (required)");
    expectError("policies:\n  - aces: []\n", 2, 5, "policies[0].name", "missing (required)");
    expectError("{}\n", 1, 1, "policies", "missing (required)");
    // A policy that does nothing.
    expectError("policies:\n  - name: p\n", 2, 5, "policies[0]", "declares no aces, no links and no direct_pairing");
    // A key given twice would otherwise hide one of its values.
    expectError(oneAce("        resources: [/a]\n"
                       "        permission: R\n"
                       "        permission: CRUDN\n"),
                7, 9, "policies[0].aces[0].permission", "duplicate key");
    // A subject names exactly one kind.
    expectError(
        "policies:\n"
        "  - name: p\n"
        "    aces:\n"
        "      - subject: {conntype: auth-crypt, uuid: 2b7c9f0e-5a1d-4c3b-9e8f-1a2b3c4d5e6f}\n"
        "        resources: [/a]\n"
        "        permission: R\n",
        4, 18, "policies[0].aces[0].subject", "needs exactly one of uuid, match, conntype");
    expectError(
        "policies:\n"
        "  - name: p\n"
        "    aces:\n"
        "      - subject: gatewya\n"
        "        resources: [/a]\n"
        "        permission: R\n",
        4, 18, "policies[0].aces[0].subject",
        "\"gatewya\" is not a subject (gateway, {uuid: UUID}, {match: {...}} or {conntype: "
        "auth-crypt|anon-clear})");
    expectError(
        "policies:\n"
        "  - name: p\n"
        "    aces:\n"
        "      - subject: {conntype: anon}\n"
        "        resources: [/a]\n"
        "        permission: R\n",
        4, 29, "policies[0].aces[0].subject.conntype", "\"anon\" is not a connection type (auth-crypt, anon-clear)");
    // Names are spelled as printed (core's rule for the CLI and MQTT too).
    expectError(
        "policies:\n"
        "  - name: p\n"
        "    aces:\n"
        "      - subject: {conntype: Auth-Crypt}\n"
        "        resources: [/a]\n"
        "        permission: R\n",
        4, 29, "policies[0].aces[0].subject.conntype", "\"Auth-Crypt\" is not a connection type (auth-crypt, anon-clear)");
    expectError(
        "policies:\n"
        "  - name: p\n"
        "    match: {otm: pin}\n"
        "    aces: []\n",
        3, 18, "policies[0].match.otm",
        "\"pin\" is not an OTM (justworks, randompin, oic.sec.doxm.jw, oic.sec.doxm.rdp, oic.sec.doxm.mfgcert)");
    expectError(
        "policies:\n"
        "  - name: has space\n"
        "    aces: []\n",
        2, 11, "policies[0].name", "\"has space\" is not a policy name (letters, digits, '-', '_', '.')");
    expectError(
        "policies:\n"
        "  - name: \"a\\x01b\"\n"
        "    aces: []\n",
        2, 11, "policies[0].name", "\"a\\x01b\" contains a control character");
    expectError("policies: []\n---\npolicies: []\n", 2, 1, "", "more than one YAML document (one per file)");
    expectError("policies:\n  - name: p\n    ? [a]\n    : b\n", 3, 7, "policies[0]", "a key must be a string, found a list");
}

TEST_F(PolicyLoaderTest, LimitsAreEnforced) {
    const PolicyError big = errorOf(std::string(policy_limits::kFileBytes + 1, '#'));
    EXPECT_EQ(big.line(), 0);
    EXPECT_EQ(big.detail(), "larger than 1048576 bytes");

    std::string many = oneAce("        resources: [");
    for (std::size_t i = 0; i <= policy_limits::kResources; ++i) many += "/r" + std::to_string(i) + ", ";
    many += "/x]\n        permission: R\n";
    expectError(many, 5, 20, "policies[0].aces[0].resources", "more than 64 entries");

    // Aliases repeat a list for a few bytes each; every use counts. 10 policies x 256 ACEs x 16
    // resources, in about 13 KB.
    std::string bomb =
        "policies:\n"
        "  - name: p0\n"
        "    aces: &a\n"
        "      - {subject: gateway, resources: &r [/a, /b, /c, /d, /e, /f, /g, /h, /i, /j, /k, /l, /m, "
        "/n, /o, /p], permission: R}\n";
    for (int i = 1; i < 256; ++i) bomb += "      - {subject: gateway, resources: *r, permission: R}\n";
    for (int p = 1; p < 10; ++p) bomb += "  - {name: p" + std::to_string(p) + ", aces: *a}\n";
    const PolicyError budget = errorOf(bomb);
    EXPECT_NE(budget.detail().find("too many entries in all (more than 20000"), std::string::npos) << budget.what();
}

TEST_F(PolicyLoaderTest, DirectoryLoadsYamlFilesInNameOrder) {
    const auto aces = [](const std::string& name) {
        return "policies:\n  - name: " + name + "\n    aces: [{subject: gateway, resources: [/a], permission: R}]\n";
    };
    write("20-b.yaml", aces("b"));
    write("3-c.yml", aces("c"));
    write("10-a.yaml", aces("a"));
    write("notes.txt", "not: yaml: at all: [");
    write(".10-a.yaml.swp", "junk [");
    write(".hidden.yaml", "junk [");
    const PolicySet set = loadPolicyDirectory(dir_.path());
    ASSERT_EQ(set.policies.size(), 3u);
    EXPECT_EQ(set.policies[0].name, "a");
    EXPECT_EQ(set.policies[1].name, "b");
    EXPECT_EQ(set.policies[2].name, "c");
    EXPECT_EQ(set.policies[2].file, (dir_ / "3-c.yml").string());
}

TEST_F(PolicyLoaderTest, AMissingDirectoryIsAnEmptySet) { EXPECT_TRUE(loadPolicyDirectory(dir_ / "none").policies.empty()); }

TEST_F(PolicyLoaderTest, UnreadablePlacesAreErrorsWithoutPosition) {
    const auto file = write("plain.yaml", "policies: []\n");
    try {
        loadPolicyDirectory(file);
        FAIL();
    } catch (const PolicyError& e) {
        EXPECT_EQ(e.file(), file.string());
        EXPECT_EQ(e.line(), 0);
        EXPECT_EQ(std::string(e.what()), file.string() + ": not a directory");
    }
    try {
        loadPolicyFile(dir_ / "missing.yaml");
        FAIL();
    } catch (const PolicyError& e) {
        EXPECT_EQ(e.line(), 0);
    }
    std::filesystem::create_directory(dir_ / "sub.yaml");
    EXPECT_THROW(loadPolicyDirectory(dir_.path()), PolicyError);
}

TEST_F(PolicyLoaderTest, ParsingTextNeedsNoFile) {
    const PolicySet set = parsePolicyText("policies:\n  - name: a\n    links: [{with: {}, resources: [/a], permission: R}]\n", "inline");
    ASSERT_EQ(set.policies.size(), 1u);
    EXPECT_EQ(set.policies[0].file, "inline");
    EXPECT_THROW(parsePolicyText(std::string("\0\xff\xfe[", 4), "inline"), PolicyError);
}

}  // namespace

namespace {

// A policy whose direct_pairing lines (indented by 6) are `lines`.
std::string pairing(const std::string& lines) {
    return "policies:\n"
           "  - name: guest\n"
           "    match: {device_type: oic.d.light}\n"
           "    direct_pairing:\n" +
           lines;
}

TEST_F(PolicyLoaderTest, ParsesDirectPairing) {
    const PolicySet set = loadPolicyFile(write("20-guest.yaml", R"(policies:
  - name: kitchen-light-guest-pairing
    match: {device_type: oic.d.light, name: "Kitchen*"}
    direct_pairing:
      methods: [preconfigured, random]
      pin: "01234567"
      resources: [/a/light, /a/light, "+"]
      permission: RU
  - name: random-only
    aces: [{subject: gateway, resources: [/a], permission: R}]
    direct_pairing: {methods: [random, random], resources: [/a/x], permission: -R--N}
  - name: unquoted-pin
    direct_pairing: {methods: [preconfigured], pin: 12345678, resources: [/a/x], permission: R}
)"));
    ASSERT_EQ(set.policies.size(), 3u);
    const auto& d = set.policies[0].directPairing;
    ASSERT_TRUE(d);
    EXPECT_TRUE(set.policies[0].aces.empty());  // direct_pairing alone is a policy
    EXPECT_EQ(d->methods, (std::vector{core::pairing_method::kPreconfiguredPin, core::pairing_method::kRandomPin}));
    EXPECT_EQ(d->pin, "01234567");  // text as written: the leading zero stays
    EXPECT_EQ(d->resources, (std::vector{href("/a/light"), wildcard(core::Wildcard::Secured)}));
    EXPECT_EQ(d->permission, core::permission::kRead | core::permission::kUpdate);
    const auto& r = set.policies[1].directPairing;
    ASSERT_TRUE(r);
    EXPECT_EQ(r->methods, std::vector{core::pairing_method::kRandomPin});
    EXPECT_TRUE(r->pin.empty());  // the plugin makes a random one per device
    EXPECT_EQ(r->permission, core::permission::kRead | core::permission::kNotify);
    EXPECT_EQ(set.policies[2].directPairing->pin, "12345678");
    EXPECT_FALSE(set.policies[1].sameRules(set.policies[2]));
}

TEST_F(PolicyLoaderTest, DirectPairingErrorsHaveTheirPosition) {
    const std::string rest = "      resources: [/a/light]\n      permission: RU\n";
    expectError(pairing("      methods: [preconfigured]\n      pin: \"12345678\"\n      resource: [/a/light]\n      permission: RU\n"), 7,
                7, "policies[0].direct_pairing.resource", "unknown key (expected methods, pin, resources, permission)");
    expectError(pairing(rest), 5, 7, "policies[0].direct_pairing.methods", "missing (required)");
    expectError(pairing("      methods: [random]\n      permission: RU\n"), 5, 7, "policies[0].direct_pairing.resources",
                "missing (required)");
    expectError(pairing("      methods: [random]\n      resources: [/a/light]\n"), 5, 7, "policies[0].direct_pairing.permission",
                "missing (required)");
    expectError(pairing("      methods: []\n" + rest), 5, 16, "policies[0].direct_pairing.methods",
                "names no method (at least one of preconfigured, random is needed)");
    expectError(pairing("      methods: random\n" + rest), 5, 16, "policies[0].direct_pairing.methods", "expected a list, found a string");
    expectError(pairing("      methods: [random, justworks]\n" + rest), 5, 25, "policies[0].direct_pairing.methods[1]",
                "\"justworks\" is not a pairing method (preconfigured, random)");
    expectError(pairing("      methods: [random, random, random]\n" + rest), 5, 16, "policies[0].direct_pairing.methods",
                "more than 2 entries");
    // Nobody could learn a random pre-configured PIN; a PIN without that method is a mistake.
    expectError(pairing("      methods: [random, preconfigured]\n" + rest), 5, 25, "policies[0].direct_pairing.methods[1]",
                "\"preconfigured\" needs a pin (without one the device would get a random PIN nobody knows)");
    expectError(pairing("      methods: [random]\n      pin: \"12345678\"\n" + rest), 6, 7, "policies[0].direct_pairing.pin",
                "is the pre-configured PIN: it needs preconfigured among the methods");
    // A bad PIN is never repeated in the message (it goes to logs and MQTT events).
    for (const std::string pin : {"\"7654321\"", "\"765432109\"", "\"7654321a\"", "\"٧٦٥٤٣٢١٠\"", "\"7654 3210\""}) {
        const PolicyError e = errorOf(pairing("      methods: [preconfigured]\n      pin: " + pin + "\n" + rest));
        EXPECT_EQ(e.line(), 6) << pin;
        EXPECT_EQ(e.column(), 12) << pin;
        EXPECT_EQ(e.key(), "policies[0].direct_pairing.pin");
        EXPECT_EQ(e.detail(), "is not a PIN (exactly 8 digits, e.g. \"12345678\")");
        EXPECT_EQ(std::string(e.what()).find(pin.substr(1, 4)), std::string::npos) << e.what();
    }
    expectError(pairing("      methods: [preconfigured]\n      pin: [1, 2]\n" + rest), 6, 12, "policies[0].direct_pairing.pin",
                "expected a string, found a list");
    // A paired client never gets a security resource.
    expectError(pairing("      methods: [random]\n      resources: [/a/light, /oic/sec/cred]\n      permission: RU\n"), 6, 29,
                "policies[0].direct_pairing.resources[1]",
                "\"/oic/sec/cred\" is a security resource: a paired client is never granted /oic/sec/*");
    expectError(pairing("      methods: [random]\n      resources: [/oic/sec]\n      permission: RU\n"), 6, 19,
                "policies[0].direct_pairing.resources[0]",
                "\"/oic/sec\" is a security resource: a paired client is never granted /oic/sec/*");
    expectError(pairing("      methods: [random]\n      resources: []\n      permission: RU\n"), 6, 18,
                "policies[0].direct_pairing.resources", "names no resource (at least one is needed)");
    expectError(pairing("      methods: [random]\n      resources: [/a/light]\n      permission: \"-----\"\n"), 7, 19,
                "policies[0].direct_pairing.permission", core::permissionFromText("-----").error());
    expectError(pairing("      methods: [random]\n      resources: [light]\n      permission: R\n"), 6, 19,
                "policies[0].direct_pairing.resources[0]", core::aceResourceFromText("light").error());
    expectError("policies:\n  - name: p\n    direct_pairing: [random]\n", 3, 21, "policies[0].direct_pairing",
                "expected a map, found a list");
    expectError("policies:\n  - name: p\n    direct_pairing:\n", 3, 5, "policies[0].direct_pairing", "has no value");
}

TEST_F(PolicyLoaderTest, TheGuestPairingExampleLoads) {
    const PolicySet set = loadPolicyFile(std::filesystem::path(STEWARD_POLICY_EXAMPLES_DIR) / "20-guest-pairing.yaml");
    ASSERT_EQ(set.policies.size(), 1u);
    EXPECT_EQ(set.policies[0].name, "kitchen-light-guest-pairing");
    ASSERT_TRUE(set.policies[0].directPairing);
    EXPECT_EQ(set.policies[0].match.nameGlob, "Kitchen*");
}

}  // namespace
