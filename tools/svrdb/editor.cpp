#include "editor.hpp"

#include <algorithm>

#include "credentials.hpp"
#include "errors.hpp"

namespace steward::tools {
namespace {

void checkAce(const core::Ace& ace) {
    if (ace.resources.empty()) throw InputError("an ACE needs at least one resource");
    if (ace.permission < 0 || ace.permission > core::permission::kAll) {
        throw InputError("permission must be 0..31, got " + std::to_string(ace.permission));
    }
}

std::vector<core::Ace>::iterator findAce(core::SecurityResources& r, int aceid) {
    auto it = std::find_if(r.acl.aclist2.begin(), r.acl.aclist2.end(), [&](const core::Ace& a) { return a.aceid == aceid; });
    if (it == r.acl.aclist2.end()) throw InputError("no ACE with aceid " + std::to_string(aceid));
    return it;
}

std::vector<core::Cred>::iterator findCred(core::SecurityResources& r, int credid) {
    auto it = std::find_if(r.cred.creds.begin(), r.cred.creds.end(), [&](const core::Cred& c) { return c.credid && *c.credid == credid; });
    if (it == r.cred.creds.end()) throw InputError("no credential with credid " + std::to_string(credid));
    return it;
}

}  // namespace

core::Uuid Editor::createDatabase(const std::filesystem::path& file, const core::DeviceProfile& profile,
                                  const std::optional<std::string>& uuidSeed) {
    core::DeviceIdSource ids;
    if (uuidSeed) {
        try {
            ids.setSeed(std::string_view(*uuidSeed));
        } catch (const std::invalid_argument& e) {
            throw InputError(std::string("--uuid-seed: ") + e.what());
        }
    }
    const core::Uuid id = ids.issue();
    core::SvrDatabase::create(file, core::factoryResources(id, profile));
    return id;
}

Editor::Editor(const std::filesystem::path& file) : db_(core::SvrDatabase::open(file, core::SvrAccess::ReadWrite)) {}

int Editor::addAce(core::Ace ace) {
    checkAce(ace);
    int assigned = 0;
    db_.modify([&](core::SecurityResources& r) {
        int highest = 0;
        for (const auto& a : r.acl.aclist2) highest = std::max(highest, a.aceid);
        ace.aceid = assigned = highest + 1;
        r.acl.aclist2.push_back(ace);
    });
    return assigned;
}

void Editor::modifyAce(int aceid, const AcePatch& patch) {
    if (!patch.subject && !patch.resources && !patch.permission && !patch.validity) {
        throw InputError("nothing to change");
    }
    db_.modify([&](core::SecurityResources& r) {
        core::Ace& ace = *findAce(r, aceid);
        if (patch.subject) ace.subject = *patch.subject;
        if (patch.resources) ace.resources = *patch.resources;
        if (patch.permission) ace.permission = *patch.permission;
        if (patch.validity) ace.validity = *patch.validity;
        checkAce(ace);
    });
}

void Editor::deleteAce(int aceid) {
    db_.modify([&](core::SecurityResources& r) { r.acl.aclist2.erase(findAce(r, aceid)); });
}

std::vector<int> Editor::addCreds(std::vector<core::Cred> creds) {
    std::vector<int> assigned;
    db_.modify([&](core::SecurityResources& r) {
        assigned.clear();
        int highest = 0;
        for (const auto& c : r.cred.creds) highest = std::max(highest, c.credid.value_or(0));
        for (auto& c : creds) {
            c.credid = ++highest;
            assigned.push_back(highest);
            r.cred.creds.push_back(c);
        }
    });
    return assigned;
}

int Editor::addPsk(const core::CredSubject& subject, std::vector<std::uint8_t> key) {
    return addCreds({makePskCred(subject, std::move(key))}).front();
}

std::vector<int> Editor::addTrustCaChain(const std::filesystem::path& chainFile) {
    std::vector<core::Cred> creds = makeTrustCaCreds(chainFile);
    // A second copy of a trust anchor adds nothing and makes deleting it error-prone.
    std::vector<std::string> present;
    for (const auto& c : resources().cred.creds) {
        if (c.credusage != core::credusage::kTrustCa) continue;
        for (auto& fp : certificateFingerprints(c)) present.push_back(std::move(fp));
    }
    for (std::size_t i = 0; i < creds.size(); ++i) {
        const std::string fp = certificateFingerprints(creds[i]).front();
        if (std::find(present.begin(), present.end(), fp) != present.end()) {
            throw InputError(chainFile.string() + ": certificate " + std::to_string(i + 1) + " (sha256 " + fp +
                             ") is already a trust CA in this database");
        }
        present.push_back(fp);
    }
    return addCreds(std::move(creds));
}

int Editor::addCertificateKeyPair(const std::filesystem::path& certFile, const std::filesystem::path& keyFile) {
    return addCreds({makeCertCred(certFile, keyFile, resources().doxm.deviceuuid)}).front();
}

void Editor::modifyCred(int credid, const CredPatch& patch) {
    if (!patch.subject && !patch.key) throw InputError("nothing to change");
    db_.modify([&](core::SecurityResources& r) {
        core::Cred& cred = *findCred(r, credid);
        if (patch.key) {
            if (cred.credtype != core::credtype::kSymmetricPairwise) {
                throw InputError("credential " + std::to_string(credid) + " is not a PSK (credtype " + std::to_string(cred.credtype) +
                                 "); only a PSK's key can be changed");
            }
            cred.privatedata = makePskCred(cred.subjectuuid, *patch.key).privatedata;  // checks the length
        }
        if (patch.subject) cred.subjectuuid = *patch.subject;
    });
}

void Editor::deleteCred(int credid) {
    db_.modify([&](core::SecurityResources& r) { r.cred.creds.erase(findCred(r, credid)); });
}

void Editor::reset() { db_.reset(); }

}  // namespace steward::tools
