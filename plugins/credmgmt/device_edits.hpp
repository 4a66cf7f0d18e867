#pragma once
// Edits on one device over its owner session (inside whileProvisioning), each reporting exactly
// what the device added so that a failed operation can take back only its own changes.
#include <vector>

#include "device_access.hpp"
#include "steward/crypto/secret_bytes.hpp"

namespace steward::plugins::credmgmt {

// The same ACE but for its aceid.
bool sameAceContent(const Ace& a, const Ace& b);

// Posts `aces` (aceids left to the device) and returns the ACEs as the device stored them, in the
// order given: found by reading acl2 before and after.
std::vector<Ace> addAces(OwnerSession& session, const std::vector<Ace>& aces);

// Posts a symmetric pairwise credential for `peer`; returns the credid the device assigned.
int addPairwiseCredential(OwnerSession& session, const Uuid& peer, const SecretBytes& key);

// Takes back what addAces/addPairwiseCredential added (missing entries count as gone).
void removeEntries(OwnerSession& session, const std::vector<int>& credids, const std::vector<int>& aceids);

// The CBOR of one ACE as POST /oic/sec/acl2 carries it.
CborValue aclPostBody(const std::vector<Ace>& aces);

}  // namespace steward::plugins::credmgmt
