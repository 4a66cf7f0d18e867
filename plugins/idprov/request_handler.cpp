#include "request_handler.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "guarded_connection.hpp"
#include "http_exchange.hpp"
#include "idprov_service.hpp"
#include "peer_identity.hpp"
#include "steward/idprov/idprov_error.hpp"
#include "steward/idprov/messages.hpp"
#include "steward/idprov/oob_hash.hpp"
#include "steward/idprov/oob_hash_policy.hpp"

namespace steward::plugins::idprov {

namespace proto = steward::idprov;
using Poco::Net::HTTPRequest;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

namespace {

// The Host header names how the client reached us (an address DNS-SD gave it, a name); the
// directory's URLs use it so they work from the client's side. Anything odd falls back.
std::string baseUrl(const HTTPServerRequest& request, std::uint16_t port) {
    const std::string host = request.getHost();
    const bool plain = !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '%';
    });
    return "https://" + (plain ? host : "127.0.0.1:" + std::to_string(port));
}

}  // namespace

void IdprovRequestHandler::handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) {
    const std::string peer = request.clientAddress().toString();
    try {
        if (!service_.limiter().allow(request.clientAddress().host().toString())) {
            service_.log("idprov: " + peer + " is over its request budget; refused");
            response.set("Retry-After", "60");
            sendError(response, 429, "too many requests from this address; retry later");
            return;
        }
        const std::string path = Poco::URI(request.getURI()).getPath();
        // Headers are in; a body is read under the connection's deadline, then disarmed.
        if (request.getMethod() != HTTPRequest::HTTP_POST) disarmRequest(request, service_.deadlines());
        const std::string prefix = kPathPrefix;
        const bool get = request.getMethod() == HTTPRequest::HTTP_GET;
        const bool post = request.getMethod() == HTTPRequest::HTTP_POST;
        if (path == prefix + "directory") {
            if (!get) return sendError(response, 405, "directory: use GET");
            return directory(request, response);
        }
        if (path.rfind(prefix + "status/", 0) == 0) {
            if (!get) return sendError(response, 405, "status: use GET");
            return status(path.substr(prefix.size() + 7), request, response);
        }
        if (path == prefix + "oobsecret") {
            if (!post) return sendError(response, 405, "oobsecret: use POST");
            return postOob(request, response);
        }
        if (path == prefix + "provreq") {
            if (!post) return sendError(response, 405, "provreq: use POST");
            return provisionRequest(request, response);
        }
        sendError(response, 404, "no such IDProv endpoint: " + path);
    } catch (const BodyTooLarge& e) {
        service_.log("idprov: " + peer + " sent a body over " + std::to_string(e.limit) + " bytes; refused");
        response.setKeepAlive(false);  // the rest of the body is not read
        sendError(response, 413, "request body larger than " + std::to_string(e.limit) + " bytes");
    } catch (const std::exception& e) {
        service_.log(std::string("idprov: request from ") + peer + " failed: " + e.what());
        if (!response.sent()) sendError(response, 500, "internal error");
    }
}

void IdprovRequestHandler::directory(HTTPServerRequest& request, HTTPServerResponse& response) {
    const std::string base = baseUrl(request, service_.port()) + kPathPrefix;
    proto::Directory d;
    d.endpoints[std::string(proto::endpoint::kDirectory)] = base + "directory";
    d.endpoints[std::string(proto::endpoint::kStatus)] = base + "status/{deviceID}";
    d.endpoints[std::string(proto::endpoint::kPostOob)] = base + "oobsecret";
    d.endpoints[std::string(proto::endpoint::kPostProvisionRequest)] = base + "provreq";
    for (const auto& name : service_.settings().hashAlgorithms) {
        if (auto a = proto::parseAlgorithm(name)) {
            d.oobsHashAlg.emplace_back(proto::algorithmName(*a));
            // The only cost accepted: the client hashes with it (oob_hash_policy.hpp).
            d.oobsHashParams[std::string(proto::algorithmName(*a))] = proto::costParameters(*a, acceptedHashCost(service_.settings()));
        }
    }
    d.caCert = service_.ca().chainPem();
    sendJson(response, 200, proto::toJson(d));
}

