#pragma once
// A gateway keeps its owner credentials in an append-only log beside its store, `<store>.keys`
// (core's owner_key_log.hpp), no longer in the store. The editor lists them with the store's
// credentials, marked as the log's: read-only (they have no credid, and the gateway alone appends
// to the log), and masked like every secret. The listing never holds a key: only its length.
#include <Poco/JSON/Object.h>

#include <filesystem>
#include <optional>
#include <vector>

#include "steward/model/cred.hpp"

namespace steward::tools {

struct OwnerKeyListing {
    std::filesystem::path file;
    // credtype 1, subject = the device, privatedata = zeros as long as the key (for the masks)
    std::vector<core::Cred> creds;
};

// nullopt when there is no log beside `store`. Throws SvrDbError for a corrupt one; a torn tail
// (perhaps an append in progress) is left out. Writes nothing, takes no lock.
std::optional<OwnerKeyListing> readOwnerKeys(const std::filesystem::path& store);

// {"file", "read_only": true, "creds": [...as in cred.creds, without credid]}
Poco::JSON::Object::Ptr ownerKeysToJson(const OwnerKeyListing& listing);

}  // namespace steward::tools
