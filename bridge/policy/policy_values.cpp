#include "policy/policy_values.hpp"

#include "steward/model/doxm.hpp"

namespace steward::bridge {

std::optional<std::string> canonicalOtm(std::string_view text) {
    if (text == "justworks") return std::string(core::oxm::name(core::oxm::kJustWorks));
    if (text == "randompin") return std::string(core::oxm::name(core::oxm::kRandomPin));
    for (int id : {core::oxm::kJustWorks, core::oxm::kRandomPin, core::oxm::kManufacturerCert}) {
        if (text == core::oxm::name(id)) return std::string(text);
    }
    return std::nullopt;
}

}  // namespace steward::bridge
