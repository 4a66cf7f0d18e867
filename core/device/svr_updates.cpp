// POST/DELETE semantics of doxm, pstat, cred and acl2 on the device side.
#include "steward/device/svr_updates.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "cbor/object_reader.hpp"
#include "device/update_helpers.hpp"
#include "steward/cbor/cbor_value.hpp"
#include "steward/device/dos_transitions.hpp"
#include "steward/model/resource_codec.hpp"
#include "util/id_allocator.hpp"

namespace steward::core {
namespace {

using detail::badRequest;
using detail::guarded;
using detail::parseBody;
using detail::refuse;
using detail::unknownKey;

bool inRfotm(const SecurityResources& svr) { return svr.pstat.dos.state == DosState::Rfotm; }

std::optional<long long> parseInt(const std::string& text) {
    long long v = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc() || ptr != end) return std::nullopt;
    return v;
}

// Completes a partial resource body with the properties the full decoder requires.
CborValue withDefaults(CborValue body, std::string_view listKey, const Uuid& rowner) {
    if (body.find(listKey) == nullptr) body.entries().push_back(entry(std::string(listKey), CborValue::array()));
    if (body.find("rowneruuid") == nullptr) body.entries().push_back(entry("rowneruuid", uuidValue(rowner)));
    return body;
}

// Why `roundTrip` (encode then decode) fails, or nullopt if it works.
template <typename Fn>
std::optional<std::string> unstorable(Fn&& roundTrip) {
    try {
        roundTrip();
        return std::nullopt;
    } catch (const DecodeError& e) {
        return std::string(e.what());
    }
}

}  // namespace

std::optional<std::string> queryValue(const std::vector<std::string>& query, std::string_view key) {
    for (const auto& item : query) {
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq != key.size()) continue;
        if (std::equal(key.begin(), key.end(), item.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            })) {
            return item.substr(eq + 1);
        }
    }
    return std::nullopt;
}

UpdateOutcome postDoxm(SecurityResources& svr, std::span<const std::uint8_t> payload, const UpdateContext& ctx) {
    return guarded([&]() -> UpdateOutcome {
        const CborValue body = parseBody(payload, "doxm");
        if (auto key = unknownKey(body, {"oxmsel", "owned", "deviceuuid", "devowneruuid", "rowneruuid"})) {
            return badRequest("doxm." + *key + " is not writable");
        }
        const ObjectReader r(body, "doxm");
        UpdateOutcome out;
        Doxm& d = svr.doxm;
        if (auto sel = r.optInteger("oxmsel", 0, 0xFFFF)) {
            if (!inRfotm(svr) || ctx.secure) return badRequest("doxm.oxmsel is writable only in RFOTM over plain CoAP");
            if (std::find(d.oxms.begin(), d.oxms.end(), *sel) == d.oxms.end()) {
                return badRequest("doxm.oxmsel " + std::to_string(*sel) + " is not offered");
            }
            d.oxmsel = static_cast<int>(*sel);
            out.selectedOxm = d.oxmsel;
        }
        const bool inDoc = inRfotm(svr) && ctx.ownershipSession;
        for (const char* key : {"owned", "deviceuuid", "devowneruuid"}) {
            if (body.find(key) != nullptr && !inDoc) {
                return badRequest(std::string("doxm.") + key + " is writable only in RFOTM on the ownership session");
            }
        }
        if (auto owned = r.optBoolean("owned")) d.owned = *owned;
        if (auto id = r.optUuid("deviceuuid")) {
            if (id->isNil()) return badRequest("doxm.deviceuuid may not be nil");
            d.deviceuuid = *id;
        }
        if (auto owner = r.optUuid("devowneruuid")) d.devowneruuid = *owner;
        if (auto rowner = r.optUuid("rowneruuid")) {
            const bool sreset = svr.pstat.dos.state == DosState::Sreset;
            if (!inDoc && !sreset) return badRequest("doxm.rowneruuid is writable only in RFOTM or SRESET");
            d.rowneruuid = *rowner;
        }
        return out;
    });
}

