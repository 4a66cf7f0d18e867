// The device-side IDProv client (core/idprov/idprov_client.cpp) against a small in-process HTTPS
// server on loopback that plays the gateway, honestly or not: enrolment, Waiting, rejections,
// servers that fail the OOB proof or issue the wrong certificate, renewal over mutual TLS, and the
// TLS checks once a CA is stored (chain to that CA, extendedKeyUsage serverAuth).
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/StreamCopier.h>

#include <atomic>
#include <mutex>

#include "steward/crypto/certificate_authority.hpp"
#include "steward/idprov/idprov_client.hpp"
#include "steward/idprov/idprov_error.hpp"
#include "support/temp_dir.hpp"

namespace steward::idprov {
namespace {

namespace fs = std::filesystem;
using core::CertificateAuthority;
using core::CertificateProfile;
using core::CertificateUsage;

OobHashCost cheapCost() {
    OobHashCost cost;
    cost.argon2MemoryKiB = kMinArgon2MemoryKiB;
    cost.argon2Passes = 1;
    cost.pbkdf2Iterations = kMinPbkdf2Iterations;
    return cost;
}

std::span<const std::uint8_t> bytesOf(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

// How the fake gateway answers a provisioning request.
enum class Answer {
    Approve,           // honest
    Waiting,           // no secret known yet
    RejectPlainError,  // HTTP 403 {"error": "..."}
    RejectResponse,    // HTTP 400 with a ProvisionResponse {status: Rejected, message}
    EchoClientHash,    // approves, but returns the client's own oobsHash
    WrongSecretHash,   // approves with a hash of another secret
    WrongCommonName,   // issues a certificate for another deviceID
    ForeignCa,         // issues from a CA other than the directory's
    NotJson,           // HTTP 500 with a text body
};

struct ServerState {
    CertificateAuthority* ca = nullptr;
    CertificateAuthority* foreignCa = nullptr;
    std::string secret = "0123-4567-89ab";
    std::vector<std::string> algorithms{"Argon2id", "PBKDF2"};
    std::atomic<Answer> answer{Answer::Approve};
    std::uint16_t port = 0;

    std::mutex mutex;
    std::vector<ProvisionRequest> requests;
    std::vector<std::string> clientCommonNames;  // per provreq: CN of the TLS client certificate, "" if none
};

class Handler : public Poco::Net::HTTPRequestHandler {
public:
    explicit Handler(ServerState& state) : state_(state) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        std::string body;
        Poco::StreamCopier::copyToString(request.stream(), body);
        const std::string& uri = request.getURI();
        response.setContentType("application/json");
        if (uri == "/idprov/directory") return send(response, 200, toJson(directory()));
        if (uri.starts_with("/idprov/status/")) {
            const StatusResponse status{uri.substr(15), ProvisionStatus::Waiting, "", ""};
            return send(response, 200, toJson(status));
        }
        if (uri != "/idprov/provreq") return send(response, 404, R"({"error":"no such endpoint"})");
        ProvisionRequest provreq;
        try {
            provreq = parseProvisionRequest(body);
        } catch (const IdprovError& e) {
            return send(response, 400, R"({"error":"bad request"})");
        }
        {
            std::lock_guard lock(state_.mutex);
            state_.requests.push_back(provreq);
            state_.clientCommonNames.push_back(clientCommonName(request));
        }
        switch (state_.answer.load()) {
            case Answer::Waiting: {
                ProvisionResponse r;
                r.deviceId = provreq.deviceId;
                r.status = ProvisionStatus::Waiting;
                r.retrySec = 7;
                r.message = "no OOB secret for this device yet";
                return send(response, 200, toJson(r));
            }
            case Answer::RejectPlainError:
                return send(response, 403, R"({"error":"unknown device"})");
            case Answer::RejectResponse: {
                ProvisionResponse r;
                r.status = ProvisionStatus::Rejected;
                r.message = "oobsHash does not match";
                return send(response, 400, toJson(r));
            }
            case Answer::NotJson:
                response.setContentType("text/plain");
                return send(response, 500, "internal error");
            default:
                break;
        }
        ProvisionResponse r;
        r.deviceId = provreq.deviceId;
        r.status = ProvisionStatus::Approved;
        r.retrySec = 3600;
        r.caCert = state_.ca->chainPem();
        const auto algorithm = provreq.oobsHash.empty() ? OobHashAlgorithm::Pbkdf2Sha256 : algorithmOfHash(provreq.oobsHash);
        if (!provreq.oobsHash.empty()) {
            r.oobsHash = state_.answer == Answer::EchoClientHash    ? provreq.oobsHash
                         : state_.answer == Answer::WrongSecretHash ? hashOobSecret("another secret", algorithm, cheapCost())
                                                                    : hashOobSecret(state_.secret, algorithm, cheapCost());
        }
        CertificateProfile profile;
        profile.commonName = state_.answer == Answer::WrongCommonName ? "someone-else" : provreq.deviceId;
        profile.organizationalUnit = "iotdevice";
        profile.usage = CertificateUsage::Client;
        CertificateAuthority* issuer = state_.answer == Answer::ForeignCa ? state_.foreignCa : state_.ca;
        r.clientCert = issuer->issue({profile, core::PublicKey::parse(bytesOf(provreq.publicKeyPem), "publicKeyPEM")}).pem();
        return send(response, 200, toJson(r));
    }

private:
    Directory directory() const {
        const std::string base = "https://127.0.0.1:" + std::to_string(state_.port) + "/idprov/";
        Directory d;
        d.endpoints = {{"directory", base + "directory"},
                       {"status", base + "status/{deviceID}"},
                       {"postOOB", base + "oobsecret"},
                       {"postProvisionRequest", base + "provreq"}};
        d.oobsHashAlg = state_.algorithms;
        d.caCert = state_.ca->chainPem();
        return d;
    }

    static std::string clientCommonName(Poco::Net::HTTPServerRequest& request) {
        auto& impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl&>(request);
        Poco::Net::SecureStreamSocket socket(impl.socket());
        return socket.havePeerCertificate() ? socket.peerCertificate().commonName() : "";
    }

    static void send(Poco::Net::HTTPServerResponse& response, int status, const std::string& body) {
        response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
        response.setContentLength(static_cast<std::streamsize>(body.size()));
        response.send() << body;
    }

    ServerState& state_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(ServerState& state) : state_(state) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override { return new Handler(state_); }

private:
    ServerState& state_;
};

// Accepts any client certificate (the handler only records it); the client's checks are under test.
int acceptClient(int, X509_STORE_CTX*) { return 1; }

// The fake gateway: TLS with `identity` (a certificate from `tlsCa`), requesting but not
// requiring a client certificate.
class FakeGateway {
public:
    FakeGateway(ServerState& state, const core::IssuedIdentity& identity) {
        Poco::Net::initializeSSL();
        Poco::Net::Context::Params params;
        params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
        params.loadDefaultCAs = false;
        context_ = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
        SSL_CTX* ctx = context_->sslContext();
        SSL_CTX_use_certificate(ctx, identity.certificate.native());
        SSL_CTX_use_PrivateKey(ctx, identity.key.native());
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, acceptClient);
        static const unsigned char sessionContext[] = "idprov-test";
        SSL_CTX_set_session_id_context(ctx, sessionContext, sizeof sessionContext - 1);
        Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 16, context_);
        state.port = socket.address().port();
        port_ = state.port;
        server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(state), socket, new Poco::Net::HTTPServerParams);
        server_->start();
    }
    ~FakeGateway() { server_->stopAll(true); }

    std::string directoryUrl() const { return "https://127.0.0.1:" + std::to_string(port_) + "/idprov/directory"; }

