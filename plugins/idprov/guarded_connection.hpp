#pragma once
// The IDProv server's TCP connections with the denial-of-service guards in front of Poco's HTTP
// handling (issue 20):
//  - AdmissionFilter runs in the acceptor thread, before a connection is queued for a handler:
//    ConnectionLimiter's caps per client address and in all; a connection over them is closed
//    at once (no TLS, no handler);
//  - a GuardedConnection arms the connection's deadline (ConnectionDeadlines) before the first
//    byte is read, so the lazy TLS handshake, the request line, headers and body all fall under
//    it, then serves one request with Poco's HTTPServerConnection (keep-alive is off: an idle
//    connection would hold a handler), and releases its count when done.
// The request handler disarms the deadline once it has read the body (disarmRequest()).
#include <functional>
#include <string>

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

#include "connection_deadlines.hpp"
#include "connection_limiter.hpp"

namespace steward::plugins::idprov {

class AdmissionFilter : public Poco::Net::TCPServerConnectionFilter {
public:
    AdmissionFilter(ConnectionLimiter& limiter, std::function<void(const std::string& peer)> onRefused)
        : limiter_(limiter), onRefused_(std::move(onRefused)) {}
    bool accept(const Poco::Net::StreamSocket& socket) override;

private:
    ConnectionLimiter& limiter_;
    std::function<void(const std::string&)> onRefused_;
};

class GuardedConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
public:
    GuardedConnectionFactory(ConnectionLimiter& limiter, ConnectionDeadlines& deadlines, std::chrono::milliseconds ioTimeout,
                             Poco::Net::HTTPServerParams::Ptr params, Poco::Net::HTTPRequestHandlerFactory::Ptr handlers)
        : limiter_(limiter), deadlines_(deadlines), ioTimeout_(ioTimeout), params_(std::move(params)), handlers_(std::move(handlers)) {}
    Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override;

private:
    ConnectionLimiter& limiter_;
    ConnectionDeadlines& deadlines_;
    std::chrono::milliseconds ioTimeout_;
    Poco::Net::HTTPServerParams::Ptr params_;
    Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
};

// The request is read: its connection's deadline no longer applies.
void disarmRequest(Poco::Net::HTTPServerRequest& request, ConnectionDeadlines& deadlines);

}  // namespace steward::plugins::idprov
