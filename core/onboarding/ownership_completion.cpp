// Finishing an interrupted ownership transfer over the owner credential.
#include "steward/onboarding/ownership_completion.hpp"

#include "steward/model/resource_codec.hpp"

namespace steward::core {

CborValue ownershipAclist(const Uuid& gatewayId, const std::vector<Ace>& gatewayAces) {
    Acl2 acl;
    acl.aclist2 = gatewayAces;
    if (acl.aclist2.empty()) {
        Ace gateway;
        gateway.subject = gatewayId;
        AceResource all;
        all.wc = Wildcard::All;
        gateway.resources = {all};
        gateway.permission = permission::kAll;
        acl.aclist2.push_back(gateway);
    }
    Ace discovery;  // anonymous reads of the discovery resources, so the device stays findable
    discovery.subject = ConnType::AnonClear;
    for (const char* href : {"/oic/res", "/oic/d", "/oic/p"}) {
        AceResource r;
        r.href = href;
        discovery.resources.push_back(r);
    }
    discovery.permission = permission::kRead;
    acl.aclist2.push_back(discovery);
    int id = 1;
    for (auto& ace : acl.aclist2) ace.aceid = id++;
    const CborValue full = acl2ToCbor(acl);
    return *full.find("aclist2");
}

Completion completeOwnership(CoapEndpoint& endpoint, const Session& session, const Uuid& gatewayId, const std::vector<Ace>& gatewayAces,
                             std::chrono::milliseconds stepTimeout) {
    auto step = [&](const std::string& name, const CoapRequest& request) -> std::optional<std::string> {
        auto answer = endpoint.request(session, request, stepTimeout);
        if (!answer) return name + ": " + answer.error().message;
        if (!answer.value().code.isSuccess()) return name + ": the device answered " + answer.value().code.toString();
        return std::nullopt;
    };
    auto pstat = endpoint.request(session, CoapRequest::get("/oic/sec/pstat"), stepTimeout);
    if (!pstat) return {CompletionResult::Failed, "GET /oic/sec/pstat: " + pstat.error().message};
    DosState state = DosState::Reset;
    try {
        state = decodePstat(pstat.value().payload).dos.state;
    } catch (const DecodeError& e) {
        return {CompletionResult::Failed, std::string("GET /oic/sec/pstat: malformed answer: ") + e.what()};
    }
    if (state == DosState::Rfnop) return {CompletionResult::AlreadyComplete, ""};
    auto map = [](std::vector<CborValue::Pair> entries) { return encodeCbor(CborValue::map(std::move(entries))); };
    const auto dos = [&](std::uint64_t s) {
        return map({{CborValue::text("dos"), CborValue::map({{CborValue::text("s"), CborValue::unsignedInt(s)}})}});
    };
    // ACL writes are taken in RFPRO (a device left in SRESET goes there first).
    if (state != DosState::Rfpro) {
        if (auto problem = step("POST /oic/sec/pstat {dos:RFPRO}", CoapRequest::post("/oic/sec/pstat", dos(2)))) {
            return {CompletionResult::Failed, *problem};
        }
    }
    for (const auto& [name, request] : std::vector<std::pair<std::string, CoapRequest>>{
             {"DELETE /oic/sec/acl2", CoapRequest::del("/oic/sec/acl2")},
             {"POST /oic/sec/acl2 {gateway ACEs}",
              CoapRequest::post("/oic/sec/acl2", map({{CborValue::text("aclist2"), ownershipAclist(gatewayId, gatewayAces)}}))},
             {"POST /oic/sec/pstat {dos:RFNOP}", CoapRequest::post("/oic/sec/pstat", dos(3))},
         }) {
        if (auto problem = step(name, request)) return {CompletionResult::Failed, *problem};
    }
    return {CompletionResult::Completed, ""};
}

}  // namespace steward::core
