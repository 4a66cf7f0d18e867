// The device's access rules. Order matters: the DOS state first (RFOTM is special), then the
// resource owner, then the ACEs.
#include "steward/device/access_policy.hpp"

#include <array>

namespace steward::core {
namespace {

AccessDecision grant() { return {true, CoapCode::Content, {}}; }

AccessDecision refuse(CoapCode code, std::string reason) { return {false, code, std::move(reason)}; }

const Uuid& rownerOf(const SecurityResources& svr, ResourceClass c) {
    static const Uuid nil;
    switch (c) {
        case ResourceClass::Doxm:
            return svr.doxm.rowneruuid;
        case ResourceClass::Pstat:
            return svr.pstat.rowneruuid;
        case ResourceClass::Cred:
            return svr.cred.rowneruuid;
        case ResourceClass::Acl2:
            return svr.acl.rowneruuid;
        // Until the owner names one, the device owner owns pconf and dpairing (IoTivity 1.2 creates
        // them without a resource owner).
        case ResourceClass::Pconf:
            return svr.pconf && !svr.pconf->rowneruuid.isNil() ? svr.pconf->rowneruuid : svr.doxm.devowneruuid;
        case ResourceClass::Dpairing:
            return svr.dpairing && !svr.dpairing->rowneruuid.isNil() ? svr.dpairing->rowneruuid : svr.doxm.devowneruuid;
        default:
            return nil;
    }
}

bool subjectMatches(const AceSubject& subject, const AccessRequest& request, ResourceClass c) {
    if (const auto* uuid = std::get_if<Uuid>(&subject)) return request.peer && *request.peer == *uuid;
    if (const auto* conn = std::get_if<ConnType>(&subject)) {
        // conntype ACEs never grant security resources.
        if (isSecurityResource(c)) return false;
        return *conn == ConnType::AnonClear ? !request.secure : request.secure;
    }
    return false;  // roles need role certificates, which Steward devices do not assert yet
}

bool aceGrants(const Acl2& acl, const AccessRequest& request, ResourceClass c) {
    const int needed = requiredPermission(request.method);
    for (const auto& ace : acl.aclist2) {
        if ((ace.permission & needed) == 0) continue;
        if (!subjectMatches(ace.subject, request, c)) continue;
        if (aceCoversResource(ace, request.path)) return true;
    }
    return false;
}

// Direct Pairing (ocf-security.md): while pairing is enabled, a client without credentials
// discovers pconf (the PIN is never returned) and asks to pair with a plain dpairing POST. Only
// in RFNOP: a device being provisioned does not pair.
bool pairingOpen(const SecurityResources& svr, const AccessRequest& request, ResourceClass c) {
    if (!svr.pconf || !svr.pconf->edp || svr.pstat.dos.state != DosState::Rfnop) return false;
    if (c == ResourceClass::Pconf) return request.method == CoapMethod::Get;
    if (c == ResourceClass::Dpairing) return request.method == CoapMethod::Post;
    return false;
}

AccessDecision checkRfotm(bool docOpen, const AccessRequest& request, ResourceClass c) {
    if (request.secure) {
        if (!request.ownershipSession) return refuse(CoapCode::Forbidden, "a DTLS peer other than the ownership session in RFOTM");
        if (c == ResourceClass::Application) return refuse(CoapCode::Forbidden, "application resources are served only in RFNOP");
        return grant();
    }
    if (docOpen) return refuse(CoapCode::Unauthorized, "unsecured request while an ownership session is open");
    const bool read = request.method == CoapMethod::Get;
    if (c == ResourceClass::Discovery && read) return grant();
    if (c == ResourceClass::Doxm && (read || request.method == CoapMethod::Post)) return grant();
    if (c == ResourceClass::Pstat && read) return grant();
    return refuse(CoapCode::Unauthorized, "only discovery, doxm and a pstat read are open before ownership");
}

}  // namespace

ResourceClass classifyResource(const std::string& path) {
    static const std::array<std::pair<const char*, ResourceClass>, 9> table{{
        {"/oic/res", ResourceClass::Discovery},
        {"/oic/d", ResourceClass::Discovery},
        {"/oic/p", ResourceClass::Discovery},
        {"/oic/sec/doxm", ResourceClass::Doxm},
        {"/oic/sec/pstat", ResourceClass::Pstat},
        {"/oic/sec/cred", ResourceClass::Cred},
        {"/oic/sec/acl2", ResourceClass::Acl2},
        {"/oic/sec/pconf", ResourceClass::Pconf},
        {"/oic/sec/dpairing", ResourceClass::Dpairing},
    }};
    for (const auto& [p, c] : table) {
        if (path == p) return c;
    }
    return ResourceClass::Application;
}

bool isSecurityResource(ResourceClass c) { return c != ResourceClass::Discovery && c != ResourceClass::Application; }

int requiredPermission(CoapMethod method) {
    switch (method) {
        case CoapMethod::Get:
            return permission::kRead;
        case CoapMethod::Post:
            return permission::kUpdate;
        case CoapMethod::Put:
            return permission::kCreate;
        case CoapMethod::Delete:
            return permission::kDelete;
    }
    return permission::kAll;
}

bool aceCoversResource(const Ace& ace, const std::string& path) {
    const ResourceClass c = classifyResource(path);
    const bool isPublic = c == ResourceClass::Discovery;
    for (const auto& r : ace.resources) {
        if (r.wc) {
            // Wildcards never reach the security resources (iotivity-lite's rule): a peer linked
            // with "*" must not reset the device or rewrite its credentials and ACEs. Only an ACE
            // naming one by href grants it.
            if (isSecurityResource(c)) continue;
            if (*r.wc == Wildcard::All) return true;
            if (*r.wc == Wildcard::Public && isPublic) return true;
            if (*r.wc == Wildcard::Secured && !isPublic) return true;
        } else if (normalisePath(r.href) == path) {
            return true;
        }
    }
    return false;
}

AccessDecision checkAccess(const SecurityResources& svr, bool docOpen, const AccessRequest& request) {
    const ResourceClass c = classifyResource(request.path);
    const DosState state = svr.pstat.dos.state;
    if (state == DosState::Rfotm || state == DosState::Reset) return checkRfotm(docOpen, request, c);

    // Owned. doxm is no longer readable anonymously (iotivity-lite refuses it too, and it names
    // the owner): owned devices are found through /oic/res and the owner's credential.
    if (isSecurityResource(c)) {
        if (!request.secure && pairingOpen(svr, request, c)) return grant();
        if (!request.secure) return refuse(CoapCode::Unauthorized, "security resources need a DTLS session once owned");
        const Uuid& rowner = rownerOf(svr, c);
        if (request.ownershipSession || (request.peer && !rowner.isNil() && *request.peer == rowner)) return grant();
        if (aceGrants(svr.acl, request, c)) return grant();
        return refuse(CoapCode::Forbidden, "not the resource owner and no ACE grants it");
    }
    if (c == ResourceClass::Application && state != DosState::Rfnop) {
        return refuse(request.secure ? CoapCode::Forbidden : CoapCode::Unauthorized, "application resources are served only in RFNOP");
    }
    if (request.secure && (request.ownershipSession || (request.peer && *request.peer == svr.doxm.devowneruuid)) &&
        c == ResourceClass::Discovery) {
        return grant();  // the owner may always read the device's description
    }
    if (aceGrants(svr.acl, request, c)) return grant();
    return request.secure ? refuse(CoapCode::Forbidden, "no ACE grants this peer")
                          : refuse(CoapCode::Unauthorized, "no ACE grants anonymous access");
}

}  // namespace steward::core