UpdateOutcome postPstat(SecurityResources& svr, std::span<const std::uint8_t> payload, const UpdateContext&) {
    return guarded([&]() -> UpdateOutcome {
        const CborValue body = parseBody(payload, "pstat");
        if (auto key = unknownKey(body, {"dos", "tm", "om", "rowneruuid"})) return badRequest("pstat." + *key + " is not writable");
        const ObjectReader r(body, "pstat");
        UpdateOutcome out;
        Pstat& p = svr.pstat;
        if (auto tm = r.optInteger("tm", 0, 63)) p.tm = static_cast<int>(*tm);
        if (auto om = r.optInteger("om", 1, 4)) {
            if (*om == 3 || (p.sm & *om) == 0)
                return badRequest("pstat.om " + std::to_string(*om) + " is not supported (sm " + std::to_string(p.sm) + ")");
            p.om = static_cast<int>(*om);
        }
        if (auto rowner = r.optUuid("rowneruuid")) {
            if (p.dos.state == DosState::Rfpro || p.dos.state == DosState::Rfnop) {
                return badRequest("pstat.rowneruuid is not writable in " + std::string(dosStateName(p.dos.state)));
            }
            p.rowneruuid = *rowner;
        }
        if (body.find("dos") != nullptr) {
            const ObjectReader dos = r.object("dos");
            if (dos.find("p") != nullptr) return badRequest("pstat.dos.p is read-only");
            const auto target = dosStateFromInt(dos.integer("s", 0, 4));
            if (auto why = dosTransitionRefusal(svr, *target)) return badRequest(*why);
            applyDosState(svr, *target);
            out.newState = *target;
        }
        return out;
    });
}

UpdateOutcome postCred(SecurityResources& svr, std::span<const std::uint8_t> payload, const UpdateContext& ctx) {
    return guarded([&]() -> UpdateOutcome {
        const CborValue body = parseBody(payload, "cred");
        if (auto key = unknownKey(body, {"creds", "rowneruuid"})) return badRequest("cred." + *key + " is not writable");
        CredResource incoming = credFromCbor(withDefaults(body, "creds", svr.cred.rowneruuid));
        CredResource& cred = svr.cred;
        if (body.find("rowneruuid") != nullptr) {
            const DosState s = svr.pstat.dos.state;
            if (s == DosState::Rfpro || s == DosState::Rfnop) return badRequest("cred.rowneruuid is not writable once owned");
            cred.rowneruuid = incoming.rowneruuid;
        }
        detail::IdAllocator ids;
        for (const auto& c : cred.creds) ids.markUsed(c.credid.value_or(0));
        for (const auto& c : incoming.creds) ids.markUsed(c.credid.value_or(0));
        for (auto& c : incoming.creds) {
            if (c.credtype != credtype::kSymmetricPairwise && c.credtype != credtype::kAsymmetricSigningWithCert) {
                return badRequest("cred.credtype " + std::to_string(c.credtype) + " is not supported");
            }
            const bool emptyOwnerKey = c.credtype == credtype::kSymmetricPairwise && !c.subjectuuid.wildcard &&
                                       c.subjectuuid.uuid == cred.rowneruuid && !cred.rowneruuid.isNil() &&
                                       (!c.privatedata || c.privatedata->data.empty());
            if (emptyOwnerKey) {
                // Step 9: "derive the owner PSK yourself" — only meaningful on the ownership session.
                if (!ctx.ownershipSession || !ctx.deriveOwnerPsk) return badRequest("an empty owner key outside the ownership session");
                auto psk = ctx.deriveOwnerPsk(c.subjectuuid.uuid);
                if (!psk) return refuse(CoapCode::InternalServerError, "the ownership session's secrets are unavailable");
                c.privatedata = EncodedData{std::move(*psk), encoding::kRaw};
            } else if (c.credtype == credtype::kSymmetricPairwise &&
                       (!c.privatedata || (c.privatedata->data.size() != 16 && c.privatedata->data.size() != 32))) {
                return badRequest("cred: a symmetric key must be 16 or 32 bytes");
            }
            if (!c.credid) {
                c.credid = ids.next();
                if (!c.credid) return refuse(CoapCode::InternalServerError, "cred: no free credid left");
            }
            auto same = std::find_if(cred.creds.begin(), cred.creds.end(), [&](const Cred& e) { return e.credid == c.credid; });
            if (same != cred.creds.end()) {
                *same = std::move(c);
            } else {
                cred.creds.push_back(std::move(c));
            }
        }
        // What is accepted must also be storable: a body can decode yet not re-encode to
        // something that decodes (e.g. key bytes under a textual encoding such as pem).
        if (auto why = unstorable([&] { (void)decodeCred(encodeCred(cred, PrivateData::Include)); })) {
            return badRequest("cred: cannot be stored: " + *why);
        }
        return UpdateOutcome{};
    });
}

