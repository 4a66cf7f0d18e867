#pragma once
// Human-readable, aligned text of the security resources. Secrets are never printed: a PSK shows
// as "psk 16 bytes ********", a private key and the pconf PIN likewise.

#include <ostream>

#include "steward/model/security_resources.hpp"

namespace steward::tools {

void printDoxm(std::ostream& out, const core::Doxm& doxm);
void printPstat(std::ostream& out, const core::Pstat& pstat);
void printCred(std::ostream& out, const core::CredResource& cred);
void printAcl(std::ostream& out, const core::Acl2& acl);
void printPconf(std::ostream& out, const core::Pconf& pconf);
void printDpairing(std::ostream& out, const core::Dpairing& dpairing);
// Every resource the device has, separated by blank lines.
void printAll(std::ostream& out, const core::SecurityResources& resources);

}  // namespace steward::tools
