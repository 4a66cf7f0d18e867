// The Credential submenu: PSKs, a trust CA chain, the device's certificate and key pair.
#include <openssl/crypto.h>

#include <algorithm>

#include "credentials.hpp"
#include "input_parsing.hpp"
#include "menu_parts.hpp"
#include "printing.hpp"
#include "steward/crypto/random.hpp"

namespace steward::tools {
namespace {

// Empty answer: nullopt. Otherwise hex of an acceptable PSK length.
std::optional<std::vector<std::uint8_t>> askKey(Prompter& prompt, std::string_view label) {
    while (true) {
        std::string answer = prompt.secretLine(label);
        if (answer.empty()) return std::nullopt;
        try {
            std::vector<std::uint8_t> key = parseHex(answer);
            OPENSSL_cleanse(answer.data(), answer.size());
            if (validPskLength(key.size())) return key;
            prompt.invalid("a PSK must be 16 or 32 bytes, got " + std::to_string(key.size()));
            OPENSSL_cleanse(key.data(), key.size());
        } catch (const InputError& e) {
            OPENSSL_cleanse(answer.data(), answer.size());
            prompt.invalid(e.what());
        }
    }
}

void addPsk(Editor& editor, Prompter& prompt) {
    const core::CredSubject subject =
        prompt.until("   > [A] Enter Subject UUID (or * for any device): ", [](const std::string& s) { return parseCredSubject(s); });
    std::vector<std::uint8_t> key = askKey(prompt, "   > [B] Enter Key as hex, 16 or 32 bytes (empty for a random 16-byte key): ")
                                        .value_or(std::vector<std::uint8_t>{});
    if (key.empty()) key = core::randomBytes(16);
    attempt(prompt, [&] { prompt.out() << "   > Added credential " << editor.addPsk(subject, key) << '\n'; });
    OPENSSL_cleanse(key.data(), key.size());
}

void addTrustCa(Editor& editor, Prompter& prompt) {
    const std::string path = prompt.until("   > Enter Trust CA certificate chain file path (PEM or DER): ", [](const std::string& s) {
        if (s.empty()) throw InputError("a file path is needed");
        return s;
    });
    attempt(prompt, [&] {
        const std::vector<int> ids = editor.addTrustCaChain(path);
        prompt.out() << "   > Added trust CA credential" << (ids.size() == 1 ? "" : "s");
        for (int id : ids) prompt.out() << ' ' << id;
        prompt.out() << '\n';
    });
}

void addCertificateKeyPair(Editor& editor, Prompter& prompt) {
    auto askPath = [&](std::string_view label) {
        return prompt.until(label, [](const std::string& s) {
            if (s.empty()) throw InputError("a file path is needed");
            return s;
        });
    };
    const std::string cert = askPath("   > Enter Certificate file path (device certificate first; PEM or DER): ");
    const std::string key = askPath("   > Enter Private Key file path (PEM or DER): ");
    attempt(prompt, [&] { prompt.out() << "   > Added credential " << editor.addCertificateKeyPair(cert, key) << '\n'; });
}

void addCredential(Editor& editor, Prompter& prompt) {
    prompt.out() << "   **** Add a credential\n"
                 << "   > Select the credential type\n"
                 << "     1. Symmetric pair-wise key (PSK)\n"
                 << "     2. Trust CA certificate chain (file path)\n"
                 << "     3. Primary certificate key pair (certificate and key file paths)\n";
    switch (prompt.number("   >> Enter Number: ", 1, 3)) {
        case 1:
            addPsk(editor, prompt);
            break;
        case 2:
            addTrustCa(editor, prompt);
            break;
        default:
            addCertificateKeyPair(editor, prompt);
            break;
    }
}

const core::Cred* askExistingCred(Editor& editor, Prompter& prompt, std::string_view verb) {
    const int credid =
        prompt.until("   > Enter Credential ID to " + std::string(verb) + ": ", [](const std::string& s) { return parseId(s, "credid"); });
    const auto& creds = editor.resources().cred.creds;
    auto it = std::find_if(creds.begin(), creds.end(), [&](const core::Cred& c) { return c.credid == credid; });
    if (it == creds.end()) {
        prompt.out() << "   > Failed: no credential with credid " << credid << '\n';
        return nullptr;
    }
    return &*it;
}

void modifyCredential(Editor& editor, Prompter& prompt) {
    const core::Cred* cred = askExistingCred(editor, prompt, "modify");
    if (cred == nullptr) return;
    const int credid = *cred->credid;
    const bool psk = cred->credtype == core::credtype::kSymmetricPairwise;
    CredPatch patch;
    patch.subject = prompt.until("   > [A] Enter new Subject UUID or * (empty to keep " + cred->subjectuuid.toString() + "): ",
                                 [](const std::string& s) -> std::optional<core::CredSubject> {
                                     if (s.empty()) return std::nullopt;
                                     return parseCredSubject(s);
                                 });
    if (psk) patch.key = askKey(prompt, "   > [B] Enter new Key as hex, 16 or 32 bytes (empty to keep): ");
    if (!patch.subject && !patch.key) {
        prompt.out() << "   > Nothing changed\n";
        return;
    }
    attempt(prompt, [&] {
        editor.modifyCred(credid, patch);
        prompt.out() << "   > Modified credential " << credid << '\n';
    });
    if (patch.key) OPENSSL_cleanse(patch.key->data(), patch.key->size());
}

void deleteCredential(Editor& editor, Prompter& prompt) {
    const core::Cred* cred = askExistingCred(editor, prompt, "delete");
    if (cred == nullptr) return;
    const int credid = *cred->credid;
    attempt(prompt, [&] {
        editor.deleteCred(credid);
        prompt.out() << "   > Deleted credential " << credid << '\n';
    });
}

// A gateway's owner credentials are in its owner-key log: shown, but not offered for editing.
void printCredsAndOwnerKeys(Editor& editor, Prompter& prompt) {
    printCred(prompt.out(), editor.resources().cred);
    attempt(prompt, [&] {
        if (const auto ownerKeys = readOwnerKeys(editor.file())) {
            prompt.out() << '\n';
            printOwnerKeys(prompt.out(), *ownerKeys);
        }
    });
}

}  // namespace

void credentialMenu(Editor& editor, Prompter& prompt) {
    editMenu("Credential", prompt,
             {[&] { printCredsAndOwnerKeys(editor, prompt); }, [&] { addCredential(editor, prompt); },
              [&] { modifyCredential(editor, prompt); }, [&] { deleteCredential(editor, prompt); }});
}

}  // namespace steward::tools
