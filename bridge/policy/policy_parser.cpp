#include "policy/policy_parser.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <optional>
#include <utility>

#include "policy/policy_limits.hpp"
#include "policy/policy_values.hpp"
#include "policy/yaml_document.hpp"
#include "steward/model/ace_text.hpp"
#include "steward/model/pconf.hpp"

namespace steward::bridge {

namespace {

using YAML::Node;

bool isControl(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
}

// A value as it appears in a message: in double quotes, escaped, cut short when long.
std::string quoted(std::string_view s) {
    static constexpr std::size_t kShown = 80;
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size() && i < kShown; ++i) {
        const char c = s[i];
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (isControl(c)) {
            const auto u = static_cast<unsigned char>(c);
            out += "\\x";
            out += kHex[u >> 4];
            out += kHex[u & 0xf];
        } else {
            out += c;
        }
    }
    if (s.size() > kShown) out += "...";
    return out + "\"";
}

// A map key inside a key path: as it is when it looks like a key, quoted otherwise.
std::string keyText(const std::string& key) {
    const bool plain = !key.empty() && key.size() <= 64 && std::all_of(key.begin(), key.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
    });
    return plain ? key : quoted(key);
}

std::string typeName(const Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Scalar:
            return "a string";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Map:
            return "a map";
        default:
            return "nothing";
    }
}

