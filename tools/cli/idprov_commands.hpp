#pragma once
// Certificates from the gateway CA, issued on the gateway itself whatever the mode (it reads the
// CA key): a client certificate for an admin or a plugin, the identity that may post out-of-band
// secrets to the IDProv HTTPS API (curl, a QR-code scanner app), or a server certificate for a
// service such as the MQTT broker IDProv devices publish to. Feeding a secret through stewardd is
// the remote command idprov-oob.
#include <ostream>
#include <string>
#include <vector>

namespace steward::tools {

// Returns the exit status, or -1 if `command` is not one of these.
int runIdprovCommand(const std::string& command, const std::vector<std::string>& words, std::ostream& out, std::ostream& err);
std::string idprovCommandsSummary();

}  // namespace steward::tools
