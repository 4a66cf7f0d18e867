#pragma once
// `steward own UUID...` through stewardd: one `own` request after the other, each followed until
// the daemon's final outcome, with the Random PIN flow on this terminal (pairing_request events,
// the `pin` request, wrong PINs and new ones) and progress lines on stderr.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <ostream>
#include <vector>

#include "remote_session.hpp"

namespace steward::tools {

// How long to keep waiting past a pairing request's expiry for the daemon's outcome.
inline constexpr std::chrono::seconds kPairingGrace{15};

// `requests` are the own requests' bodies (device, method?). Prints the outcome of each (text, or
// nothing with `json`: the raw responses are added to `responses`); returns the exit status.
int runRemoteOwn(RemoteSession& session, const std::vector<Poco::JSON::Object::Ptr>& requests, bool json, Poco::JSON::Array& responses,
                 std::ostream& out, std::ostream& err);

// What `steward own --help` says about the PIN and how long it waits.
std::string remoteOwnHelp();

}  // namespace steward::tools
