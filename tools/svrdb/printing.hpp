#pragma once
// Human-readable, aligned text of the security resources. Secrets are never printed: a PSK shows
// as "psk 16 bytes ********", a private key and the pconf PIN likewise.

#include <ostream>

#include "owner_keys.hpp"
#include "steward/model/security_resources.hpp"

namespace steward::tools {

void printDoxm(std::ostream& out, const core::Doxm& doxm);
void printPstat(std::ostream& out, const core::Pstat& pstat);
void printCred(std::ostream& out, const core::CredResource& cred);
// The gateway's owner credentials from its owner-key log, marked read-only.
void printOwnerKeys(std::ostream& out, const OwnerKeyListing& listing);
void printAcl(std::ostream& out, const core::Acl2& acl);
void printPconf(std::ostream& out, const core::Pconf& pconf);
void printDpairing(std::ostream& out, const core::Dpairing& dpairing);
// Every resource the device has, separated by blank lines; a gateway's owner-key log after cred.
void printAll(std::ostream& out, const core::SecurityResources& resources, const OwnerKeyListing* ownerKeys = nullptr);

}  // namespace steward::tools