UpdateOutcome postAcl2(SecurityResources& svr, std::span<const std::uint8_t> payload, const UpdateContext&) {
    return guarded([&]() -> UpdateOutcome {
        const CborValue body = parseBody(payload, "acl2");
        if (auto key = unknownKey(body, {"aclist2", "rowneruuid"})) return badRequest("acl2." + *key + " is not writable");
        Acl2 incoming = acl2FromCbor(withDefaults(body, "aclist2", svr.acl.rowneruuid));
        Acl2& acl = svr.acl;
        if (body.find("rowneruuid") != nullptr) {
            const DosState s = svr.pstat.dos.state;
            if (s == DosState::Rfpro || s == DosState::Rfnop) return badRequest("acl2.rowneruuid is not writable once owned");
            acl.rowneruuid = incoming.rowneruuid;
        }
        detail::IdAllocator ids;
        for (const auto& a : acl.aclist2) ids.markUsed(a.aceid);
        for (const auto& a : incoming.aclist2) ids.markUsed(a.aceid);
        for (auto& ace : incoming.aclist2) {
            if (ace.permission <= 0 || ace.permission > permission::kAll) {
                return badRequest("acl2: permission " + std::to_string(ace.permission) + " is not a CRUDN bitmask");
            }
            if (ace.resources.empty()) return badRequest("acl2: an ACE needs at least one resource");
            if (ace.aceid == 0) {
                const auto id = ids.next();
                if (!id) return refuse(CoapCode::InternalServerError, "acl2: no free aceid left");
                ace.aceid = *id;
            }
            auto same = std::find_if(acl.aclist2.begin(), acl.aclist2.end(), [&](const Ace& e) { return e.aceid == ace.aceid; });
            if (same != acl.aclist2.end()) {
                *same = std::move(ace);
            } else {
                acl.aclist2.push_back(std::move(ace));
            }
        }
        if (auto why = unstorable([&] { (void)decodeAcl2(encodeAcl2(acl)); })) return badRequest("acl2: cannot be stored: " + *why);
        return UpdateOutcome{};
    });
}

UpdateOutcome deleteCred(SecurityResources& svr, const std::vector<std::string>& query) {
    auto& creds = svr.cred.creds;
    if (auto id = queryValue(query, "credid")) {
        const auto n = parseInt(*id);
        if (!n) return badRequest("credid must be an integer");
        const auto before = creds.size();
        std::erase_if(creds, [&](const Cred& c) { return c.credid == *n; });
        if (creds.size() == before) return refuse(CoapCode::NotFound, "no credential " + *id);
    } else if (auto subject = queryValue(query, "subjectuuid")) {
        if (*subject == "*") {
            std::erase_if(creds, [](const Cred& c) { return c.subjectuuid.wildcard; });
        } else {
            const auto uuid = Uuid::parse(*subject);
            if (!uuid) return badRequest("subjectuuid is not a UUID");
            std::erase_if(creds, [&](const Cred& c) { return !c.subjectuuid.wildcard && c.subjectuuid.uuid == *uuid; });
        }
    } else if (query.empty()) {
        creds.clear();
    } else {
        return badRequest("DELETE cred takes credid= or subjectuuid=");
    }
    UpdateOutcome out;
    out.code = CoapCode::Deleted;
    return out;
}

UpdateOutcome deleteAcl2(SecurityResources& svr, const std::vector<std::string>& query) {
    auto& aces = svr.acl.aclist2;
    if (auto id = queryValue(query, "aceid")) {
        const auto n = parseInt(*id);
        if (!n) return badRequest("aceid must be an integer");
        const auto before = aces.size();
        std::erase_if(aces, [&](const Ace& a) { return a.aceid == *n; });
        if (aces.size() == before) return refuse(CoapCode::NotFound, "no ACE " + *id);
    } else if (query.empty()) {
        aces.clear();
    } else {
        return badRequest("DELETE acl2 takes aceid= or nothing");
    }
    UpdateOutcome out;
    out.code = CoapCode::Deleted;
    return out;
}

}  // namespace steward::core
