#include "steward/onboarding/gateway_identity.hpp"

#include <openssl/crypto.h>

#include <algorithm>

#include "steward/cbor/cbor_value.hpp"
#include "steward/cbor/decode_error.hpp"
#include "steward/svr/device_id_source.hpp"
#include "steward/svr/factory_defaults.hpp"
#include "steward/util/atomic_file.hpp"
#include "util/id_allocator.hpp"

namespace steward::core {
namespace {

bool isOwnerCredFor(const Cred& c, const Uuid& device) {
    return c.credtype == credtype::kSymmetricPairwise && !c.subjectuuid.wildcard && c.subjectuuid.uuid == device;
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

}  // namespace

GatewayIdentity GatewayIdentity::openOrCreate(const std::filesystem::path& file) {
    DeviceIdSource ids;  // random ids are PSK-usable
    auto db = SvrDatabase::openOrCreate(file, DeviceProfile{}, ids);
    auto domainFile = file;
    domainFile += ".sdi";
    return GatewayIdentity(std::move(db), openOrCreateDomain(domainFile));
}

GatewayIdentity::GatewayIdentity(GatewayIdentity&& other) noexcept : db_(std::move(other.db_)), domain_(std::move(other.domain_)) {}

Uuid GatewayIdentity::id() const {
    const std::lock_guard lock(mutex_);
    return db_.resources().doxm.deviceuuid;
}

void GatewayIdentity::storeOwnerCredential(const Uuid& device, std::span<const std::uint8_t> psk) {
    const std::lock_guard lock(mutex_);
    db_.modify([&](SecurityResources& r) {
        auto& creds = r.cred.creds;
        std::erase_if(creds, [&](const Cred& c) { return isOwnerCredFor(c, device); });
        detail::IdAllocator ids;
        for (const auto& c : creds) ids.markUsed(c.credid.value_or(0));
        const auto next = ids.next();
        if (!next) throw SvrDbError("no free credid left in the gateway's store");
        Cred c;
        c.credid = *next;
        c.credtype = credtype::kSymmetricPairwise;
        c.subjectuuid = CredSubject{device, false};
        c.privatedata = EncodedData{{psk.begin(), psk.end()}, encoding::kRaw};
        creds.push_back(std::move(c));
    });
}

std::optional<SecretBytes> GatewayIdentity::ownerCredential(const Uuid& device) const {
    const std::lock_guard lock(mutex_);
    for (const auto& c : db_.resources().cred.creds) {
        if (isOwnerCredFor(c, device) && c.privatedata && !c.privatedata->data.empty()) {
            return SecretBytes(std::span<const std::uint8_t>(c.privatedata->data));
        }
    }
    return std::nullopt;
}

bool GatewayIdentity::removeOwnerCredential(const Uuid& device) {
    const std::lock_guard lock(mutex_);
    const auto& creds = db_.resources().cred.creds;
    if (std::none_of(creds.begin(), creds.end(), [&](const Cred& c) { return isOwnerCredFor(c, device); })) return false;
    db_.modify([&](SecurityResources& r) { std::erase_if(r.cred.creds, [&](const Cred& c) { return isOwnerCredFor(c, device); }); });
    return true;
}

std::vector<Uuid> GatewayIdentity::devicesWithCredentials() const {
    const std::lock_guard lock(mutex_);
    std::vector<Uuid> out;
    for (const auto& c : db_.resources().cred.creds) {
        if (c.credtype == credtype::kSymmetricPairwise && !c.subjectuuid.wildcard) out.push_back(c.subjectuuid.uuid);
    }
    return out;
}

}  // namespace steward::core
