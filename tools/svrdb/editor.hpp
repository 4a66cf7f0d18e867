#pragma once
// The editing operations both front-ends (subcommands and the menu) share. Each edit is one
// SvrDatabase::modify: it is checked completely before anything is written, so a refused edit
// leaves the file byte-identical, and an accepted one replaces it atomically.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "steward/model/security_resources.hpp"
#include "steward/svr/svr_database.hpp"

namespace steward::tools {

// A field left empty is kept as it is.
struct AcePatch {
    std::optional<core::AceSubject> subject;
    std::optional<std::vector<core::AceResource>> resources;
    std::optional<int> permission;
    std::optional<std::vector<core::Validity>> validity;
};

struct CredPatch {
    std::optional<core::CredSubject> subject;
    std::optional<std::vector<std::uint8_t>> key;  // PSK credentials only
};

class Editor {
public:
    // Creates a new, unowned device database and returns its UUID. Throws SvrDbError if the file
    // exists, InputError for a seed that is not 8..64 bytes.
    static core::Uuid createDatabase(const std::filesystem::path& file, const core::DeviceProfile& profile,
                                     const std::optional<std::string>& uuidSeed);

    // Opens for writing: holds the database's lock until destroyed. Throws SvrDbError.
    explicit Editor(const std::filesystem::path& file);

    const core::SecurityResources& resources() const { return db_.resources(); }
    const std::filesystem::path& file() const { return db_.file(); }

    // Returns the new aceid (one above the highest, from 1).
    int addAce(core::Ace ace);
    void modifyAce(int aceid, const AcePatch& patch);
    void deleteAce(int aceid);

    // Return the new credids (one above the highest, from 1).
    int addPsk(const core::CredSubject& subject, std::vector<std::uint8_t> key);
    std::vector<int> addTrustCaChain(const std::filesystem::path& chainFile);
    int addCertificateKeyPair(const std::filesystem::path& certFile, const std::filesystem::path& keyFile);
    void modifyCred(int credid, const CredPatch& patch);
    void deleteCred(int credid);

    // Local reset: the reset profile becomes current again.
    void reset();

private:
    std::vector<int> addCreds(std::vector<core::Cred> creds);

    core::SvrDatabase db_;
};

}  // namespace steward::tools
