#pragma once
// Direct Pairing from the command line (seed menu item 33): `direct-pairing` provisions or
// disables /oic/sec/pconf on an owned device through the Direct Pairing plugin.
#include <ostream>
#include <string>
#include <vector>

#include "steward/crypto/secret_bytes.hpp"

namespace steward::tools {

// Returns the exit status, or -1 if `command` is not one of these.
int runPairingCommand(const std::string& command, const std::vector<std::string>& words, std::ostream& out, std::ostream& err);

// "direct-pairing" with a one-line summary, for steward --help.
std::string pairingCommandsSummary();

// "preconfigured" (also "pre-configured", "1") or "random" (also "randompin", "2") to
// pairing_method values; InputError otherwise.
int parsePairingMethod(const std::string& text);

// A pre-configured PIN as typed: exactly 8 digits, else InputError (which never repeats it).
core::SecretBytes parsePairingPin(std::string&& text);

// The permission a paired client gets when none is given: read and update ("-RU--"), enough to
// read and switch a light, not to delete or create.
inline constexpr const char* kDefaultPairingPermission = "RU";

}  // namespace steward::tools
