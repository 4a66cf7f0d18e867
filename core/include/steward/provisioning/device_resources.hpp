#pragma once
// An owned device's application resources (a light's /a/light, a thermometer's /temperature, ...),
// listed, read and written over the gateway's owner session. `steward get/set` in local mode,
// stewardd's resource/get and resource/set requests and its Home Assistant bridge all run on this.
//
// The security resources (/oic/sec/*) and the discovery ones (/oic/res, /oic/d, /oic/p) are not
// written here: they have commands of their own, which keep the device's DOS state and the PDM in
// step. What the gateway may do with a resource is what the device's ACEs grant it (its UUID, or
// auth-crypt sessions): the device enforces them; they are read here so that nothing is offered
// that the device would refuse.
//
// Threading: a DeviceResourceSession is used by one thread at a time (as an OwnerSession).
#include <chrono>
#include <string>
#include <vector>

#include "steward/cbor/cbor_value.hpp"
#include "steward/model/acl2.hpp"
#include "steward/provisioning/owner_session.hpp"

namespace steward::core {

struct ResourceLink {
    std::string href;
    std::vector<std::string> types;       // rt
    std::vector<std::string> interfaces;  // if
    bool observable = false;              // p.bm bit 2
};

// The links of an /oic/res answer: an array of links (oic.if.ll), or the baseline form with a
// "links" array. Links without an href are skipped. Throws DecodeError for anything else.
std::vector<ResourceLink> parseResourceLinks(const CborValue& res);

// Whether `href` is an application resource (not /oic/..., not /oic/sec/...).
bool isApplicationResource(const std::string& href);

// The CRUDN bits the ACEs of `acl` grant a gateway `gateway` (subject its UUID, or conntype
// auth-crypt: its sessions are authenticated and encrypted) on `href`.
int grantedTo(const Acl2& acl, const Uuid& gateway, const std::string& href);

struct OfferedResource {
    ResourceLink link;
    int permission = 0;  // what the device's ACEs grant the gateway on it
};

class DeviceResourceSession {
public:
    // Opens the owner session; throws ProvisioningError (NoCredential, Unreachable, NotOurs).
    DeviceResourceSession(CoapEndpoint& endpoint, const GatewayIdentity& identity, const Uuid& device, const PeerAddress& at,
                          std::chrono::milliseconds timeout);

    const Uuid& device() const { return session_.device(); }

    // The application resources the device lists in /oic/res, each with what the gateway may do.
    std::vector<OfferedResource> applicationResources();
    // GET `href`: its CBOR body. Throws std::invalid_argument for a path that is not an
    // application resource, ProvisioningError (Refused with the device's code, Unreachable,
    // Malformed: not CBOR).
    CborValue read(const std::string& href);
    // POST `body` (a CBOR map of the properties to change) to `href`. Errors as read().
    void write(const std::string& href, const CborValue& body);

private:
    OwnerSession session_;
    Uuid gateway_;
};

}  // namespace steward::core
