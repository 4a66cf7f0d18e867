#include "steward/idprov/idprov_client.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/DatagramSocket.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/NetworkInterface.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/URI.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <vector>

#include "steward/idprov/idprov_error.hpp"
#include "steward/idprov/oob_hash_policy.hpp"

namespace steward::idprov {
namespace {

std::span<const std::uint8_t> bytesOf(std::string_view text) { return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}; }

void initializeSslOnce() {
    static std::once_flag once;
    std::call_once(once, [] { Poco::Net::initializeSSL(); });
}

// --- TLS contexts --------------------------------------------------------------------------------

// Why the last handshake's verification failed on this thread (set by the verify callback, which
// OpenSSL runs on the thread doing the handshake): Poco's exception only says "certificate verify
// failed".
thread_local std::string lastVerifyProblem;
// The OU the server's certificate must carry ("" = any), for the handshake on this thread.
thread_local std::string expectedServerUnit;
constexpr const char* kNotServerCertificate =
    "the server's certificate is not a TLS server certificate (extendedKeyUsage serverAuth required)";

// Replaces Poco's verify callback (which would route failures through SSLManager's certificate
// handlers): OpenSSL's chain verdict against our store, then, for the server's own certificate,
// that it is a TLS server certificate. Devices' certificates (clientAuth only) are thereby refused
// even though they chain to the same CA; OpenSSL's default "ssl_server" purpose check alone would
// accept a certificate without any extendedKeyUsage.
int verifyServerCertificate(int preverifyOk, X509_STORE_CTX* store) {
    if (preverifyOk != 1) {
        const int err = X509_STORE_CTX_get_error(store);
        const int depth = X509_STORE_CTX_get_error_depth(store);
        lastVerifyProblem = err == X509_V_ERR_INVALID_PURPOSE && depth == 0
                                ? kNotServerCertificate
                                : std::string(X509_verify_cert_error_string(err)) + " (at depth " + std::to_string(depth) + ")";
        return 0;
    }
    if (X509_STORE_CTX_get_error_depth(store) != 0) return 1;
    X509* leaf = X509_STORE_CTX_get_current_cert(store);
    const bool serverAuth = leaf != nullptr && (X509_get_extension_flags(leaf) & EXFLAG_XKUSAGE) != 0 &&
                            (X509_get_extended_key_usage(leaf) & XKU_SSL_SERVER) != 0;
    if (!serverAuth) {
        lastVerifyProblem = kNotServerCertificate;
        X509_STORE_CTX_set_error(store, X509_V_ERR_INVALID_PURPOSE);
        return 0;
    }
    // The gateway CA also certifies OCF devices for serverAuth (they are DTLS servers too): the
    // role in the OU tells the provisioning server apart from a device that poses as one.
    if (!expectedServerUnit.empty()) {
        const X509_NAME* subject = X509_get_subject_name(leaf);
        const int index = X509_NAME_get_index_by_NID(subject, NID_organizationalUnitName, -1);
        std::string unit;
        if (index >= 0) {
            const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
            unit.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)), static_cast<std::size_t>(ASN1_STRING_length(data)));
        }
        if (unit != expectedServerUnit) {
            lastVerifyProblem =
                "the server's certificate has OU '" + unit + "', not '" + expectedServerUnit + "': not the provisioning server";
            X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
            return 0;
        }
    }
    return 1;
}

// How a call trusts the server, and which certificate (if any) it shows.
struct Trust {
    std::vector<core::Certificate> anchors;  // empty: the server is not verified
    const DeviceCredentials* clientIdentity = nullptr;
    std::string serverUnit;  // the OU the server's certificate must carry ("" = any)
};

