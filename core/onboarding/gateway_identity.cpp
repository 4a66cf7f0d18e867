#include "steward/onboarding/gateway_identity.hpp"

#include <openssl/crypto.h>

#include <algorithm>

#include "steward/cbor/cbor_value.hpp"
#include "steward/cbor/decode_error.hpp"
#include "steward/svr/device_id_source.hpp"
#include "steward/svr/factory_defaults.hpp"
#include "steward/util/atomic_file.hpp"

namespace steward::core {
namespace {

bool isOwnerCred(const Cred& c) {
    return c.credtype == credtype::kSymmetricPairwise && !c.subjectuuid.wildcard && c.privatedata && !c.privatedata->data.empty();
}

constexpr const char* kDefaultDomainName = "Steward";

SecurityDomain readDomain(const std::filesystem::path& file) {
    const auto bytes = readWholeFile(file, 4096);
    SecurityDomain domain;
    try {
        const CborValue value = parseCbor(bytes, "sdi");
        const CborValue* uuid = value.find("uuid");
        const CborValue* name = value.find("name");
        std::optional<Uuid> parsed;
        if (uuid != nullptr && uuid->type() == CborValue::Type::Text) parsed = Uuid::parse(uuid->textValue());
        if (!parsed || parsed->isNil()) throw FileError(file.string() + ": no valid security-domain uuid");
        domain.uuid = *parsed;
        domain.name = name != nullptr && name->type() == CborValue::Type::Text ? name->textValue() : kDefaultDomainName;
    } catch (const DecodeError& e) {
        throw FileError(file.string() + ": " + e.what());
    }
    return domain;
}

SecurityDomain openOrCreateDomain(const std::filesystem::path& file) {
    std::error_code ec;
    if (std::filesystem::exists(file, ec)) return readDomain(file);
    SecurityDomain domain{Uuid::random(), kDefaultDomainName};
    const auto bytes = encodeCbor(CborValue::map(
        {{CborValue::text("uuid"), CborValue::text(domain.uuid.toString())}, {CborValue::text("name"), CborValue::text(domain.name)}}));
    writeFileAtomically(file, bytes);
    return domain;
}

// A log whose store is gone holds the keys of an identity that no longer exists; with a new
// store they would be wrong, and deleting them is not ours to decide.
void refuseOrphanedLog(const std::filesystem::path& store, const std::filesystem::path& log) {
    std::error_code ec;
    if (std::filesystem::exists(store, ec) || !std::filesystem::exists(log, ec)) return;
    throw SvrDbError(log.string() + ": owner-key log without its store " + store.string() +
                     "; restore the store, or move the log away to start a new identity");
}

// Owner credentials an older version kept in the store: appended to the log (one fsync), then
// dropped from the store (one rewrite). A crash between the two leaves them in both, and the
// next open does the same again; a key the log already holds is not appended twice.
void moveOwnerCredentials(SvrDatabase& db, OwnerKeyLog& keys) {
    const auto& creds = db.resources().cred.creds;
    if (std::none_of(creds.begin(), creds.end(), isOwnerCred)) return;
    std::vector<OwnerKey> moving;
    for (const auto& c : creds) {
        if (!isOwnerCred(c)) continue;
        const SecretBytes* held = keys.find(c.subjectuuid.uuid);
        if (held == nullptr || !held->equals(c.privatedata->data)) moving.push_back({c.subjectuuid.uuid, c.privatedata->data});
    }
    keys.putAll(moving);
    db.modify([](SecurityResources& r) { std::erase_if(r.cred.creds, isOwnerCred); });
}

}  // namespace

GatewayIdentity GatewayIdentity::openOrCreate(const std::filesystem::path& file) {
    const auto keysFile = OwnerKeyLog::pathFor(file);
    refuseOrphanedLog(file, keysFile);
    DeviceIdSource ids;  // random ids are PSK-usable
    auto db = SvrDatabase::openOrCreate(file, DeviceProfile{}, ids);
    auto keys = OwnerKeyLog::open(keysFile);
    moveOwnerCredentials(db, keys);
    auto domainFile = file;
    domainFile += ".sdi";
    return GatewayIdentity(std::move(db), std::move(keys), openOrCreateDomain(domainFile));
}

GatewayIdentity::GatewayIdentity(GatewayIdentity&& other) noexcept
    : db_(std::move(other.db_)), keys_(std::move(other.keys_)), domain_(std::move(other.domain_)) {}

Uuid GatewayIdentity::id() const {
    const std::lock_guard lock(mutex_);
    return db_.resources().doxm.deviceuuid;
}

void GatewayIdentity::storeOwnerCredential(const Uuid& device, std::span<const std::uint8_t> psk) {
    const std::lock_guard lock(mutex_);
    keys_.put(device, psk);
}

std::optional<SecretBytes> GatewayIdentity::ownerCredential(const Uuid& device) const {
    const std::lock_guard lock(mutex_);
    const SecretBytes* key = keys_.find(device);
    if (key == nullptr) return std::nullopt;
    return key->clone();
}

bool GatewayIdentity::removeOwnerCredential(const Uuid& device) {
    const std::lock_guard lock(mutex_);
    return keys_.remove(device);
}

std::vector<Uuid> GatewayIdentity::devicesWithCredentials() const {
    const std::lock_guard lock(mutex_);
    return keys_.devices();
}

}  // namespace steward::core
