#include "owner_keys.hpp"

#include <Poco/JSON/Array.h>

#include "steward/model/resource_json.hpp"
#include "steward/onboarding/owner_key_log.hpp"

namespace steward::tools {

std::optional<OwnerKeyListing> readOwnerKeys(const std::filesystem::path& store) {
    const auto file = core::OwnerKeyLog::pathFor(store);
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return std::nullopt;
    const auto log = core::OwnerKeyLog::read(file);
    OwnerKeyListing listing{file, {}};
    for (const auto& device : log.devices()) {
        core::Cred c;
        c.credtype = core::credtype::kSymmetricPairwise;
        c.subjectuuid = core::CredSubject{device, false};
        c.privatedata = core::EncodedData{std::vector<std::uint8_t>(log.find(device)->size(), 0), core::encoding::kRaw};
        listing.creds.push_back(std::move(c));
    }
    return listing;
}

Poco::JSON::Object::Ptr ownerKeysToJson(const OwnerKeyListing& listing) {
    Poco::JSON::Array::Ptr creds = new Poco::JSON::Array;
    for (const auto& c : listing.creds) creds->add(core::credentialToJson(c));
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("file", listing.file.string());
    o->set("read_only", true);
    o->set("creds", creds);
    return o;
}

}  // namespace steward::tools
