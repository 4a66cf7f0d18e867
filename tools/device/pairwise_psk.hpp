#pragma once
// The client side of an OCF pairwise DTLS session (ocf-security.md, "PSK identities"): the server's
// identity hint is its raw UUID; we answer with our own raw UUID and the pairwise key whose
// subject is that UUID, from our SVR DB's credentials.
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "steward/model/cred.hpp"
#include "steward/transport/psk.hpp"

namespace steward::tools {

// What the lookup saw during a handshake, so that a refused handshake can be explained. Written
// on the endpoint's I/O thread inside openSession(), read after it returned.
class PairwiseLookupOutcome {
public:
    void record(std::optional<core::Uuid> peer, std::string refusal);
    std::optional<core::Uuid> peer() const;  // the UUID the server's hint named, if it named one
    std::string refusal() const;             // why the lookup abandoned the handshake; empty if it did not

private:
    mutable std::mutex mutex_;
    std::optional<core::Uuid> peer_;
    std::string refusal_;
};

// `self`: our UUID (the identity we send). `creds`: our credentials; only pairwise keys are kept.
// A hint that is not a 16-byte UUID, or one we hold no key for, abandons the handshake.
core::ClientPskLookup pairwiseClientPsk(const core::Uuid& self, const core::CredResource& creds,
                                        std::shared_ptr<PairwiseLookupOutcome> outcome);

}  // namespace steward::tools