Poco::Net::Context::Ptr makeContext(const Trust& trust) {
    initializeSslOnce();
    Poco::Net::Context::Params params;
    params.verificationMode = trust.anchors.empty() ? Poco::Net::Context::VERIFY_NONE : Poco::Net::Context::VERIFY_STRICT;
    expectedServerUnit = trust.serverUnit;  // the handshake runs on this thread
    params.loadDefaultCAs = false;          // only the IDProv CA is ever trusted
    params.verificationDepth = 4;
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    // Host names are not what identifies the server here (it is often reached by a link-local
    // address from DNS-SD): the chain to the IDProv CA and serverAuth are.
    context->enableExtendedCertificateVerification(false);
    SSL_CTX* ctx = context->sslContext();
    if (trust.anchors.empty()) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    } else {
        X509_STORE* store = SSL_CTX_get_cert_store(ctx);
        for (const auto& anchor : trust.anchors) {
            if (X509_STORE_add_cert(store, anchor.native()) != 1) throw std::runtime_error("cannot add the CA to the TLS context");
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verifyServerCertificate);
    }
    if (trust.clientIdentity != nullptr) {
        if (SSL_CTX_use_certificate(ctx, trust.clientIdentity->certificate.native()) != 1 ||
            SSL_CTX_use_PrivateKey(ctx, trust.clientIdentity->key.native()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
            throw std::runtime_error("cannot use the stored certificate and key for TLS");
        }
    }
    return context;
}

std::vector<core::Certificate> certificatesOf(const std::string& pem, std::string_view origin) {
    try {
        return core::Certificate::parseChain(bytesOf(pem), origin);
    } catch (const core::CryptoError& e) {
        throw IdprovError(e.what());
    }
}

// --- HTTP ----------------------------------------------------------------------------------------

struct Target {
    std::string url;
    std::string host;  // without brackets; an IPv6 zone as "%ifname"
    std::uint16_t port = 443;
    std::string pathAndQuery;
};

Target parseTarget(const std::string& url, std::string_view what) {
    Poco::URI uri;
    try {
        uri = Poco::URI(url);
    } catch (const Poco::Exception& e) {
        throw IdprovError(std::string(what) + ": not a URL: " + e.message());
    }
    if (uri.getScheme() != "https") throw IdprovError(std::string(what) + ": not an https:// URL: " + url);
    if (uri.getHost().empty()) throw IdprovError(std::string(what) + ": no host in " + url);
    Target t;
    t.url = url;
    t.host = uri.getHost();
    // RFC 6874 writes an IPv6 zone as "%25ifname" inside the brackets.
    if (const auto zone = t.host.find("%25"); zone != std::string::npos) t.host.erase(zone + 1, 2);
    t.port = uri.getPort();
    t.pathAndQuery = uri.getPathEtc();
    if (t.pathAndQuery.empty()) t.pathAndQuery = "/";
    return t;
}

struct Reply {
    int status = 0;
    std::string body;
};

Reply exchange(const Target& target, const Trust& trust, const std::string& method, const std::string& body,
               std::chrono::milliseconds timeout) {
    const Poco::Net::Context::Ptr context = makeContext(trust);
    lastVerifyProblem.clear();
    try {
        Poco::Net::HTTPSClientSession session(target.host, target.port, context);
        session.setTimeout(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(timeout.count()) * 1000));
        session.setKeepAlive(false);
        Poco::Net::HTTPRequest request(method, target.pathAndQuery, Poco::Net::HTTPMessage::HTTP_1_1);
        request.set("Accept", "application/json");
        if (method == Poco::Net::HTTPRequest::HTTP_POST) {
            request.setContentType("application/json");
            request.setContentLength(static_cast<std::streamsize>(body.size()));
        }
        std::ostream& out = session.sendRequest(request);
        if (method == Poco::Net::HTTPRequest::HTTP_POST) out << body;
        out.flush();
        Poco::Net::HTTPResponse response;
        std::istream& in = session.receiveResponse(response);
        if (response.hasContentLength() && response.getContentLength64() > static_cast<Poco::Int64>(kMaxBodyBytes)) {
            throw std::runtime_error(method + " " + target.url + ": answer larger than " + std::to_string(kMaxBodyBytes) + " bytes");
        }
        Reply reply;
        reply.status = static_cast<int>(response.getStatus());
        char buffer[4096];
        while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
            reply.body.append(buffer, static_cast<std::size_t>(in.gcount()));
            if (reply.body.size() > kMaxBodyBytes) {
                throw std::runtime_error(method + " " + target.url + ": answer larger than " + std::to_string(kMaxBodyBytes) + " bytes");
            }
        }
        return reply;
    } catch (const Poco::Exception& e) {
        std::string why = e.displayText();
        if (!lastVerifyProblem.empty()) why = "server certificate refused: " + lastVerifyProblem;
        throw std::runtime_error(method + " " + target.url + ": " + why);
    }
}

