// Certificates issued by the real IDProv plugin (started in this process on loopback), against the
// floor measured in the same run: one bare mutual-TLS handshake with the same kind of credentials
// (EC P-256 certificates from the same CA) plus one CA signature.
//  - Renewal: IdprovClient::renew() N times for one enrolled device. Every call opens two fresh
//    TLS connections, each with a new context (no session reuse): a verified GET of the directory,
//    then the provisioning request over mutual TLS. The client also makes a fresh P-256 key and stores key,
//    CA and certificate, the server the certificate: four atomic writes, two fsyncs each. The
//    time of those four writes alone is reported beside the floor (state lives under $TMPDIR: on
//    tmpfs an fsync costs nothing, on a disk it can dominate).
//  - OOB enrolment: M fresh devices, each enroll() with the default hash cost. That is four KDF
//    runs (the client hashes, the server verifies and hashes, the client verifies the server's
//    hash); one hash and one verify are timed alone beside each enrolment to show the KDF's share.
// One client, sequential: a rate is count / summed latency. Renewals and floor iterations are
// interleaved so that load from elsewhere (2 shared cores) hits both alike.
//
//   steward_idprov_bench [--renewals N] [--enrolments M] [--alg argon2id|pbkdf2|both] [--json]
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <span>
#include <thread>
#include <vector>

#include "idprov_server_fixture.hpp"
#include "percentile.hpp"
#include "steward/crypto/certificate_authority.hpp"
#include "steward/idprov/idprov_client.hpp"
#include "steward/idprov/oob_hash.hpp"
#include "steward/util/atomic_file.hpp"
#include "steward/version.hpp"
#include "support/temp_dir.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace steward;
namespace proto = steward::idprov;

using bench::percentile;

double msSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double perSecond(const std::vector<double>& ms) {
    double total = 0;
    for (double m : ms) total += m;
    return total > 0 ? static_cast<double>(ms.size()) * 1000.0 / total : 0;
}

// A TLS >= 1.2 context with `identity`, verifying the peer against `ca` alone (the IDProv server
// and IdprovClient do the same; Poco's own verify callback and host name check are bypassed).
Poco::Net::Context::Ptr makeContext(Poco::Net::Context::Usage usage, const core::Certificate& ca, const core::IssuedIdentity& identity) {
    Poco::Net::Context::Params params;
    params.loadDefaultCAs = false;
    Poco::Net::Context::Ptr context = new Poco::Net::Context(usage, params);
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    context->enableExtendedCertificateVerification(false);
    SSL_CTX* ctx = context->sslContext();
    if (X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca.native()) != 1 ||
        SSL_CTX_use_certificate(ctx, identity.certificate.native()) != 1 || SSL_CTX_use_PrivateKey(ctx, identity.key.native()) != 1) {
        throw std::runtime_error("cannot set up the floor's TLS context");
    }
    if (usage == Poco::Net::Context::TLS_SERVER_USE) SSL_CTX_add_client_CA(ctx, ca.native());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    return context;
}

// The floor's server: accepts, completes the handshake (which verifies the client's certificate),
// reads nothing, closes.
class BareTlsServer {
public:
    explicit BareTlsServer(Poco::Net::Context::Ptr context) : socket_(Poco::Net::SocketAddress("127.0.0.1", 0), 64, context) {
        thread_ = std::thread([this] {
            while (!stop_) {
                if (!socket_.poll(Poco::Timespan(0, 100000), Poco::Net::Socket::SELECT_READ)) continue;
                try {
                    Poco::Net::SecureStreamSocket peer = socket_.acceptConnection();
                    peer.completeHandshake();
                    peer.close();
                } catch (const Poco::Exception& e) {
                    std::cerr << "floor server: " << e.displayText() << '\n';
                }
            }
        });
    }
    ~BareTlsServer() {
        stop_ = true;
        thread_.join();
    }
    Poco::Net::SocketAddress address() const { return socket_.address(); }

private:
    Poco::Net::SecureServerSocket socket_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

// One floor connection: handshake, then wait for the server's close so that its side of the
// handshake (checking our certificate) is inside the time.
void bareHandshake(const Poco::Net::SocketAddress& server, Poco::Net::Context::Ptr context) {
    Poco::Net::SecureStreamSocket socket(server, context);
    char byte = 0;
    while (socket.receiveBytes(&byte, 1) > 0) {
    }
    socket.close();
}

struct OobFigures {
    std::string algorithm;
    int failures = 0;
    std::vector<double> enrolMs, hashMs, verifyMs;
};

OobFigures enrolFresh(test::IdprovServer& server, const std::filesystem::path& stores, proto::OobHashAlgorithm algorithm, int count) {
    OobFigures f;
    f.algorithm = proto::algorithmName(algorithm);
    for (int i = 0; i < count; ++i) {
        const std::string deviceId = "bench-" + f.algorithm + "-" + std::to_string(i);
        const std::string secret = "oob-secret-" + std::to_string(i);
        server.service().addOobSecret(deviceId, secret, "");
        proto::IdprovClientOptions o;
        o.directoryUrl = server.service().directoryUrl();
        o.deviceId = deviceId;
        o.oobSecret = secret;
        o.hashAlgorithm = algorithm;
        o.storeDirectory = stores / deviceId;
        proto::IdprovClient client(o);
        auto t = Clock::now();
        try {
            const auto r = client.enroll();
            if (r.status != proto::ProvisionStatus::Approved) throw std::runtime_error("not approved: " + r.message);
        } catch (const std::exception& e) {
            ++f.failures;
            std::cerr << deviceId << ": " << e.what() << '\n';
        }
        f.enrolMs.push_back(msSince(t));
        // The KDF alone, at the same (default) cost.
        t = Clock::now();
        const std::string hash = proto::hashOobSecret(secret, algorithm);
        f.hashMs.push_back(msSince(t));
        t = Clock::now();
        if (!proto::verifyOobHash(hash, secret, algorithm)) ++f.failures;
        f.verifyMs.push_back(msSince(t));
    }
    return f;
}

}  // namespace