private:
    Poco::Net::Context::Ptr context_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    std::uint16_t port_ = 0;
};

core::IssuedIdentity serverIdentity(CertificateAuthority& ca, CertificateUsage usage = CertificateUsage::Server,
                                    const std::string& unit = "idprov") {
    CertificateProfile profile;
    profile.commonName = "gateway";
    if (!unit.empty()) profile.organizationalUnit = unit;
    profile.usage = usage;
    return ca.issueWithNewKey(profile);
}

// A server certificate from `ca` without any extensions: OpenSSL's own purpose check lets it pass
// as a TLS server certificate, ours must not (it lacks extendedKeyUsage serverAuth).
core::IssuedIdentity serverIdentityWithoutExtensions(const fs::path& caDirectory, CertificateAuthority& ca) {
    const core::PrivateKey caKey = core::PrivateKey::load(caDirectory / "ca.key");
    const core::Certificate caCert = ca.certificate();
    core::PrivateKey key = core::PrivateKey::generateEcKey();
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 4242);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(caCert.native()));
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("gateway"), -1, -1, 0);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_set_pubkey(cert.get(), key.native());
    X509_sign(cert.get(), caKey.native(), EVP_sha256());
    unsigned char* der = nullptr;
    const int length = i2d_X509(cert.get(), &der);
    std::vector<std::uint8_t> bytes(der, der + length);
    OPENSSL_free(der);
    return core::IssuedIdentity{key, core::Certificate::parse(bytes, "no-extensions")};
}

