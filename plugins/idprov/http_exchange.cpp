#include "http_exchange.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/X509Certificate.h>
#include <openssl/x509.h>

#include <algorithm>
#include <sstream>
#include <vector>

namespace steward::plugins::idprov {

namespace {

// An oversize body is read and thrown away up to this much before the 413 is sent, so that the
// client, still sending, reads the answer instead of a connection reset. Beyond it the
// connection is closed at once (the 413 may then be lost; the sender was far out of bounds).
constexpr std::streamsize kDrainLimit = 1 << 20;

void drain(std::istream& in, std::streamsize budget) {
    char buffer[4096];
    while (budget > 0 && (in.read(buffer, std::min<std::streamsize>(sizeof buffer, budget)) || in.gcount() > 0)) {
        budget -= in.gcount();
    }
}

}  // namespace

std::string readBody(Poco::Net::HTTPServerRequest& request, std::size_t limit) {
    std::istream& in = request.stream();
    if (request.hasContentLength() && request.getContentLength64() > static_cast<Poco::Int64>(limit)) {
        if (request.getContentLength64() <= kDrainLimit) drain(in, kDrainLimit);
        throw BodyTooLarge{limit};
    }
    std::string body;
    char buffer[4096];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        body.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (body.size() > limit) {  // chunked bodies have no length up front
            drain(in, kDrainLimit);
            throw BodyTooLarge{limit};
        }
    }
    return body;
}

void sendJson(Poco::Net::HTTPServerResponse& response, int status, const std::string& json) {
    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    response.setContentType("application/json");
    response.setContentLength(static_cast<std::streamsize>(json.size()));
    response.set("Cache-Control", "no-store");
    response.send() << json;
}

void sendError(Poco::Net::HTTPServerResponse& response, int status, const std::string& message) {
    Poco::JSON::Object o;
    o.set("error", message);
    std::ostringstream out;
    o.stringify(out);
    sendJson(response, status, out.str());
}

std::optional<core::Certificate> clientCertificate(Poco::Net::HTTPServerRequest& request) {
    auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
    if (impl == nullptr) return std::nullopt;
    Poco::Net::SecureStreamSocket socket(impl->socket());
    if (!socket.havePeerCertificate()) return std::nullopt;
    const Poco::Net::X509Certificate presented = socket.peerCertificate();
    X509* x509 = const_cast<X509*>(presented.certificate());
    const int length = i2d_X509(x509, nullptr);
    if (length <= 0) return std::nullopt;
    std::vector<std::uint8_t> der(static_cast<std::size_t>(length));
    unsigned char* out = der.data();
    i2d_X509(x509, &out);
    return core::Certificate::parse(der, "client certificate");
}

}  // namespace steward::plugins::idprov
