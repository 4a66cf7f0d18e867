#pragma once
// /oic/sec/pstat: the device onboarding state (DOS) and its provisioning modes.

#include <optional>
#include <string_view>

#include "steward/model/uuid.hpp"

namespace steward::core {

enum class DosState : int { Reset = 0, Rfotm = 1, Rfpro = 2, Rfnop = 3, Sreset = 4 };

std::string_view dosStateName(DosState s);  // "RESET", "RFOTM", ...
std::optional<DosState> dosStateFromInt(long long value);

// cm / tm bits
namespace provisioning_mode {
inline constexpr int kReset = 1;
inline constexpr int kTakeOwner = 2;
inline constexpr int kBootstrap = 4;
inline constexpr int kSecurityManagement = 8;
inline constexpr int kProvisionCredentials = 16;
inline constexpr int kProvisionAcls = 32;
}  // namespace provisioning_mode

// om / sm bits
namespace operational_mode {
inline constexpr int kMultiServiceServerDriven = 1;
inline constexpr int kSingleServiceServerDriven = 2;
inline constexpr int kSingleServiceClientDriven = 4;
}  // namespace operational_mode

struct Dos {
    bool pending = false;              // "p"
    DosState state = DosState::Rfotm;  // "s"
    friend bool operator==(const Dos&, const Dos&) = default;
};

struct Pstat {
    Dos dos;
    int cm = provisioning_mode::kTakeOwner;
    int tm = 0;
    int om = operational_mode::kMultiServiceServerDriven | operational_mode::kSingleServiceServerDriven;
    int sm = operational_mode::kSingleServiceClientDriven;
    bool isop = false;
    Uuid rowneruuid;

    friend bool operator==(const Pstat&, const Pstat&) = default;
};

}  // namespace steward::core
