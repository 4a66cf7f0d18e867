// Applied policies: what the policies gave each device the last time they were applied, so that a
// restart shows it provisioned with the same policies.
#include <Poco/Data/Statement.h>

#include "pdm/pdm_values.hpp"
#include "pdm/poco_pdm.hpp"

namespace steward::core::detail {

using namespace Poco::Data::Keywords;

void PocoPdm::setAppliedPolicies(const AppliedPolicies& a) {
    write("setAppliedPolicies(" + a.device.toString() + ")", [&] {
        std::string device = a.device.toString();
        int known = 0;
        session_ << "SELECT COUNT(*) FROM devices WHERE uuid = ?", use(device), into(known), now;
        if (known == 0) throw std::runtime_error("no such device");
        std::string policies = stringsToJson(a.policies);
        int provisioned = a.provisioned ? 1 : 0;
        std::string error = a.error;
        std::int64_t appliedAt = toMillis(pdmNow());
        session_ << "INSERT INTO applied_policies (device, policies, provisioned, error, applied_at) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (device) DO UPDATE SET policies = excluded.policies, provisioned = excluded.provisioned, "
                    "error = excluded.error, applied_at = excluded.applied_at",
            use(device), use(policies), use(provisioned), use(error), use(appliedAt), now;
    });
}

std::optional<AppliedPolicies> PocoPdm::appliedPolicies(const Uuid& device) const {
    return read("appliedPolicies(" + device.toString() + ")", [&]() -> std::optional<AppliedPolicies> {
        std::string uuid = device.toString();
        std::vector<std::string> policies, errors;
        std::vector<int> provisioned;
        std::vector<std::int64_t> appliedAt;
        Poco::Data::Statement select(session_);
        select << "SELECT policies, provisioned, error, applied_at FROM applied_policies WHERE device = ?", use(uuid), into(policies),
            into(provisioned), into(errors), into(appliedAt);
        select.execute();
        if (policies.empty()) return std::nullopt;
        AppliedPolicies a;
        a.device = device;
        a.policies = stringsFromJson(policies.front(), "applied policies");
        a.provisioned = provisioned.front() != 0;
        a.error = errors.front();
        a.appliedAt = fromMillis(appliedAt.front());
        return a;
    });
}

}  // namespace steward::core::detail