class IdprovClientTest : public ::testing::Test {
protected:
    IdprovClientTest()
        : ca(CertificateAuthority::openOrCreate(caDir / "ca", "Test IDProv CA")),
          foreignCa(CertificateAuthority::openOrCreate(caDir / "foreign", "Foreign CA")) {
        state.ca = &ca;
        state.foreignCa = &foreignCa;
        gateway = std::make_unique<FakeGateway>(state, serverIdentity(ca));
    }

    IdprovClientOptions options(OobHashAlgorithm algorithm = OobHashAlgorithm::Argon2id) const {
        IdprovClientOptions o;
        o.directoryUrl = gateway->directoryUrl();
        o.deviceId = "sensor-01";
        o.oobSecret = state.secret;
        o.hashAlgorithm = algorithm;
        o.hashCost = cheapCost();
        o.storeDirectory = storeDir / "creds";
        o.timeout = std::chrono::milliseconds(5000);
        return o;
    }

    void enrolled() {
        IdprovClient client(options());
        ASSERT_EQ(client.enroll().status, ProvisionStatus::Approved);
    }

    test::TempDir caDir;
    test::TempDir storeDir;
    CertificateAuthority ca;
    CertificateAuthority foreignCa;
    ServerState state;
    std::unique_ptr<FakeGateway> gateway;
};

TEST_F(IdprovClientTest, FetchesTheDirectoryWithoutACa) {
    IdprovClient client(options());
    const Directory d = client.fetchDirectory();
    EXPECT_EQ(d.version, "1");
    EXPECT_EQ(d.caCert, ca.chainPem());
    EXPECT_EQ(d.oobsHashAlg, state.algorithms);
}

class IdprovClientAlgorithmTest : public IdprovClientTest, public ::testing::WithParamInterface<OobHashAlgorithm> {};

