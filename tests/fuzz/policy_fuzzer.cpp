// libFuzzer target for the policy file parser (bridge/policy): any bytes must give a PolicySet or
// a PolicyError, nothing else (an escaping exception aborts). What parses is also planned and
// described, so that every value the parser lets through is one the planner can use.
#include <cstdint>
#include <string_view>

#include "policy/policy_parser.hpp"
#include "policy/policy_plan.hpp"

using namespace steward::bridge;

namespace {

DeviceFacts device(const char* id, const char* name, const char* type, const char* otm) {
    return DeviceFacts{*steward::core::Uuid::parse(id), name, {"oic.wk.d", type}, otm};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    PolicySet set;
    try {
        set = parsePolicyText(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.yaml");
    } catch (const PolicyError&) {
        return 0;  // refused cleanly: what we want for bad input
    }
    static const std::vector<DeviceFacts> owned = {
        device("8e740000-0000-0000-0000-000000000001", "Kitchen light", "oic.d.light", "oic.sec.doxm.jw"),
        device("2b7c0000-0000-0000-0000-000000000002", "Kitchen switch", "oic.d.switch", "oic.sec.doxm.rdp"),
    };
    const auto gateway = *steward::core::Uuid::parse("00000000-0000-0000-0000-0000000000aa");
    for (const auto& d : owned) describe(planFor(set, d, owned, gateway));
    return 0;
}
