#pragma once
// One HTTP request to the IDProv API, routed by method and path:
//   GET  /idprov/directory           anyone
//   GET  /idprov/status/{deviceID}   anyone (the certificate itself only to the device or an admin)
//   POST /idprov/oobsecret           admin or plugin client certificate
//   POST /idprov/provreq             the device (OOB hash, or its certificate for renewal)
// Every answer is JSON; every refusal says why.
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>

namespace steward::plugins::idprov {

class IdprovService;

inline constexpr const char* kPathPrefix = "/idprov/";

class IdprovRequestHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit IdprovRequestHandler(IdprovService& service) : service_(service) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

private:
    void directory(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);
    void status(const std::string& deviceId, Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);
    void postOob(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);
    void provisionRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

    IdprovService& service_;
};

class IdprovRequestHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit IdprovRequestHandlerFactory(IdprovService& service) : service_(service) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new IdprovRequestHandler(service_);
    }

private:
    IdprovService& service_;
};

}  // namespace steward::plugins::idprov
