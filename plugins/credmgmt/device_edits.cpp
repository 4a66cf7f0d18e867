#include "device_edits.hpp"

#include <algorithm>
#include <set>

#include "steward/model/resource_codec.hpp"

namespace steward::plugins::credmgmt {
bool sameAceContent(const Ace& a, const Ace& b) {
    return a.subject == b.subject && a.resources == b.resources && a.permission == b.permission && a.validity == b.validity;
}

CborValue aclPostBody(const std::vector<Ace>& aces) {
    Acl2 acl;
    acl.aclist2 = aces;
    for (auto& ace : acl.aclist2) ace.aceid = 0;
    const CborValue full = acl2ToCbor(acl);
    // Only aclist2 (rowneruuid is not ours to change here), and no aceid: the device assigns it.
    std::vector<CborValue> list;
    for (const auto& ace : full.find("aclist2")->items()) {
        std::vector<CborValue::Pair> kept;
        for (const auto& [key, value] : ace.entries()) {
            if (!(key.type() == CborValue::Type::Text && key.textValue() == "aceid")) kept.emplace_back(key, value);
        }
        list.push_back(CborValue::map(std::move(kept)));
    }
    return CborValue::map({{CborValue::text("aclist2"), CborValue::array(std::move(list))}});
}

std::vector<Ace> addAces(OwnerSession& session, const std::vector<Ace>& aces) {
    std::set<int> before;
    for (const auto& ace : session.readAcl().aclist2) before.insert(ace.aceid);
    session.post("/oic/sec/acl2", aclPostBody(aces));
    std::vector<Ace> fresh;
    for (const auto& ace : session.readAcl().aclist2) {
        if (!before.contains(ace.aceid)) fresh.push_back(ace);
    }
    std::vector<Ace> stored;
    for (const auto& wanted : aces) {
        const auto it = std::find_if(fresh.begin(), fresh.end(), [&](const Ace& a) { return sameAceContent(a, wanted); });
        if (it == fresh.end()) {
            throw ProvisioningError(ProvisioningError::Kind::Malformed, session.device().toString() + ": accepted an ACE for " +
                                                                            aceSubjectToString(wanted.subject) +
                                                                            " but does not list it afterwards");
        }
        stored.push_back(*it);
        fresh.erase(it);
    }
    return stored;
}

int addPairwiseCredential(OwnerSession& session, const Uuid& peer, const SecretBytes& key) {
    // Replaces, never adds beside: a device holding two keys for one peer picks either, and a
    // link repeated after a crash would fail both ways.
    std::vector<int> replaced;
    std::set<int> before;  // what stays: the device may give a removed credid to the new one
    for (const auto& c : session.readCred().creds) {
        if (!c.credid) continue;
        if (c.credtype == credtype::kSymmetricPairwise && !c.subjectuuid.wildcard && c.subjectuuid.uuid == peer) {
            replaced.push_back(*c.credid);
        } else {
            before.insert(*c.credid);
        }
    }
    removeEntries(session, replaced, {});
    const CborValue cred = CborValue::map({
        {CborValue::text("credtype"), CborValue::unsignedInt(credtype::kSymmetricPairwise)},
        {CborValue::text("subjectuuid"), CborValue::text(peer.toString())},
        {CborValue::text("privatedata"), CborValue::map({{CborValue::text("encoding"), CborValue::text(encoding::kRaw)},
                                                         {CborValue::text("data"), CborValue::bytes({key.begin(), key.end()})}})},
    });
    session.post("/oic/sec/cred", CborValue::map({{CborValue::text("creds"), CborValue::array({cred})}}));
    for (const auto& c : session.readCred().creds) {
        if (c.credid && !before.contains(*c.credid) && c.credtype == credtype::kSymmetricPairwise && !c.subjectuuid.wildcard &&
            c.subjectuuid.uuid == peer) {
            return *c.credid;
        }
    }
    throw ProvisioningError(ProvisioningError::Kind::Malformed, session.device().toString() + ": accepted the credential for " +
                                                                    peer.toString() + " but does not list it afterwards");
}

void removeEntries(OwnerSession& session, const std::vector<int>& credids, const std::vector<int>& aceids) {
    for (int id : credids) session.del("/oic/sec/cred", {"credid=" + std::to_string(id)});
    for (int id : aceids) session.del("/oic/sec/acl2", {"aceid=" + std::to_string(id)});
}

}  // namespace steward::plugins::credmgmt
