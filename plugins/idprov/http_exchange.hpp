#pragma once
// HTTP plumbing for the IDProv handlers: reading a bounded request body, writing JSON answers,
// and the client certificate of the TLS connection a request came on.
#include <optional>
#include <string>

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "steward/crypto/x509.hpp"

namespace steward::plugins::idprov {

// Thrown by readBody when the body exceeds the limit (answered 413).
struct BodyTooLarge {
    std::size_t limit;
};

// The whole body, at most `limit` bytes (a Content-Length above it is refused before reading).
std::string readBody(Poco::Net::HTTPServerRequest& request, std::size_t limit);

void sendJson(Poco::Net::HTTPServerResponse& response, int status, const std::string& json);
// {"error": message}
void sendError(Poco::Net::HTTPServerResponse& response, int status, const std::string& message);

std::optional<core::Certificate> clientCertificate(Poco::Net::HTTPServerRequest& request);

}  // namespace steward::plugins::idprov
