// cred add-psk / add-trustca / add-cert / modify / delete.
#include <openssl/crypto.h>

#include <Poco/JSON/Array.h>

#include "commands.hpp"
#include "credentials.hpp"
#include "editor.hpp"
#include "input_parsing.hpp"
#include "steward/crypto/random.hpp"

namespace steward::tools {
namespace {

std::vector<std::uint8_t> hexKey(const std::string& option, const std::string& text) {
    std::vector<std::uint8_t> key = withOrigin(option, [&] { return parseHex(text); });
    if (!validPskLength(key.size())) {
        const std::size_t size = key.size();
        OPENSSL_cleanse(key.data(), key.size());
        throw InputError(option + ": a PSK must be 16 or 32 bytes, got " + std::to_string(size));
    }
    return key;
}

std::vector<std::uint8_t> randomKey(const std::string& bits) {
    if (bits == "128") return core::randomBytes(16);
    if (bits == "256") return core::randomBytes(32);
    throw InputError("--random: expected 128 or 256 bits, got '" + bits + "'");
}

int idArgument(const Args& args) {
    args.requirePositionals(2, 2, "a database FILE and a credid");
    return withOrigin("credid", [&] { return parseId(args.positionals()[1], "credid"); });
}

void reportCred(Output& out, int credid, const std::string& verb) {
    Poco::JSON::Object::Ptr doc = okDocument();
    doc->set("credid", credid);
    out.ok(doc, verb + " credential " + std::to_string(credid));
}

void requireOptions(const Args& args, const std::string& command, std::initializer_list<const char*> names) {
    for (const char* name : names) {
        if (!args.has(name)) throw UsageError("'" + command + "' needs " + name);
    }
}

}  // namespace

int runCredAddPsk(const Args& args, Output& out) {
    args.requirePositionals(1, 1, "a database FILE");
    requireOptions(args, "cred add-psk", {"--subject"});
    if (args.has("--key-hex") == args.has("--random")) {
        throw UsageError("'cred add-psk' needs exactly one of --key-hex and --random");
    }
    const core::CredSubject subject = withOrigin("--subject", [&] { return parseCredSubject(*args.value("--subject")); });
    std::vector<std::uint8_t> key =
        args.has("--key-hex") ? hexKey("--key-hex", *args.value("--key-hex")) : randomKey(*args.value("--random"));

    Editor editor(args.positionals()[0]);
    reportCred(out, editor.addPsk(subject, std::move(key)), "added");
    return 0;
}

int runCredAddTrustCa(const Args& args, Output& out) {
    args.requirePositionals(1, 1, "a database FILE");
    requireOptions(args, "cred add-trustca", {"--file"});
    Editor editor(args.positionals()[0]);
    const std::vector<int> ids = editor.addTrustCaChain(*args.value("--file"));

    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    std::string text = "added trust CA credential" + std::string(ids.size() == 1 ? "" : "s");
    for (int id : ids) {
        list->add(id);
        text += " " + std::to_string(id);
    }
    Poco::JSON::Object::Ptr doc = okDocument();
    doc->set("credids", list);
    out.ok(doc, text);
    return 0;
}

int runCredAddCert(const Args& args, Output& out) {
    args.requirePositionals(1, 1, "a database FILE");
    requireOptions(args, "cred add-cert", {"--cert", "--key"});
    Editor editor(args.positionals()[0]);
    reportCred(out, editor.addCertificateKeyPair(*args.value("--cert"), *args.value("--key")), "added");
    return 0;
}

int runCredModify(const Args& args, Output& out) {
    const int credid = idArgument(args);
    if (!args.has("--subject") && !args.has("--key-hex")) {
        throw UsageError("'cred modify' needs --subject or --key-hex");
    }
    CredPatch patch;
    if (auto s = args.value("--subject")) patch.subject = withOrigin("--subject", [&] { return parseCredSubject(*s); });
    if (auto k = args.value("--key-hex")) patch.key = hexKey("--key-hex", *k);
    Editor editor(args.positionals()[0]);
    editor.modifyCred(credid, patch);
    reportCred(out, credid, "modified");
    return 0;
}

int runCredDelete(const Args& args, Output& out) {
    const int credid = idArgument(args);
    Editor editor(args.positionals()[0]);
    editor.deleteCred(credid);
    reportCred(out, credid, "deleted");
    return 0;
}

}  // namespace steward::tools
