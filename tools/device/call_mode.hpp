#pragma once
// steward-device --call: the device whose SVR DB is `svrdbFile` calls another device once, over a
// pairwise DTLS-PSK session, and prints the answer. The file is opened read-only (no lock), so the
// device may be running meanwhile; it is never written.
#include <ostream>
#include <string>

#include "device_options.hpp"

namespace steward::tools {

// Exit status: 0 a 2.xx answer, 3 a 4.xx answer, 1 anything else (no credential for the peer, a
// failed handshake, no answer, a 5.xx answer, an unreadable SVR DB), with a message on `err`.
// The answer goes to `out`: its code and JSON payload as text, or with `json` one JSON object
// {"code", "payload"}. Never prints a key.
int runCall(const std::string& svrdbFile, const CallOptions& call, bool json, std::ostream& out, std::ostream& err);

}  // namespace steward::tools
