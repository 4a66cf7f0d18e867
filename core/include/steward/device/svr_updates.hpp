#pragma once
// What POST and DELETE do to a device's security resources (ocf-security.md, "Security
// resources"): which properties are writable in which state and session, how credentials and ACEs
// are appended, replaced and deleted. Functions edit a copy of the resources; the caller stores it
// only when the update succeeded, so a refused request changes nothing.
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "steward/model/security_resources.hpp"
#include "steward/transport/coap_message.hpp"

namespace steward::core {

struct UpdateContext {
    bool ownershipSession = false;  // the request came on the ownership-transfer session (DOC)
    bool secure = false;
    // Derives the owner PSK for an empty owner credential (step 9 of the transfer); nullopt if the
    // session's secrets are unavailable.
    std::function<std::optional<std::vector<std::uint8_t>>(const Uuid& owner)> deriveOwnerPsk;
};

struct UpdateOutcome {
    CoapCode code = CoapCode::Changed;
    std::string reason;                // why it was refused, for the device's log
    std::optional<int> selectedOxm;    // doxm.oxmsel was written
    std::optional<DosState> newState;  // pstat.dos.s was written (and applied, except RESET)
    bool ok() const { return code.isSuccess(); }
};

UpdateOutcome postDoxm(SecurityResources& svr, std::span<const std::uint8_t> payload, const UpdateContext& ctx);
UpdateOutcome postPstat(SecurityResources& svr, std::span<const std::uint8_t> payload, const UpdateContext& ctx);
UpdateOutcome postCred(SecurityResources& svr, std::span<const std::uint8_t> payload, const UpdateContext& ctx);
UpdateOutcome postAcl2(SecurityResources& svr, std::span<const std::uint8_t> payload, const UpdateContext& ctx);
// DELETE ?credid=N | ?subjectuuid=U | (nothing: all); DELETE ?aceid=N | (nothing: all).
UpdateOutcome deleteCred(SecurityResources& svr, const std::vector<std::string>& query);
UpdateOutcome deleteAcl2(SecurityResources& svr, const std::vector<std::string>& query);

// Value of `key` in a Uri-Query list ("owned=FALSE"), key matched case-insensitively.
std::optional<std::string> queryValue(const std::vector<std::string>& query, std::string_view key);

}  // namespace steward::core