TEST_P(IdprovClientAlgorithmTest, EnrolmentStoresWhatWasIssued) {
    IdprovClient client(options(GetParam()));
    const EnrollmentResult result = client.enroll();
    ASSERT_EQ(result.status, ProvisionStatus::Approved) << result.message;
    EXPECT_EQ(result.retrySec, 3600);
    EXPECT_FALSE(result.notAfter.empty());

    const auto stored = client.store().load();
    ASSERT_TRUE(stored);
    EXPECT_TRUE(stored->key.matches(stored->certificate));
    EXPECT_EQ(stored->caPem, ca.chainPem());
    EXPECT_TRUE(ca.verifies(stored->certificate));
    EXPECT_NE(stored->certificate.summary().subject.find("CN=sensor-01"), std::string::npos);
    EXPECT_FALSE(fs::exists(client.store().pendingKeyFile()));

    std::lock_guard lock(state.mutex);
    ASSERT_EQ(state.requests.size(), 1u);
    const ProvisionRequest& sent = state.requests.front();
    EXPECT_EQ(sent.deviceId, "sensor-01");
    EXPECT_EQ(sent.ip, "127.0.0.1");
    EXPECT_EQ(sent.oobsHashAlg, algorithmName(GetParam()));
    EXPECT_TRUE(verifyOobHash(sent.oobsHash, state.secret, GetParam()));
    EXPECT_EQ(core::PublicKey::parse(bytesOf(sent.publicKeyPem), "sent").der(), stored->key.publicKey().der());
    EXPECT_EQ(state.clientCommonNames.front(), "");  // no client certificate before enrolment
}

INSTANTIATE_TEST_SUITE_P(Algorithms, IdprovClientAlgorithmTest,
                         ::testing::Values(OobHashAlgorithm::Argon2id, OobHashAlgorithm::Pbkdf2Sha256),
                         [](const auto& param) { return std::string(algorithmName(param.param)); });

TEST_F(IdprovClientTest, WaitingStoresNothingButKeepsThePendingKey) {
    state.answer = Answer::Waiting;
    IdprovClient client(options());
    const EnrollmentResult first = client.enroll();
    EXPECT_EQ(first.status, ProvisionStatus::Waiting);
    EXPECT_EQ(first.retrySec, 7);
    EXPECT_EQ(first.message, "no OOB secret for this device yet");
    EXPECT_FALSE(client.store().load());
    EXPECT_TRUE(fs::exists(client.store().pendingKeyFile()));

    // The approved request carries the same key as the one that waited.
    state.answer = Answer::Approve;
    ASSERT_EQ(IdprovClient(options()).enroll().status, ProvisionStatus::Approved);
    std::lock_guard lock(state.mutex);
    ASSERT_EQ(state.requests.size(), 2u);
    EXPECT_EQ(state.requests[0].publicKeyPem, state.requests[1].publicKeyPem);
    EXPECT_NE(state.requests[0].oobsHash, state.requests[1].oobsHash);  // fresh salt each time
}

TEST_F(IdprovClientTest, ErrorAnswersBecomeRejectionsWithTheServersReason) {
    state.answer = Answer::RejectPlainError;
    EnrollmentResult result = IdprovClient(options()).enroll();
    EXPECT_EQ(result.status, ProvisionStatus::Rejected);
    EXPECT_EQ(result.message, "unknown device");

    state.answer = Answer::RejectResponse;
    result = IdprovClient(options()).enroll();
    EXPECT_EQ(result.status, ProvisionStatus::Rejected);
    EXPECT_EQ(result.message, "oobsHash does not match");
    EXPECT_FALSE(IdprovClient(options()).store().load());
}

TEST_F(IdprovClientTest, NonJsonErrorIsATransportFailure) {
    state.answer = Answer::NotJson;
    IdprovClient client(options());
    try {
        (void)client.enroll();
        FAIL();
    } catch (const IdprovError& e) {
        FAIL() << "IdprovError: " << e.what();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("HTTP 500"), std::string::npos) << e.what();
    }
}

// Each way a server fails the proof of the OOB secret, or issues a certificate we cannot use:
// IdprovError "server not trusted", and nothing stored.
class UntrustedServerTest : public IdprovClientTest, public ::testing::WithParamInterface<Answer> {};

