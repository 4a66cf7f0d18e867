// Menu 32: ACEs on one owned device, recorded in the PDM; already-recorded ACEs are not re-sent.
#include <algorithm>
#include <set>

#include "device_edits.hpp"
#include "operations.hpp"

namespace steward::plugins::credmgmt {
namespace {

std::vector<std::string> resourceNames(const Ace& ace) {
    std::vector<std::string> out;
    for (const auto& r : ace.resources) out.push_back(r.wc ? std::string(1, static_cast<char>(*r.wc)) : r.href);
    return out;
}

std::vector<std::string> sortedUnique(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
}

bool recorded(const std::vector<AceRecord>& records, const Ace& ace) {
    const auto subject = aceSubjectToString(ace.subject);
    const auto resources = sortedUnique(resourceNames(ace));
    return std::any_of(records.begin(), records.end(), [&](const AceRecord& r) {
        return r.subject == subject && r.permission == ace.permission && sortedUnique(r.resources) == resources;
    });
}

void validate(const Ace& ace) {
    if (ace.permission <= 0 || ace.permission > permission::kAll) {
        throw InvalidRequest("permission " + std::to_string(ace.permission) + " is not a CRUDN bit mask (1..31)");
    }
    if (ace.resources.empty()) throw InvalidRequest("an ACE needs at least one resource");
    for (const auto& r : ace.resources) {
        if (!r.wc && (r.href.empty() || r.href.front() != '/')) throw InvalidRequest("resource \"" + r.href + "\" is not an href");
    }
}

}  // namespace

AceRecord aceRecordFor(const Uuid& device, const Ace& stored, const std::string& origin) {
    AceRecord r;
    r.device = device;
    r.aceid = stored.aceid;
    r.subject = aceSubjectToString(stored.subject);
    r.resources = resourceNames(stored);
    r.permission = stored.permission;
    r.origin = origin;
    return r;
}

ProvisioningOutcome provisionAcl(ProvisioningContext& ctx, const Uuid& id, const std::vector<Ace>& aces, const std::string& origin) {
    return runOperation([&] {
        const auto device = ownedDevice(ctx, id);
        if (aces.empty()) throw InvalidRequest("no ACE to provision");
        for (const auto& ace : aces) validate(ace);
        const auto known = ctx.pdm.aces(id);
        std::vector<Ace> fresh;
        ProvisioningOutcome outcome;
        for (const auto& ace : aces) {
            if (recorded(known, ace)) {
                outcome.done.push_back("ACE for " + aceSubjectToString(ace.subject) + " already provisioned on " + id.toString());
            } else if (std::none_of(fresh.begin(), fresh.end(), [&](const Ace& f) { return f == ace; })) {
                fresh.push_back(ace);
            }
        }
        if (!fresh.empty()) {
            auto session = openOwnerSession(ctx, device);
            std::vector<Ace> stored;
            session.whileProvisioning([&] {
                // A kill between the device write and the record below leaves on the device an ACE
                // the PDM does not know: adopted now rather than added a second time.
                std::set<int> taken;
                for (const auto& r : known) taken.insert(r.aceid);
                const auto onDevice = session.readAcl().aclist2;
                std::vector<Ace> toAdd;
                for (const auto& ace : fresh) {
                    const auto it = std::find_if(onDevice.begin(), onDevice.end(),
                                                 [&](const Ace& a) { return !taken.contains(a.aceid) && sameAceContent(a, ace); });
                    if (it == onDevice.end()) {
                        toAdd.push_back(ace);
                    } else {
                        taken.insert(it->aceid);
                        stored.push_back(*it);
                    }
                }
                if (!toAdd.empty()) {
                    const auto added = addAces(session, toAdd);
                    stored.insert(stored.end(), added.begin(), added.end());
                }
            });
            progress(ctx, "recording the ACEs of " + id.toString());
            ctx.pdm.transaction([&] {
                for (const auto& ace : stored) ctx.pdm.addAce(aceRecordFor(id, ace, origin));
            });
            for (const auto& ace : stored) {
                outcome.done.push_back("ACE " + std::to_string(ace.aceid) + " on " + id.toString() + ": " +
                                       aceSubjectToString(ace.subject) + " " + permission::toString(ace.permission));
            }
        }
        outcome.ok = true;
        return outcome;
    });
}

}  // namespace steward::plugins::credmgmt