bool isSuccess(int status) { return status >= 200 && status < 300; }

// The reason in an error answer: a ProvisionResponse's "message" or a plain {"error": "..."}.
std::optional<std::string> errorMessage(const std::string& body) {
    if (body.size() > kMaxBodyBytes) return std::nullopt;
    try {
        Poco::JSON::Parser parser;
        parser.setDepth(8);
        const Poco::Dynamic::Var v = parser.parse(body);
        if (v.type() != typeid(Poco::JSON::Object::Ptr)) return std::nullopt;
        const auto object = v.extract<Poco::JSON::Object::Ptr>();
        for (const char* field : {"message", "error"}) {
            if (object->has(field) && object->get(field).isString()) return object->get(field).extract<std::string>().substr(0, 1024);
        }
        return std::string();
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::string httpProblem(const std::string& what, const Target& target, const Reply& reply) {
    std::string text = what + " " + target.url + ": HTTP " + std::to_string(reply.status);
    if (const auto message = errorMessage(reply.body); message && !message->empty()) text += ": " + *message;
    return text;
}

// --- the local side of a connection --------------------------------------------------------------

// The address the kernel would use towards the server (a connected UDP socket sends nothing).
std::string localAddressTowards(const Target& target) {
    try {
        const Poco::Net::SocketAddress server(target.host, target.port);
        Poco::Net::DatagramSocket socket(server.family());
        socket.connect(server);
        return socket.address().host().toString();
    } catch (const Poco::Exception&) {
        return "";
    }
}

std::string macOfAddress(const std::string& ip) {
    try {
        const auto nic = Poco::Net::NetworkInterface::forAddress(Poco::Net::IPAddress(ip));
        const auto& mac = nic.macAddress();
        // Loopback and some virtual interfaces have none (all zero).
        if (mac.size() != 6 || std::all_of(mac.begin(), mac.end(), [](unsigned char b) { return b == 0; })) return "";
        std::string out;
        char part[4];
        for (std::size_t i = 0; i < mac.size(); ++i) {
            std::snprintf(part, sizeof part, i == 0 ? "%02x" : ":%02x", mac[i]);
            out += part;
        }
        return out;
    } catch (const Poco::Exception&) {
        return "";
    }
}

// --- checks on what the server issued ------------------------------------------------------------

std::string commonNameOf(const core::Certificate& cert) {
    X509_NAME* subject = X509_get_subject_name(cert.native());
    const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (index < 0 || X509_NAME_get_index_by_NID(subject, NID_commonName, index) >= 0) return "";
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
    unsigned char* utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, data);
    if (length < 0) return "";
    std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
    OPENSSL_free(utf8);
    return out;
}

// Throws IdprovError("server not trusted: ...") unless `chain[0]` is a TLS client certificate for
// `key` with CN = deviceId that chains to `anchors` and is valid now.
void checkIssued(const std::vector<core::Certificate>& chain, const std::vector<core::Certificate>& anchors, const core::PrivateKey& key,
                 const std::string& deviceId) {
    const core::Certificate& leaf = chain.front();
    if (!key.matches(leaf)) throw IdprovError("server not trusted: the issued certificate is not for our key");
    if (commonNameOf(leaf) != deviceId) throw IdprovError("server not trusted: the issued certificate's CN is not our deviceID");
    std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
    std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), X509_STORE_CTX_free);
    const auto freeStack = [](STACK_OF(X509) * stack) { sk_X509_free(stack); };  // the certificates stay owned by `chain`
    std::unique_ptr<STACK_OF(X509), decltype(freeStack)> untrusted(sk_X509_new_null(), freeStack);
    if (!store || !ctx || !untrusted) throw std::runtime_error("out of memory verifying the issued certificate");
    for (const auto& anchor : anchors) X509_STORE_add_cert(store.get(), anchor.native());
    for (std::size_t i = 1; i < chain.size(); ++i) sk_X509_push(untrusted.get(), chain[i].native());
    if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.native(), untrusted.get()) != 1) {
        throw std::runtime_error("cannot set up verification of the issued certificate");
    }
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT);
    if (X509_verify_cert(ctx.get()) != 1) {
        throw IdprovError(std::string("server not trusted: the issued certificate does not verify against the CA: ") +
                          X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get())));
    }
}