TEST_P(UntrustedServerTest, ResponseIsRefusedAndNothingStored) {
    state.answer = GetParam();
    IdprovClient client(options());
    try {
        (void)client.enroll();
        FAIL() << "accepted";
    } catch (const IdprovError& e) {
        EXPECT_NE(std::string(e.what()).find("server not trusted"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(client.store().load());
    EXPECT_FALSE(fs::exists(client.store().certificateFile()));
    EXPECT_FALSE(fs::exists(client.store().caFile()));
}

INSTANTIATE_TEST_SUITE_P(Answers, UntrustedServerTest,
                         ::testing::Values(Answer::EchoClientHash, Answer::WrongSecretHash, Answer::WrongCommonName, Answer::ForeignCa));

TEST_F(IdprovClientTest, AlgorithmTheServerDoesNotOfferIsRefused) {
    state.algorithms = {"PBKDF2", "bcrypt"};
    IdprovClient client(options(OobHashAlgorithm::Argon2id));
    try {
        (void)client.enroll();
        FAIL();
    } catch (const IdprovError& e) {
        EXPECT_NE(std::string(e.what()).find("Argon2id"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("bcrypt"), std::string::npos) << e.what();
    }
    std::lock_guard lock(state.mutex);
    EXPECT_TRUE(state.requests.empty());
}

TEST_F(IdprovClientTest, RenewalUsesMutualTlsAndAFreshKey) {
    enrolled();
    IdprovClient client(options());
    const auto before = client.store().load();
    ASSERT_TRUE(before);
    const EnrollmentResult result = client.renew();
    ASSERT_EQ(result.status, ProvisionStatus::Approved) << result.message;
    const auto after = client.store().load();
    ASSERT_TRUE(after);
    EXPECT_NE(after->key.der(), before->key.der());
    EXPECT_NE(after->certificate.der(), before->certificate.der());
    EXPECT_EQ(after->caPem, before->caPem);

    std::lock_guard lock(state.mutex);
    ASSERT_EQ(state.requests.size(), 2u);
    EXPECT_EQ(state.requests[1].oobsHash, "");
    EXPECT_EQ(state.requests[1].oobsHashAlg, "");
    EXPECT_EQ(state.clientCommonNames[1], "sensor-01");
}

TEST_F(IdprovClientTest, RenewalWithoutCredentialsIsAnError) {
    IdprovClient client(options());
    EXPECT_THROW(client.renew(), IdprovError);
}

TEST_F(IdprovClientTest, RenewalRefusesACertificateFromAnotherCa) {
    enrolled();
    state.answer = Answer::ForeignCa;
    IdprovClient client(options());
    const auto before = client.store().load();
    EXPECT_THROW(client.renew(), IdprovError);
    const auto after = client.store().load();
    ASSERT_TRUE(after);
    EXPECT_EQ(after->certificate.der(), before->certificate.der());
}

TEST_F(IdprovClientTest, StatusAsksForOurDeviceId) {
    IdprovClient client(options());
    const StatusResponse status = client.status();
    EXPECT_EQ(status.deviceId, "sensor-01");
    EXPECT_EQ(status.status, ProvisionStatus::Waiting);
    enrolled();
    EXPECT_EQ(IdprovClient(options()).status().status, ProvisionStatus::Waiting);
}

// Once a CA is stored, a server whose certificate is a device's (clientAuth only) is refused
// although it chains to the same CA; so is one from another CA.
TEST_F(IdprovClientTest, StoredCaServerMustPresentAServerCertificateFromIt) {
    enrolled();
    ServerState otherState;
    otherState.ca = &ca;
    otherState.foreignCa = &foreignCa;
    FakeGateway clientCertGateway(otherState, serverIdentity(ca, CertificateUsage::Client));
    IdprovClientOptions o = options();
    o.directoryUrl = clientCertGateway.directoryUrl();
    try {
        (void)IdprovClient(o).fetchDirectory();
        FAIL();
    } catch (const IdprovError& e) {
        FAIL() << e.what();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("serverAuth"), std::string::npos) << e.what();
    }

    FakeGateway bareGateway(otherState, serverIdentityWithoutExtensions(caDir / "ca", ca));
    o.directoryUrl = bareGateway.directoryUrl();
    try {
        (void)IdprovClient(o).status();
        FAIL();
    } catch (const IdprovError& e) {
        FAIL() << e.what();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("serverAuth"), std::string::npos) << e.what();
    }

    ServerState foreignState;
    foreignState.ca = &foreignCa;
    foreignState.foreignCa = &foreignCa;
    FakeGateway foreignGateway(foreignState, serverIdentity(foreignCa));
    o.directoryUrl = foreignGateway.directoryUrl();
    try {
        (void)IdprovClient(o).renew();
        FAIL();
    } catch (const IdprovError& e) {
        FAIL() << e.what();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("server certificate refused"), std::string::npos) << e.what();
    }
    std::lock_guard lock(foreignState.mutex);
    EXPECT_TRUE(foreignState.requests.empty());
}

// The gateway CA also certifies OCF devices as TLS servers (CN uuid:..., client and server): such a
// device posing as the provisioning server is refused by the OU; a client told to accept any
// server of the CA (another IDProv implementation) lets it through.
TEST_F(IdprovClientTest, StoredCaADevicePosingAsTheServerIsRefused) {
    enrolled();
    ServerState otherState;
    otherState.ca = &ca;
    otherState.foreignCa = &foreignCa;
    FakeGateway impostor(otherState, serverIdentity(ca, CertificateUsage::ClientAndServer, ""));
    IdprovClientOptions o = options();
    o.directoryUrl = impostor.directoryUrl();
    try {
        (void)IdprovClient(o).renew();
        FAIL();
    } catch (const IdprovError& e) {
        FAIL() << e.what();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("not the provisioning server"), std::string::npos) << e.what();
    }
    {
        std::lock_guard lock(otherState.mutex);
        EXPECT_TRUE(otherState.requests.empty()) << "nothing is sent to it";
    }
    o.serverOrganizationalUnit = "";
    EXPECT_NO_THROW((void)IdprovClient(o).fetchDirectory());
}

