#pragma once
// The device onboarding state machine of pstat.dos.s (ocf-security.md, pstat table): which
// transitions are allowed, what each state forces on cm/tm/isop, and what owning requires.
#include <optional>
#include <string>

#include "steward/model/security_resources.hpp"

namespace steward::core {

// Why `svr` may not move to `target`, or nullopt if it may.
std::optional<std::string> dosTransitionRefusal(const SecurityResources& svr, DosState target);

// Sets dos.s and the fields the state forces (cm, tm, isop). No checks: call the one above first.
void applyDosState(SecurityResources& svr, DosState target);

}  // namespace steward::core
