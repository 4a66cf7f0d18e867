#include "pairwise_psk.hpp"

#include <utility>

namespace steward::tools {

void PairwiseLookupOutcome::record(std::optional<core::Uuid> peer, std::string refusal) {
    const std::lock_guard lock(mutex_);
    peer_ = peer;
    refusal_ = std::move(refusal);
}

std::optional<core::Uuid> PairwiseLookupOutcome::peer() const {
    const std::lock_guard lock(mutex_);
    return peer_;
}

std::string PairwiseLookupOutcome::refusal() const {
    const std::lock_guard lock(mutex_);
    return refusal_;
}

core::ClientPskLookup pairwiseClientPsk(const core::Uuid& self, const core::CredResource& creds,
                                        std::shared_ptr<PairwiseLookupOutcome> outcome) {
    core::CredResource keys;  // only what a pairwise session may use travels into the lookup
    for (const auto& c : creds.creds) {
        if (c.credtype == core::credtype::kSymmetricPairwise && !c.subjectuuid.wildcard) keys.creds.push_back(c);
    }
    return [self, keys = std::move(keys),
            outcome = std::move(outcome)](std::span<const std::uint8_t> hint) -> std::optional<core::ClientPskCredentials> {
        const auto peer = core::Uuid::fromRaw(hint);
        if (!peer) {
            outcome->record(std::nullopt, "the peer sent no device UUID as its PSK identity hint (" + std::to_string(hint.size()) +
                                              " bytes); is it owned?");
            return std::nullopt;
        }
        const core::Cred* cred = core::findPairwiseKey(keys, *peer);
        if (cred == nullptr) {
            outcome->record(peer, "no credential for peer " + peer->toString());
            return std::nullopt;
        }
        outcome->record(peer, "");
        core::ClientPskCredentials c;
        c.identity.assign(self.bytes().begin(), self.bytes().end());
        c.key = core::SecretBytes(std::span<const std::uint8_t>(cred->privatedata->data));
        return c;
    };
}

}  // namespace steward::tools