void IdprovRequestHandler::status(const std::string& deviceId, HTTPServerRequest& request, HTTPServerResponse& response) {
    if (const std::string problem = proto::deviceIdProblem(deviceId); !problem.empty()) {
        return sendError(response, 400, "status: deviceID " + problem);
    }
    const PeerIdentity peer = identifyPeer(clientCertificate(request), service_.ca());
    sendJson(response, 200, proto::toJson(service_.enroller().status(deviceId, peer)));
}

void IdprovRequestHandler::postOob(HTTPServerRequest& request, HTTPServerResponse& response) {
    const PeerIdentity peer = identifyPeer(clientCertificate(request), service_.ca());
    const std::string from = request.clientAddress().toString();
    if (peer.role != PeerRole::Admin && peer.role != PeerRole::Plugin) {
        const std::string why = peer.role == PeerRole::Untrusted ? peer.problem : describe(peer) + " may not post secrets";
        service_.log("idprov: oobsecret from " + from + " refused: " + why);
        return sendError(response, 403, "oobsecret needs an admin or plugin client certificate from the gateway CA (" + why + ")");
    }
    proto::OobSecretPost post;
    try {
        const std::string body = readBody(request, service_.settings().maxBodyBytes);
        disarmRequest(request, service_.deadlines());
        post = proto::parseOobSecretPost(body);
    } catch (const proto::IdprovError& e) {
        return sendError(response, 400, e.what());
    }
    const core::OobSecretResult result = service_.addOobSecret(post.deviceId, post.oobSecret, post.validUntil);
    if (!result.ok) return sendError(response, 400, result.error);
    service_.log("idprov: " + describe(peer) + " from " + from + " stored the out-of-band secret of '" + post.deviceId + "'");
    Poco::JSON::Object o;
    o.set("deviceID", post.deviceId);
    o.set("validUntil", result.validUntil);
    std::ostringstream out;
    o.stringify(out);
    sendJson(response, 200, out.str());
}

void IdprovRequestHandler::provisionRequest(HTTPServerRequest& request, HTTPServerResponse& response) {
    const std::string from = request.clientAddress().toString();
    proto::ProvisionRequest provreq;
    try {
        const std::string body = readBody(request, service_.settings().maxBodyBytes);
        disarmRequest(request, service_.deadlines());
        provreq = proto::parseProvisionRequest(body);
    } catch (const proto::IdprovError& e) {
        service_.log("idprov: provreq from " + from + " refused: " + e.what());
        proto::ProvisionResponse bad;
        bad.status = proto::ProvisionStatus::Rejected;
        bad.message = e.what();
        return sendJson(response, 400, proto::toJson(bad));
    }
    const PeerIdentity peer = identifyPeer(clientCertificate(request), service_.ca());
    Decision decision;
    const auto refuse = [&](const std::string& why) {
        service_.log("idprov: provreq for '" + provreq.deviceId + "' from " + from + " refused: " + why);
        proto::ProvisionResponse bad;
        bad.deviceId = provreq.deviceId;
        bad.status = proto::ProvisionStatus::Rejected;
        bad.message = why;
        sendJson(response, 400, proto::toJson(bad));
    };
    try {
        decision = service_.enroller().provision(provreq, peer, from);
    } catch (const proto::IdprovError& e) {  // an unusable public key
        return refuse(e.what());
    } catch (const core::CryptoError& e) {  // a key type the CA does not certify
        return refuse(e.what());
    }
    if (decision.hasEvent) service_.emit(decision.event);
    if ((decision.httpStatus == 429 || decision.httpStatus == 503) && decision.response.retrySec > 0) {
        response.set("Retry-After", std::to_string(decision.response.retrySec));
    }
    sendJson(response, decision.httpStatus, proto::toJson(decision.response));
}

}  // namespace steward::plugins::idprov