std::string joinKey(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

std::string listOf(std::initializer_list<std::string_view> names) {
    std::string out;
    for (auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
    return out;
}

struct Entry {
    std::string key;
    Node keyNode;
    Node value;
};

// A map's entries after checking its keys: strings, known, each once.
class MapView {
public:
    void add(Entry e) { entries_.push_back(std::move(e)); }
    const Entry* find(std::string_view key) const {
        for (const auto& e : entries_) {
            if (e.key == key) return &e;
        }
        return nullptr;
    }
    std::size_t size() const { return entries_.size(); }
    const std::vector<Entry>& entries() const { return entries_; }

private:
    std::vector<Entry> entries_;
};

class Parser {
public:
    Parser(std::string file, const PolicySet& earlier, std::size_t& itemBudget)
        : file_(std::move(file)), earlier_(earlier), budget_(itemBudget) {}

    PolicySet document(const Node& root) {
        PolicySet set;
        if (root.IsNull()) return set;  // an empty file, or only comments
        const MapView top = map(root, "", {"policies"});
        const Node& policies = required(top, root, "", "policies");
        forEach(policies, "policies", policy_limits::kPolicies, [&](const Node& item, const std::string& path) {
            if (earlier_.policies.size() + set.policies.size() >= policy_limits::kPolicies) {
                fail(item, path, "more than " + std::to_string(policy_limits::kPolicies) + " policies in all");
            }
            Policy p = policy(item, path);
            checkUnique(set, p, path);
            set.policies.push_back(std::move(p));
        });
        return set;
    }

private:
    [[noreturn]] void fail(const Node& at, const std::string& key, const std::string& detail) const {
        const YAML::Mark mark = at.Mark();
        if (mark.is_null()) throw PolicyError(file_, 0, 0, key, detail);
        throw PolicyError(file_, mark.line + 1, mark.column + 1, key, detail);
    }

    // An ACE value as core reads it (the same rules as the CLI and MQTT), or its error at `at`.
    template <typename T>
    T accepted(const core::AceTextResult<T>& parsed, const Node& at, const std::string& key) const {
        if (!parsed.ok()) fail(at, key, parsed.error());
        return parsed.value();
    }

    MapView map(const Node& n, const std::string& path, std::initializer_list<std::string_view> allowed) const {
        if (!n.IsMap()) fail(n, path, "expected a map, found " + typeName(n));
        MapView view;
        for (auto it = n.begin(); it != n.end(); ++it) {
            const Node keyNode = it->first;
            if (!keyNode.IsScalar()) fail(keyNode, path, "a key must be a string, found " + typeName(keyNode));
            const std::string key = keyNode.Scalar();
            const std::string keyPath = joinKey(path, keyText(key));
            if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
                fail(keyNode, keyPath, "unknown key (expected " + listOf(allowed) + ")");
            }
            if (view.find(key) != nullptr) fail(keyNode, keyPath, "duplicate key");
            // No key takes "nothing"; and an empty value's own position is wherever the next token is.
            if (it->second.IsNull()) fail(keyNode, keyPath, "has no value");
            view.add(Entry{key, keyNode, it->second});
        }
        return view;
    }

    const Node& required(const MapView& view, const Node& mapNode, const std::string& path, std::string_view key) const {
        const Entry* e = view.find(key);
        if (e == nullptr) fail(mapNode, joinKey(path, std::string(key)), "missing (required)");
        return e->value;
    }

    template <typename F>
    void forEach(const Node& n, const std::string& path, std::size_t max, F&& each) {
        if (!n.IsSequence()) fail(n, path, "expected a list, found " + typeName(n));
        if (n.size() > max) fail(n, path, "more than " + std::to_string(max) + " entries");
        std::size_t i = 0;
        for (auto it = n.begin(); it != n.end(); ++it, ++i) {
            const Node item = *it;
            const std::string itemPath = path + "[" + std::to_string(i) + "]";
            if (budget_ == 0) {
                fail(item, itemPath,
                     "too many entries in all (more than " + std::to_string(policy_limits::kItems) +
                         " policies, aces, links and resources)");
            }
            --budget_;
            each(item, itemPath);
        }
    }

    std::string text(const Node& n, const std::string& path, std::size_t maxBytes = policy_limits::kTextBytes) const {
        if (!n.IsScalar()) fail(n, path, "expected a string, found " + typeName(n));
        const std::string& s = n.Scalar();
        if (s.empty()) fail(n, path, "must not be empty");
        if (s.size() > maxBytes) fail(n, path, "longer than " + std::to_string(maxBytes) + " bytes");
        if (std::any_of(s.begin(), s.end(), isControl)) fail(n, path, quoted(s) + " contains a control character");
        return s;
    }

    Policy policy(const Node& n, const std::string& path) {
        const MapView view = map(n, path, {"name", "match", "aces", "links", "direct_pairing"});
        Policy p;
        p.file = file_;
        const Node& nameNode = required(view, n, path, "name");
        const std::string namePath = path + ".name";
        p.name = text(nameNode, namePath, policy_limits::kNameBytes);
        if (!std::all_of(p.name.begin(), p.name.end(),
                         [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.'; })) {
            fail(nameNode, namePath, quoted(p.name) + " is not a policy name (letters, digits, '-', '_', '.')");
        }
        const YAML::Mark mark = nameNode.Mark();
        p.line = mark.is_null() ? 0 : mark.line + 1;
        p.column = mark.is_null() ? 0 : mark.column + 1;
        if (const Entry* e = view.find("match")) p.match = selector(e->value, path + ".match");
        if (const Entry* e = view.find("aces")) {
            forEach(e->value, path + ".aces", policy_limits::kEntries,
                    [&](const Node& item, const std::string& itemPath) { p.aces.push_back(ace(item, itemPath)); });
        }
        if (const Entry* e = view.find("links")) {
            forEach(e->value, path + ".links", policy_limits::kEntries,
                    [&](const Node& item, const std::string& itemPath) { p.links.push_back(link(item, itemPath)); });
        }
        if (const Entry* e = view.find("direct_pairing")) p.directPairing = directPairing(e->value, path + ".direct_pairing");
        if (p.aces.empty() && p.links.empty() && !p.directPairing) fail(n, path, "declares no aces, no links and no direct_pairing");
        return p;
    }

    void checkUnique(const PolicySet& sameFile, const Policy& p, const std::string& path) const {
        const Policy* first = sameFile.find(p.name);
        if (first == nullptr) first = earlier_.find(p.name);
        if (first == nullptr) return;
        throw PolicyError(file_, p.line, p.column, path + ".name",
                          quoted(p.name) + " is already defined at " + first->file + ":" + std::to_string(first->line) + ":" +
                              std::to_string(first->column) + " (policy names are unique across all files)");
    }

    Selector selector(const Node& n, const std::string& path) const {
        const MapView view = map(n, path, {"device_type", "otm", "uuid", "name"});
        Selector s;
        if (const Entry* e = view.find("device_type")) s.deviceType = text(e->value, path + ".device_type");
        if (const Entry* e = view.find("otm")) {
            const std::string value = text(e->value, path + ".otm");
            s.otm = canonicalOtm(value);
            if (!s.otm) {
                fail(e->value, path + ".otm",
                     quoted(value) +
                         " is not an OTM (justworks, randompin, oic.sec.doxm.jw, oic.sec.doxm.rdp, "
                         "oic.sec.doxm.mfgcert)");
            }
        }
        if (const Entry* e = view.find("uuid")) {
            std::string value = text(e->value, path + ".uuid");
            const bool ok = std::all_of(value.begin(), value.end(), [](char c) {
                return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '*' || c == '?' || c == '[' || c == ']' ||
                       c == '!';
            });
            if (!ok) {
                fail(e->value, path + ".uuid",
                     quoted(value) + " is not a UUID pattern (hex digits, '-', and the glob characters * ? [ ] !)");
            }
            // UUIDs are matched in their lowercase form; so is the pattern.
            std::transform(value.begin(), value.end(), value.begin(),
                           [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
            s.uuidGlob = value;
        }
        if (const Entry* e = view.find("name")) s.nameGlob = text(e->value, path + ".name");
        return s;
    }

    PolicySubject subject(const Node& n, const std::string& path) const {
        static constexpr std::string_view kAccepted = "gateway, {uuid: UUID}, {match: {...}} or {conntype: auth-crypt|anon-clear}";
        if (n.IsScalar()) {
            const std::string value = text(n, path);
            if (value != "gateway") fail(n, path, quoted(value) + " is not a subject (" + std::string(kAccepted) + ")");
            return Gateway{};
        }
        if (!n.IsMap()) fail(n, path, "expected a subject (" + std::string(kAccepted) + "), found " + typeName(n));
        const MapView view = map(n, path, {"uuid", "match", "conntype"});
        if (view.size() != 1) fail(n, path, "needs exactly one of uuid, match, conntype");
        const Entry& e = view.entries().front();
        const std::string valuePath = path + "." + e.key;
        if (e.key == "match") return selector(e.value, valuePath);
        const std::string value = text(e.value, valuePath);
        if (e.key == "uuid") return accepted(core::subjectUuidFromText(value), e.value, valuePath);
        return accepted(core::connTypeFromName(value), e.value, valuePath);
    }

    // `pairedClient`: the resources a direct-pairing client gets, never a security resource (a
    // wildcard never covers those).
    std::vector<core::AceResource> resources(const Node& n, const std::string& path, bool pairedClient = false) {
        std::vector<core::AceResource> out;
        forEach(n, path, policy_limits::kResources, [&](const Node& item, const std::string& itemPath) {
            auto r = accepted(core::aceResourceFromText(text(item, itemPath)), item, itemPath);
            if (pairedClient && (r.href == "/oic/sec" || r.href.rfind("/oic/sec/", 0) == 0)) {
                fail(item, itemPath, quoted(r.href) + " is a security resource: a paired client is never granted /oic/sec/*");
            }
            if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(std::move(r));
        });
        if (out.empty()) fail(n, path, "names no resource (at least one is needed)");
        return out;
    }

    int permission(const Node& n, const std::string& path) const { return accepted(core::permissionFromText(text(n, path)), n, path); }

    PolicyAce ace(const Node& n, const std::string& path) {
        const MapView view = map(n, path, {"subject", "resources", "permission"});
        PolicyAce a;
        a.subject = subject(required(view, n, path, "subject"), path + ".subject");
        a.resources = resources(required(view, n, path, "resources"), path + ".resources");
        a.permission = permission(required(view, n, path, "permission"), path + ".permission");
        return a;
    }

    PolicyLink link(const Node& n, const std::string& path) {
        const MapView view = map(n, path, {"with", "resources", "permission", "key_bits"});
        PolicyLink l;
        l.with = selector(required(view, n, path, "with"), path + ".with");
        l.resources = resources(required(view, n, path, "resources"), path + ".resources");
        l.permission = permission(required(view, n, path, "permission"), path + ".permission");
        if (const Entry* e = view.find("key_bits")) {
            const std::string value = text(e->value, path + ".key_bits");
            if (value == "128") {
                l.keyBits = 128;
            } else if (value == "256") {
                l.keyBits = 256;
            } else {
                fail(e->value, path + ".key_bits", quoted(value) + " is not a key size (128 or 256)");
            }
        }
        return l;
    }

    PolicyDirectPairing directPairing(const Node& n, const std::string& path) {
        const MapView view = map(n, path, {"methods", "pin", "resources", "permission"});
        PolicyDirectPairing d;
        const std::string methodsPath = path + ".methods";
        const Node& methods = required(view, n, path, "methods");
        std::optional<std::pair<Node, std::string>> preconfigured;  // where it is named, for the error below
        forEach(methods, methodsPath, 2, [&](const Node& item, const std::string& itemPath) {
            const std::string value = text(item, itemPath);
            int method = 0;
            if (value == "preconfigured") {
                method = core::pairing_method::kPreconfiguredPin;
                if (!preconfigured) preconfigured.emplace(item, itemPath);
            } else if (value == "random") {
                method = core::pairing_method::kRandomPin;
            } else {
                fail(item, itemPath, quoted(value) + " is not a pairing method (preconfigured, random)");
            }
            if (std::find(d.methods.begin(), d.methods.end(), method) == d.methods.end()) d.methods.push_back(method);
        });
        if (d.methods.empty()) fail(methods, methodsPath, "names no method (at least one of preconfigured, random is needed)");
        if (const Entry* e = view.find("pin")) {
            // The value is never repeated in a message: errors go to logs and MQTT events.
            const std::string pinPath = path + ".pin";
            if (!e->value.IsScalar()) fail(e->value, pinPath, "expected a string, found " + typeName(e->value));
            const std::string& pin = e->value.Scalar();
            const bool digits = pin.size() == 8 && std::all_of(pin.begin(), pin.end(), [](char c) { return c >= '0' && c <= '9'; });
            if (!digits) fail(e->value, pinPath, "is not a PIN (exactly 8 digits, e.g. \"12345678\")");
            if (!preconfigured) fail(e->keyNode, pinPath, "is the pre-configured PIN: it needs preconfigured among the methods");
            d.pin = pin;
        } else if (preconfigured) {
            fail(preconfigured->first, preconfigured->second,
                 "\"preconfigured\" needs a pin (without one the device would get a random PIN nobody knows)");
        }
        d.resources = resources(required(view, n, path, "resources"), path + ".resources", true);
        d.permission = permission(required(view, n, path, "permission"), path + ".permission");
        return d;
    }

    std::string file_;
    const PolicySet& earlier_;
    std::size_t& budget_;
};

PolicyError yamlError(const std::string& file, const YAML::Exception& e) {
    if (e.mark.is_null()) return PolicyError(file, 0, 0, "", "invalid YAML: " + e.msg);
    return PolicyError(file, e.mark.line + 1, e.mark.column + 1, "", "invalid YAML: " + e.msg);
}

}  // namespace

PolicySet parsePolicyText(std::string_view text, const std::string& file) {
    std::size_t budget = policy_limits::kItems;
    return parsePolicyText(text, file, PolicySet{}, budget);
}

PolicySet parsePolicyText(std::string_view text, const std::string& file, const PolicySet& earlier, std::size_t& itemBudget) {
    if (text.size() > policy_limits::kFileBytes) {
        throw PolicyError(file, 0, 0, "", "larger than " + std::to_string(policy_limits::kFileBytes) + " bytes");
    }
    try {
        const Node root = loadSingleDocument(std::string(text), file);
        return Parser(file, earlier, itemBudget).document(root);
    } catch (const PolicyError&) {
        throw;
    } catch (const YAML::Exception& e) {
        throw yamlError(file, e);
    } catch (const std::exception& e) {
        // Nothing else may escape (e.g. std::bad_alloc from a huge document).
        throw PolicyError(file, 0, 0, "", std::string("cannot be read: ") + e.what());
    }
}

}  // namespace steward::bridge