bool sameCertificate(const core::Certificate& a, const core::Certificate& b) { return a.der() == b.der(); }

EnrollmentResult notApproved(const ProvisionResponse& response) {
    EnrollmentResult result;
    result.status = response.status;
    result.retrySec = response.retrySec;
    result.message = response.message;
    return result;
}

}  // namespace

IdprovClient::IdprovClient(IdprovClientOptions options) : options_(std::move(options)), store_(options_.storeDirectory) {
    if (const auto problem = deviceIdProblem(options_.deviceId); !problem.empty()) {
        throw IdprovError("deviceID " + problem);
    }
}

namespace {

// Everything one IdprovClient call needs, so the member functions stay short.
struct Call {
    const IdprovClientOptions& options;
    const DeviceCredentialStore& store;

    Trust storedTrust(const DeviceCredentials* identity = nullptr) const {
        Trust trust;
        if (const auto ca = store.loadCaPem()) trust.anchors = certificatesOf(*ca, store.caFile().string());
        trust.clientIdentity = identity;
        trust.serverUnit = options.serverOrganizationalUnit;
        return trust;
    }

    Directory directory(const Trust& trust) const {
        const Target target = parseTarget(options.directoryUrl, "directory URL");
        const Reply reply = exchange(target, trust, Poco::Net::HTTPRequest::HTTP_GET, "", options.timeout);
        if (!isSuccess(reply.status)) throw std::runtime_error(httpProblem("GET", target, reply));
        return parseDirectory(reply.body);
    }

    static std::string endpointUrl(const Directory& dir, std::string_view name) {
        const auto it = dir.endpoints.find(std::string(name));
        if (it == dir.endpoints.end()) throw IdprovError("directory: missing 'endpoints." + std::string(name) + "'");
        return it->second;
    }

