#include "steward/model/cred.hpp"

namespace steward::core {

const Cred* findPairwiseKey(const CredResource& cred, const Uuid& subject) {
    for (const auto& c : cred.creds) {
        if (c.credtype == credtype::kSymmetricPairwise && !c.subjectuuid.wildcard && c.subjectuuid.uuid == subject && c.privatedata &&
            !c.privatedata->data.empty()) {
            return &c;
        }
    }
    return nullptr;
}

}  // namespace steward::core