int main(int argc, char** argv) {
    int renewals = 200;
    int enrolments = 20;
    std::vector<proto::OobHashAlgorithm> algorithms{proto::OobHashAlgorithm::Argon2id, proto::OobHashAlgorithm::Pbkdf2Sha256};
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--renewals" && i + 1 < argc) {
            renewals = std::max(1, std::stoi(argv[++i]));
        } else if (a == "--enrolments" && i + 1 < argc) {
            enrolments = std::max(0, std::stoi(argv[++i]));
        } else if (a == "--alg" && i + 1 < argc && std::string(argv[i + 1]) != "both") {
            const auto alg = proto::parseAlgorithm(argv[++i]);
            if (!alg) {
                std::cerr << "unknown --alg " << argv[i] << " (argon2id, pbkdf2 or both)\n";
                return 2;
            }
            algorithms = {*alg};
        } else if (a == "--alg" && i + 1 < argc) {
            ++i;  // both: the default
        } else if (a == "--json") {
            json = true;
        } else if (a == "--version") {
            std::cout << "steward_idprov_bench " << steward::core::versionText() << '\n';
            return 0;
        } else {
            std::cout << "usage: steward_idprov_bench [--renewals N] [--enrolments M] [--alg argon2id|pbkdf2|both] [--json]\n"
                         "       steward_idprov_bench --version\n";
            return a == "--help" ? 0 : 2;
        }
    }
    if (enrolments == 0) algorithms.clear();  // renewal only
    double load[1] = {0};
    ::getloadavg(load, 1);

    test::IdprovServer server;
    test::TempDir stores;
    Poco::Net::initializeSSL();

    // One enrolled device to renew (OOB at the default cost, once, untimed).
    proto::IdprovClientOptions o;
    o.directoryUrl = server.service().directoryUrl();
    o.deviceId = "bench-renewer";
    o.oobSecret = "renewer-secret";
    o.storeDirectory = stores / o.deviceId;
    server.service().addOobSecret(o.deviceId, o.oobSecret, "");
    proto::IdprovClient renewer(o);
    if (const auto r = renewer.enroll(); r.status != proto::ProvisionStatus::Approved) {
        std::cerr << "enrolment of the renewing device failed: " << r.message << '\n' << server.log();
        return 1;
    }

    // The floor: the same CA's certificates (server: P-256, serverAuth; client: a device's).
    core::CertificateProfile serverProfile;
    serverProfile.commonName = "bench floor server";
    serverProfile.usage = core::CertificateUsage::Server;
    serverProfile.subjectAltNames = {"127.0.0.1"};
    const core::Certificate caCert = server.ca().certificate();
    BareTlsServer floorServer(makeContext(Poco::Net::Context::TLS_SERVER_USE, caCert, server.ca().issueWithNewKey(serverProfile)));
    const auto device = renewer.store().load();
    if (!device) {
        std::cerr << "the renewing device stored no credentials\n";
        return 1;
    }
    const auto floorClient =
        makeContext(Poco::Net::Context::TLS_CLIENT_USE, caCert, core::IssuedIdentity{device->key, device->certificate});
    core::CertificateProfile deviceProfile;  // as the plugin issues them
    deviceProfile.commonName = o.deviceId;
    deviceProfile.organizationalUnit = "iotdevice";
    deviceProfile.usage = core::CertificateUsage::Client;
    deviceProfile.validity = std::chrono::hours(24 * 30);

    const std::string certPem = device->certificate.pem();
    const auto certBytes = std::span(reinterpret_cast<const std::uint8_t*>(certPem.data()), certPem.size());
    std::filesystem::create_directories(stores / "writes");

    std::vector<double> renewMs, handshakeMs, signMs, floorMs, writesMs;
    int renewFailures = 0, floorFailures = 0;
    for (int i = 0; i < renewals; ++i) {
        auto t = Clock::now();
        try {
            const auto r = renewer.renew();
            if (r.status != proto::ProvisionStatus::Approved) throw std::runtime_error("not approved: " + r.message);
        } catch (const std::exception& e) {
            ++renewFailures;
            std::cerr << "renewal " << i << ": " << e.what() << '\n';
        }
        renewMs.push_back(msSince(t));

        t = Clock::now();
        try {
            bareHandshake(floorServer.address(), floorClient);
        } catch (const Poco::Exception& e) {
            ++floorFailures;
            std::cerr << "floor handshake " << i << ": " << e.displayText() << '\n';
        }
        handshakeMs.push_back(msSince(t));
        const core::PublicKey subject = core::PrivateKey::generateEcKey().publicKey();  // not timed
        t = Clock::now();
        server.ca().issue(core::CertificateRequestSpec{deviceProfile, subject});
        signMs.push_back(msSince(t));
        floorMs.push_back(handshakeMs.back() + signMs.back());
        t = Clock::now();
        for (const char* name : {"key", "ca", "cert", "issued"}) core::writeFileAtomically(stores / "writes" / name, certBytes);
        writesMs.push_back(msSince(t));
    }

    int failures = renewFailures + floorFailures;
    std::vector<OobFigures> oob;
    for (const auto alg : algorithms) {
        oob.push_back(enrolFresh(server, stores.path(), alg, enrolments));
        failures += oob.back().failures;
    }

    const double renewRate = perSecond(renewMs), floorRate = perSecond(floorMs);
    const double renewP50 = percentile(renewMs, 0.5), renewP99 = percentile(renewMs, 0.99), floorP50 = percentile(floorMs, 0.5);
    if (json) {
        Poco::JSON::Object out(Poco::JSON_PRESERVE_KEY_ORDER);
        out.set("load_average_1m", load[0]);
        out.set("renewals", renewals);
        out.set("renewal_failures", renewFailures);
        out.set("floor_failures", floorFailures);
        out.set("renewals_per_second", renewRate);
        out.set("renewal_p50_ms", renewP50);
        out.set("renewal_p99_ms", renewP99);
        out.set("floor_per_second", floorRate);
        out.set("floor_p50_ms", floorP50);
        out.set("handshake_p50_ms", percentile(handshakeMs, 0.5));
        out.set("sign_p50_ms", percentile(signMs, 0.5));
        out.set("four_writes_p50_ms", percentile(writesMs, 0.5));
        out.set("renewal_p50_over_floor_p50", renewP50 / floorP50);
        out.set("renewal_rate_over_floor_rate", renewRate / floorRate);
        Poco::JSON::Array list;
        for (const auto& f : oob) {
            Poco::JSON::Object a(Poco::JSON_PRESERVE_KEY_ORDER);
            const double p50 = percentile(f.enrolMs, 0.5), kdf = percentile(f.hashMs, 0.5) + percentile(f.verifyMs, 0.5);
            a.set("algorithm", f.algorithm);
            a.set("enrolments", f.enrolMs.size());
            a.set("failures", f.failures);
            a.set("enrolments_per_second", perSecond(f.enrolMs));
            a.set("p50_ms", p50);
            a.set("p99_ms", percentile(f.enrolMs, 0.99));
            a.set("hash_p50_ms", percentile(f.hashMs, 0.5));
            a.set("verify_p50_ms", percentile(f.verifyMs, 0.5));
            a.set("kdf_share_of_p50", 2 * kdf / p50);  // two hashes and two verifies per enrolment
            list.add(a);
        }
        out.set("oob", list);
        out.stringify(std::cout);
        std::cout << '\n';
    } else {
        std::cout << "load average (1 min) at start: " << load[0] << "\n";
        std::cout << "renewal: " << renewals - renewFailures << "/" << renewals << " = " << renewRate << " certificates/s; p50 " << renewP50
                  << " ms, p99 " << renewP99 << " ms\n";
        std::cout << "floor: mTLS handshake + one signature = " << floorRate << "/s; p50 " << floorP50 << " ms (handshake p50 "
                  << percentile(handshakeMs, 0.5) << " ms, sign p50 " << percentile(signMs, 0.5) << " ms)\n";
        std::cout << "beside it: the four fsync'd file writes of a renewal, alone: p50 " << percentile(writesMs, 0.5) << " ms\n";
        std::cout << "renewal / floor: p50 x" << renewP50 / floorP50 << ", throughput x" << renewRate / floorRate << "\n";
        for (const auto& f : oob) {
            const double p50 = percentile(f.enrolMs, 0.5), hash = percentile(f.hashMs, 0.5), verify = percentile(f.verifyMs, 0.5);
            std::cout << "OOB " << f.algorithm << ": " << f.enrolMs.size() - static_cast<std::size_t>(f.failures) << "/" << f.enrolMs.size()
                      << " enrolments = " << perSecond(f.enrolMs) << "/s; p50 " << p50 << " ms, p99 " << percentile(f.enrolMs, 0.99)
                      << " ms; alone: hash p50 " << hash << " ms + verify p50 " << verify
                      << " ms; 2 x (hash + verify) = " << 100 * 2 * (hash + verify) / p50 << "% of the enrolment p50\n";
        }
    }
    return failures == 0 ? 0 : 1;
}