    // POST provreq; an error answer that says why becomes a Rejected response.
    ProvisionResponse provisionRequest(const Directory& dir, const Trust& trust, ProvisionRequest request) const {
        const Target target = parseTarget(endpointUrl(dir, endpoint::kPostProvisionRequest), "directory: 'endpoints.postProvisionRequest'");
        request.deviceId = options.deviceId;
        request.ip = options.ip.empty() ? localAddressTowards(target) : options.ip;
        request.mac = options.mac.empty() && !request.ip.empty() ? macOfAddress(request.ip) : options.mac;
        const Reply reply = exchange(target, trust, Poco::Net::HTTPRequest::HTTP_POST, toJson(request), options.timeout);
        ProvisionResponse response;
        if (isSuccess(reply.status)) {
            response = parseProvisionResponse(reply.body);
        } else {
            try {
                response = parseProvisionResponse(reply.body);
                if (response.status == ProvisionStatus::Approved) {
                    throw IdprovError("provreq response: 'Approved' with HTTP " + std::to_string(reply.status));
                }
                // "Come back later" (the server's hash slots or this address's budget are taken):
                // undecided, like Waiting, so that a caller that waits retries after retrySec.
                if ((reply.status == 429 || reply.status == 503) && response.retrySec > 0) response.status = ProvisionStatus::Waiting;
            } catch (const IdprovError&) {
                const auto message = errorMessage(reply.body);
                if (!message) throw std::runtime_error(httpProblem("POST", target, reply) + " (not a JSON answer)");
                response = ProvisionResponse{};
                response.status = ProvisionStatus::Rejected;
                response.message = message->empty() ? "HTTP " + std::to_string(reply.status) : *message;
            }
        }
        if (!response.deviceId.empty() && response.deviceId != options.deviceId) {
            throw IdprovError("provreq response: for deviceID '" + response.deviceId + "', not ours");
        }
        return response;
    }
};

}  // namespace

Directory IdprovClient::fetchDirectory() {
    const Call call{options_, store_};
    return call.directory(call.storedTrust());
}

EnrollmentResult IdprovClient::enroll() {
    if (options_.oobSecret.empty()) throw IdprovError("enrolment needs the OOB secret");
    const Call call{options_, store_};
    // Before any CA is stored the directory is read unverified; its CA is then the one every later
    // call verifies the server against, and the provisioning response proves it through the OOB hash.
    Trust trust = call.storedTrust();
    const bool haveStoredCa = !trust.anchors.empty();
    const Directory dir = call.directory(trust);
    const auto directoryCa = certificatesOf(dir.caCert, "directory: 'caCert'");
    if (!haveStoredCa) trust.anchors = directoryCa;
    directory_ = dir;

    const std::string algorithm(algorithmName(options_.hashAlgorithm));
    bool offered = false;
    for (const auto& name : dir.oobsHashAlg) offered = offered || parseAlgorithm(name) == options_.hashAlgorithm;
    if (!offered) {
        std::string list;
        for (const auto& name : dir.oobsHashAlg) list += (list.empty() ? "" : ", ") + name;
        throw IdprovError("the server does not accept " + algorithm + " OOB hashes (it offers: " + (list.empty() ? "none" : list) + ")");
    }

    const core::PrivateKey key = store_.pendingKey();
    ProvisionRequest request;
    request.publicKeyPem = key.publicKey().pem();
    // The server accepts one cost per algorithm and says which (oobsHashParams); a server that
    // does not say gets options.hashCost.
    OobHashCost cost = options_.hashCost;
    for (const auto& [name, parameters] : dir.oobsHashParams) {
        if (parseAlgorithm(name) == options_.hashAlgorithm) cost = parseCostParameters(options_.hashAlgorithm, parameters, cost);
    }
    request.oobsHash = hashOobSecret(options_.oobSecret, options_.hashAlgorithm, cost);
    request.oobsHashAlg = algorithm;
    const ProvisionResponse response = call.provisionRequest(dir, trust, request);
    if (response.status != ProvisionStatus::Approved) return notApproved(response);

    // The server proves it knows the secret by its own hash of it, with its own salt.
    if (response.oobsHash.empty()) throw IdprovError("server not trusted: the approval carries no oobsHash");
    OobHashAlgorithm serverAlgorithm{};
    try {
        serverAlgorithm = algorithmOfHash(response.oobsHash);
    } catch (const IdprovError& e) {
        throw IdprovError(std::string("server not trusted: ") + e.what());
    }
    if (response.oobsHash == request.oobsHash) throw IdprovError("server not trusted: it sent back our own oobsHash");
    if (!verifyOobHash(response.oobsHash, options_.oobSecret, serverAlgorithm)) {
        throw IdprovError("server not trusted: its oobsHash does not match the OOB secret");
    }
    // The CA we store is the one the server was verified against for this request.
    const auto responseCa = certificatesOf(response.caCert, "provreq response: 'caCert'");
    if (!sameCertificate(responseCa.front(), trust.anchors.front())) {
        throw IdprovError(std::string("server not trusted: the CA in the approval is not the one ") +
                          (haveStoredCa ? "stored" : "in the directory"));
    }
    const auto issued = certificatesOf(response.clientCert, "provreq response: 'clientCert'");
    checkIssued(issued, trust.anchors, key, options_.deviceId);

    store_.save(DeviceCredentials{key, issued.front(), core::chainToPem(trust.anchors)});
    store_.clearPendingKey();
    EnrollmentResult result;
    result.status = ProvisionStatus::Approved;
    result.retrySec = response.retrySec;
    result.message = response.message;
    result.notAfter = issued.front().summary().notAfter;
    return result;
}