// Before any CA is stored the directory is read unverified, but the provisioning request already
// verifies the server against the directory's CA.
TEST_F(IdprovClientTest, FirstRequestVerifiesTheServerAgainstTheDirectoryCa) {
    ServerState otherState;
    otherState.ca = &ca;
    otherState.foreignCa = &foreignCa;
    FakeGateway clientCertGateway(otherState, serverIdentity(ca, CertificateUsage::Client));
    IdprovClientOptions o = options();
    o.directoryUrl = clientCertGateway.directoryUrl();
    IdprovClient client(o);
    EXPECT_NO_THROW(client.fetchDirectory());
    EXPECT_THROW(client.enroll(), std::runtime_error);
    std::lock_guard lock(otherState.mutex);
    EXPECT_TRUE(otherState.requests.empty());
}

TEST_F(IdprovClientTest, BadOptionsAndUnreachableServers) {
    IdprovClientOptions o = options();
    o.deviceId = "../etc";
    EXPECT_THROW(IdprovClient{o}, IdprovError);
    o = options();
    o.directoryUrl = "http://127.0.0.1:1/idprov/directory";
    EXPECT_THROW(IdprovClient(o).fetchDirectory(), IdprovError);
    o.directoryUrl = "not a url at all";
    EXPECT_THROW(IdprovClient(o).fetchDirectory(), IdprovError);
    o = options();
    o.oobSecret.clear();
    EXPECT_THROW(IdprovClient(o).enroll(), IdprovError);
    o = options();
    o.directoryUrl = "https://127.0.0.1:1/idprov/directory";  // nothing listens there
    try {
        (void)IdprovClient(o).fetchDirectory();
        FAIL();
    } catch (const IdprovError& e) {
        FAIL() << e.what();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("127.0.0.1:1"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace steward::idprov
