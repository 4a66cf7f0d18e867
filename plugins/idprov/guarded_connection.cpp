#include "guarded_connection.hpp"

#include <Poco/Net/HTTPServerConnection.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServerConnection.h>

#include "client_address.hpp"

namespace steward::plugins::idprov {

namespace {

class GuardedConnection : public Poco::Net::TCPServerConnection {
public:
    GuardedConnection(const Poco::Net::StreamSocket& socket, ConnectionLimiter& limiter, ConnectionDeadlines& deadlines,
                      std::chrono::milliseconds ioTimeout, Poco::Net::HTTPServerParams::Ptr params,
                      Poco::Net::HTTPRequestHandlerFactory::Ptr handlers)
        : TCPServerConnection(socket),
          limiter_(limiter),
          deadlines_(deadlines),
          ioTimeout_(ioTimeout),
          params_(std::move(params)),
          handlers_(std::move(handlers)) {}

    ~GuardedConnection() override { limiter_.release(socket().impl()); }

    void run() override {
        Poco::Net::SocketImpl* impl = socket().impl();
        std::string peer = "?";
        try {
            peer = socket().peerAddress().toString();
        } catch (const Poco::Exception&) {
            return;  // gone already
        }
        deadlines_.arm(impl, impl->sockfd(), peer);
        try {
            const Poco::Timespan timeout(std::chrono::duration_cast<std::chrono::microseconds>(ioTimeout_).count());
            socket().setReceiveTimeout(timeout);
            socket().setSendTimeout(timeout);  // an answer the client does not read
            Poco::Net::HTTPServerConnection http(socket(), params_, handlers_);
            http.run();
        } catch (...) {
            // A connection cut at its deadline, a failed handshake, a reset: nothing to answer.
        }
        deadlines_.disarm(impl);  // before the socket is closed (the watchdog must not touch a reused fd)
    }

private:
    ConnectionLimiter& limiter_;
    ConnectionDeadlines& deadlines_;
    std::chrono::milliseconds ioTimeout_;
    Poco::Net::HTTPServerParams::Ptr params_;
    Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
};

}  // namespace

bool AdmissionFilter::accept(const Poco::Net::StreamSocket& socket) {
    std::string host;
    try {
        host = hostOf(socket.peerAddress().toString());
    } catch (const Poco::Exception&) {
        return false;  // reset before we looked
    }
    if (limiter_.admit(socket.impl(), host)) return true;
    if (onRefused_) onRefused_(host);
    return false;
}

Poco::Net::TCPServerConnection* GuardedConnectionFactory::createConnection(const Poco::Net::StreamSocket& socket) {
    return new GuardedConnection(socket, limiter_, deadlines_, ioTimeout_, params_, handlers_);
}

void disarmRequest(Poco::Net::HTTPServerRequest& request, ConnectionDeadlines& deadlines) {
    if (auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request)) deadlines.disarm(impl->socket().impl());
}

}  // namespace steward::plugins::idprov