EnrollmentResult IdprovClient::renew() {
    const Call call{options_, store_};
    const auto current = store_.load();
    if (!current) throw IdprovError("nothing to renew: no credentials in " + store_.directory().string());
    const Trust verified = call.storedTrust();
    // The directory read by an earlier call of this client is used again: a renewal is then one
    // mutual-TLS exchange instead of two. If it fails, the next call reads the directory afresh.
    const bool cached = directory_.has_value();
    const Directory dir = cached ? *directory_ : call.directory(verified);
    directory_.reset();
    const Trust mutual = call.storedTrust(&*current);

    const core::PrivateKey key = core::PrivateKey::generateEcKey();
    ProvisionRequest request;
    request.publicKeyPem = key.publicKey().pem();
    const ProvisionResponse response = call.provisionRequest(dir, mutual, request);
    directory_ = dir;  // the server answered at the directory's address: keep it
    if (response.status != ProvisionStatus::Approved) return notApproved(response);

    const auto issued = certificatesOf(response.clientCert, "provreq response: 'clientCert'");
    checkIssued(issued, verified.anchors, key, options_.deviceId);
    // The stored CA stays: it is the one this server was verified against.
    store_.save(DeviceCredentials{key, issued.front(), current->caPem});
    EnrollmentResult result;
    result.status = ProvisionStatus::Approved;
    result.retrySec = response.retrySec;
    result.message = response.message;
    result.notAfter = issued.front().summary().notAfter;
    return result;
}

StatusResponse IdprovClient::status() {
    const Call call{options_, store_};
    std::optional<DeviceCredentials> current;
    try {
        current = store_.load();
    } catch (const core::CryptoError&) {
        current.reset();  // damaged credentials: ask without a client certificate
    }
    Trust trust = call.storedTrust(current ? &*current : nullptr);
    Trust anonymous = trust;
    anonymous.clientIdentity = nullptr;
    const Directory dir = call.directory(anonymous);
    if (trust.anchors.empty()) trust.anchors = certificatesOf(dir.caCert, "directory: 'caCert'");

    std::string url = Call::endpointUrl(dir, endpoint::kStatus);
    const auto placeholder = url.find("{deviceID}");
    if (placeholder == std::string::npos) throw IdprovError("directory: 'endpoints.status' must contain \"{deviceID}\"");
    url.replace(placeholder, 10, options_.deviceId);  // a valid deviceID needs no escaping in a path
    const Target target = parseTarget(url, "directory: 'endpoints.status'");
    const Reply reply = exchange(target, trust, Poco::Net::HTTPRequest::HTTP_GET, "", options_.timeout);
    StatusResponse response;
    try {
        response = parseStatusResponse(reply.body);
    } catch (const IdprovError&) {
        if (!isSuccess(reply.status)) throw std::runtime_error(httpProblem("GET", target, reply));
        throw;
    }
    if (response.deviceId != options_.deviceId) {
        throw IdprovError("status response: for deviceID '" + response.deviceId + "', not ours");
    }
    return response;
}

}  // namespace steward::idprov
