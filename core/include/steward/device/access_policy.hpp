#pragma once
// Who may do what on a device, by its DOS state, its ACEs and the session a request came on
// (ocf-security.md, "What a device allows"). A pure function of the device's state, so that the
// rules are tested on their own and the device program only wires requests to it.
#include <optional>
#include <string>

#include "steward/model/security_resources.hpp"
#include "steward/transport/coap_message.hpp"

namespace steward::core {

enum class ResourceClass {
    Discovery,  // /oic/res, /oic/d, /oic/p: public, anonymous reads where an anon-clear ACE allows
    Doxm,
    Pstat,
    Cred,
    Acl2,
    Pconf,
    Dpairing,
    Application,  // everything else, e.g. /a/light
};

// The class of a path on a device ("/oic/sec/doxm" -> Doxm; unknown paths are Application).
ResourceClass classifyResource(const std::string& path);
bool isSecurityResource(ResourceClass c);

struct AccessRequest {
    CoapMethod method = CoapMethod::Get;
    std::string path;               // normalised, e.g. "/a/light"
    bool secure = false;            // arrived over DTLS
    bool ownershipSession = false;  // arrived on the device's ownership-transfer session (DOC)
    std::optional<Uuid> peer;       // authenticated peer UUID (DTLS identity matched a credential)
};

struct AccessDecision {
    bool granted = false;
    CoapCode refusal = CoapCode::Forbidden;  // 4.01 when a secure session could help, else 4.03
    std::string reason;                      // for the device's log line
};

// `docOpen`: an ownership session is currently established on the device.
AccessDecision checkAccess(const SecurityResources& svr, bool docOpen, const AccessRequest& request);

// The CRUDN bit a method needs: GET R, POST U, PUT C, DELETE D.
int requiredPermission(CoapMethod method);

// True when `ace` names `path` (href, or a wildcard: "*" all, "+" non-public, "-" public).
// Wildcards never cover the security resources (/oic/sec/*): only their href does.
bool aceCoversResource(const Ace& ace, const std::string& path);

}  // namespace steward::core
