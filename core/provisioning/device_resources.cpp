#include "steward/provisioning/device_resources.hpp"

#include <algorithm>
#include <stdexcept>

#include "steward/cbor/decode_error.hpp"
#include "steward/device/access_policy.hpp"

namespace steward::core {
namespace {

std::vector<std::string> textItems(const CborValue* value) {
    std::vector<std::string> out;
    if (value == nullptr) return out;
    if (value->type() == CborValue::Type::Text) return {value->textValue()};
    if (value->type() != CborValue::Type::Array) return out;
    for (const auto& item : value->items()) {
        if (item.type() == CborValue::Type::Text) out.push_back(item.textValue());
    }
    return out;
}

const CborValue* member(const CborValue& map, const std::string& key) {
    if (map.type() != CborValue::Type::Map) return nullptr;
    for (const auto& [k, v] : map.entries()) {
        if (k.type() == CborValue::Type::Text && k.textValue() == key) return &v;
    }
    return nullptr;
}

bool observableBit(const CborValue& link) {
    const auto* policy = member(link, "p");
    const auto* bm = policy == nullptr ? nullptr : member(*policy, "bm");
    return bm != nullptr && bm->type() == CborValue::Type::Unsigned && (bm->integerArgument() & 2U) != 0;
}

void requireApplication(const std::string& href) {
    if (!isApplicationResource(href)) {
        throw std::invalid_argument("'" + href +
                                    "' is not an application resource: discovery and security resources have commands of their own");
    }
}

bool subjectIsGateway(const AceSubject& subject, const Uuid& gateway) {
    if (const auto* uuid = std::get_if<Uuid>(&subject)) return *uuid == gateway;
    if (const auto* conn = std::get_if<ConnType>(&subject)) return *conn == ConnType::AuthCrypt;
    return false;  // roles: the gateway asserts none
}

}  // namespace

std::vector<ResourceLink> parseResourceLinks(const CborValue& res) {
    const CborValue* links = &res;
    if (res.type() == CborValue::Type::Map) {
        links = member(res, "links");
        if (links == nullptr) throw DecodeError(DecodeErrorKind::MissingProperty, "links", "/oic/res: a map without links");
    }
    if (links->type() != CborValue::Type::Array) throw DecodeError(DecodeErrorKind::WrongType, "links", "/oic/res: not an array of links");
    std::vector<ResourceLink> out;
    for (const auto& link : links->items()) {
        const auto* href = member(link, "href");
        if (href == nullptr || href->type() != CborValue::Type::Text || href->textValue().empty()) continue;
        out.push_back({href->textValue(), textItems(member(link, "rt")), textItems(member(link, "if")), observableBit(link)});
    }
    return out;
}

bool isApplicationResource(const std::string& href) {
    return !href.empty() && href.front() == '/' && href != "/oic" && href.rfind("/oic/", 0) != 0;
}

int grantedTo(const Acl2& acl, const Uuid& gateway, const std::string& href) {
    int bits = 0;
    for (const auto& ace : acl.aclist2) {
        if (subjectIsGateway(ace.subject, gateway) && aceCoversResource(ace, href)) bits |= ace.permission;
    }
    return bits;
}

DeviceResourceSession::DeviceResourceSession(CoapEndpoint& endpoint, const GatewayIdentity& identity, const Uuid& device,
                                             const PeerAddress& at, std::chrono::milliseconds timeout)
    : session_(endpoint, identity, device, at, timeout), gateway_(identity.id()) {}

std::vector<OfferedResource> DeviceResourceSession::applicationResources() {
    const auto answer = session_.get("/oic/res");
    std::vector<ResourceLink> links;
    try {
        links = parseResourceLinks(parseCbor(answer.payload, "/oic/res"));
    } catch (const DecodeError& e) {
        throw ProvisioningError(ProvisioningError::Kind::Malformed, device().toString() + ": /oic/res: " + e.what());
    }
    const auto acl = session_.readAcl();
    std::vector<OfferedResource> out;
    for (auto& link : links) {
        if (!isApplicationResource(link.href)) continue;
        const int bits = grantedTo(acl, gateway_, link.href);
        out.push_back({std::move(link), bits});
    }
    return out;
}

CborValue DeviceResourceSession::read(const std::string& href) {
    requireApplication(href);
    const auto answer = session_.get(href);
    try {
        return parseCbor(answer.payload, href);
    } catch (const DecodeError& e) {
        throw ProvisioningError(ProvisioningError::Kind::Malformed, device().toString() + ": GET " + href + ": " + e.what());
    }
}

void DeviceResourceSession::write(const std::string& href, const CborValue& body) {
    requireApplication(href);
    if (body.type() != CborValue::Type::Map) throw std::invalid_argument("the new value of " + href + " must be an object of properties");
    session_.post(href, body);
}

}  // namespace steward::core
