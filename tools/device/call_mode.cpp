#include "call_mode.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include "pairwise_psk.hpp"
#include "steward/cbor/decode_error.hpp"
#include "steward/device/device_certificates.hpp"
#include "steward/model/payload_json.hpp"
#include "steward/svr/svr_database.hpp"
#include "steward/transport/transport_log.hpp"

namespace steward::tools {
namespace {

constexpr int kExitAnswered = 0;
constexpr int kExitFailed = 1;
constexpr int kExitRefused = 3;
constexpr std::uint16_t kContentFormatTextPlain = 0;

std::string addressText(const core::PeerAddress& p) {
    return (p.host.find(':') != std::string::npos ? "[" + p.host + "]" : p.host) + ":" + std::to_string(p.port);
}

// Why openSession failed, in the user's terms.
std::string handshakeFailure(const core::TransportError& e, const PairwiseLookupOutcome& outcome, const core::PeerAddress& peer,
                             const core::Uuid& self) {
    if (!outcome.refusal().empty()) return outcome.refusal();
    const auto where = addressText(peer);
    switch (e.code) {
        case core::TransportErrorCode::HandshakeFailed:
            return "DTLS handshake with " + (outcome.peer() ? outcome.peer()->toString() + " at " : std::string()) + where +
                   " failed: our key for it is wrong, or it holds no credential for us (" + self.toString() + ")";
        case core::TransportErrorCode::ConnectionRefused:
            return "nothing answers DTLS at " + where + " (connection refused)";
        case core::TransportErrorCode::Timeout:
            return "no DTLS answer from " + where + " in time";
        default:
            return "DTLS session with " + where + " failed: " + e.message;
    }
}

core::CoapRequest buildRequest(const CallOptions& call) {
    auto request = call.method == core::CoapMethod::Post
                       ? core::CoapRequest::post(call.path, call.payload ? core::encodeCbor(*call.payload) : std::vector<std::uint8_t>{})
                       : core::CoapRequest::get(call.path);
    request.query = call.query;
    return request;
}

// The answer's payload as JSON: CBOR decoded, a text/plain diagnostic as a string, nothing as null.
Poco::Dynamic::Var payloadJson(const core::CoapResponse& response, std::string& problem) {
    if (response.payload.empty()) return Poco::Dynamic::Var();
    if (response.contentFormat == kContentFormatTextPlain) return std::string(response.payload.begin(), response.payload.end());
    try {
        return core::cborToJson(core::parseCbor(response.payload, "payload"));
    } catch (const core::DecodeError& e) {
        problem = std::to_string(response.payload.size()) + " bytes of payload that are not CBOR (" + e.what() + ")";
        return Poco::Dynamic::Var();
    }
}

void printAnswer(const core::CoapResponse& response, bool json, std::ostream& out, std::ostream& err) {
    std::string problem;
    const auto payload = payloadJson(response, problem);
    if (json) {
        Poco::JSON::Object answer(Poco::JSON_PRESERVE_KEY_ORDER);
        answer.set("code", response.code.toString());
        answer.set("payload", payload);
        if (!problem.empty()) answer.set("payload_error", problem);
        answer.stringify(out);
        out << '\n';
    } else {
        out << response.code.describe() << '\n';
        if (!payload.isEmpty()) {
            Poco::JSON::Stringifier::stringify(payload, out, 2);
            out << '\n';
        }
    }
    if (!problem.empty()) err << "steward-device: " << problem << '\n';
}

}  // namespace

int runCall(const std::string& svrdbFile, const CallOptions& call, bool json, std::ostream& out, std::ostream& err) {
    const auto fail = [&](const std::string& message) {
        err << "steward-device: " << message << '\n';
        return kExitFailed;
    };
    core::SecurityResources svr;
    try {
        svr = core::SvrDatabase::open(svrdbFile, core::SvrAccess::ReadOnly).resources();
    } catch (const core::SvrDbError& e) {
        return fail(e.what());
    }
    const core::Uuid self = svr.doxm.deviceuuid;
    if (!self.isPskUsable()) return fail("this device's UUID " + self.toString() + " contains a 0x00 byte and cannot be a PSK identity");

    // A refused handshake is explained below in the user's terms; the library's own lines about
    // it (alerts, "psk identity not found") are for --verbose.
    if (!call.verbose) core::setTransportLogLevel(core::TransportLogLevel::Error);
    core::EndpointOptions options;
    options.udpPort = std::nullopt;  // a client only: no listeners
    core::CoapEndpoint endpoint(options);
    const auto outcome = std::make_shared<PairwiseLookupOutcome>();
    core::TransportResult<core::Session> session = core::TransportError{};
    if (call.certificate) {
        auto pki = core::deviceCertificateCredentials(svr.cred, self);
        if (!pki) return fail("this device holds no certificate and trust anchor (credusage cert and trustca) to call with");
        session = endpoint.openSession(call.peer, *pki, call.timeout);
        if (!session) return fail("certificate session with " + addressText(call.peer) + " failed: " + session.error().message);
        if (call.verbose) err << "steward-device: the peer's certificate names " << session.value().info().peerCertificateCn << '\n';
    } else {
        session = endpoint.openSession(call.peer, pairwiseClientPsk(self, svr.cred, outcome), call.timeout);
        if (!session) return fail(handshakeFailure(session.error(), *outcome, call.peer, self));
    }

    const auto request = buildRequest(call);
    auto answer = endpoint.request(session.value(), request, call.timeout);
    endpoint.closeSession(session.value());
    if (!answer) {
        return fail(std::string(core::toString(request.method)) + " " + call.path + " on " + addressText(call.peer) +
                    " failed: " + std::string(core::toString(answer.error().code)) + ": " + answer.error().message);
    }
    const auto& response = answer.value();
    printAnswer(response, json, out, err);
    if (response.code.isSuccess()) return kExitAnswered;
    const std::string refused = std::string(core::toString(request.method)) + " " + call.path + " answered " + response.code.describe();
    if (response.code.isClientError()) {
        err << "steward-device: " << refused << '\n';
        return kExitRefused;
    }
    return fail(refused);
}

}  // namespace steward::tools
