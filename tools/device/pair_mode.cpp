#include "pair_mode.hpp"

#include <Poco/JSON/Object.h>

#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "discovery/discovery_answers.hpp"
#include "steward/cbor/decode_error.hpp"
#include "steward/crypto/ocf_kdf.hpp"
#include "steward/discovery/pairing_discovery.hpp"
#include "steward/model/resource_codec.hpp"
#include "steward/svr/svr_database.hpp"
#include "steward/transport/transport_log.hpp"
#include "util/id_allocator.hpp"

namespace steward::tools {
namespace {

constexpr int kExitPaired = 0;
constexpr int kExitFailed = 1;
constexpr int kExitRefused = 3;

// A failure with its exit status, thrown inside runPairing's steps.
struct PairingFailure {
    int status;
    std::string message;
};

[[noreturn]] void fail(int status, std::string message) { throw PairingFailure{status, std::move(message)}; }

std::string addressText(const core::PeerAddress& p) {
    return (p.host.find(':') != std::string::npos ? "[" + p.host + "]" : p.host) + ":" + std::to_string(p.port);
}

std::string_view methodName(int method) { return method == core::pairing_method::kRandomPin ? "random" : "preconfigured"; }

bool offers(const core::Pconf& p, int method) { return std::find(p.prm.begin(), p.prm.end(), method) != p.prm.end(); }

core::CoapResponse plainRequest(core::CoapEndpoint& endpoint, const PairOptions& o, const core::CoapRequest& request) {
    auto answer = endpoint.request(o.server, request, o.timeout);
    if (!answer) {
        fail(kExitFailed, std::string(core::toString(request.method)) + " " + request.path + " on " + addressText(o.server) +
                              " failed: " + answer.error().message);
    }
    return std::move(answer.value());
}

// Step 2: the server's pconf (a client without credentials may read it only while pairing is on).
core::Pconf readPconf(core::CoapEndpoint& endpoint, const PairOptions& o) {
    const auto response = plainRequest(endpoint, o, core::CoapRequest::get("/oic/sec/pconf"));
    if (response.code == core::CoapCode::Unauthorized || response.code == core::CoapCode::NotFound) {
        fail(kExitRefused, "the device at " + addressText(o.server) + " does not offer direct pairing now (" + response.code.describe() +
                               "): pairing is disabled, or it is not direct-pairing capable");
    }
    if (response.code != core::CoapCode::Content) fail(kExitFailed, "GET /oic/sec/pconf answered " + response.code.describe());
    try {
        auto pconf = core::decodePconf(response.payload);
        if (!pconf.edp) fail(kExitRefused, "direct pairing is disabled on the device at " + addressText(o.server));
        if (pconf.deviceuuid.isNil() || pconf.rowneruuid.isNil()) fail(kExitFailed, "the device's pconf names no device or owner");
        return pconf;
    } catch (const core::DecodeError& e) {
        fail(kExitFailed, std::string("the device's pconf is malformed: ") + e.what());
    }
}

int chooseMethod(const core::Pconf& pconf, const PairOptions& o) {
    if (o.method) {
        if (!offers(pconf, *o.method))
            fail(kExitRefused, "the device does not offer the " + std::string(methodName(*o.method)) + " PIN method");
        return *o.method;
    }
    // A PIN given up front is a pre-configured one; without one, a PIN shown on the device is
    // the friendlier choice where offered.
    if (o.pin && offers(pconf, core::pairing_method::kPreconfiguredPin)) return core::pairing_method::kPreconfiguredPin;
    if (offers(pconf, core::pairing_method::kRandomPin)) return core::pairing_method::kRandomPin;
    return core::pairing_method::kPreconfiguredPin;
}

// Step 2b: the DTLS port, from the dpairing link of /oic/res.
core::PeerAddress securePeer(core::CoapEndpoint& endpoint, const PairOptions& o, const core::Uuid& server) {
    auto request = core::CoapRequest::get("/oic/res");
    request.query = {"rt=oic.r.dpairing"};
    const auto response = plainRequest(endpoint, o, request);
    try {
        const auto link = core::detail::readResAnswer(response, server, o.server.host, "/oic/sec/dpairing");
        if (!link.securePort) fail(kExitFailed, "the device's dpairing link lists no coaps endpoint");
        return {o.server.host, *link.securePort};
    } catch (const core::detail::AnswerRejected& e) {
        fail(kExitFailed, std::string("cannot find the device's DTLS port: ") + e.what());
    }
}

// --pair-with discover: the one server that answered (or the one --pair-device names).
void findServer(PairOptions& o, std::ostream& err) {
    core::PairingDiscoveryOptions d;
    d.multicastInterfaces = o.multicastInterfaces;
    d.timeout = std::max(o.timeout, std::chrono::milliseconds(3000));  // answers come after up to 2 s of jitter
    if (o.verbose) d.log = [&err](const std::string& line) { err << "steward-device: " << line << '\n'; };
    auto servers = core::discoverPairingServers(d);
    if (o.serverId) std::erase_if(servers, [&](const core::PairingServer& s) { return s.pconf.deviceuuid != *o.serverId; });
    if (servers.empty()) fail(kExitFailed, "no device with direct pairing enabled answered on the named interfaces");
    if (servers.size() > 1) {
        std::string list;
        for (const auto& s : servers) list += "\n  " + s.pconf.deviceuuid.toString() + " at " + s.address + ":" + std::to_string(s.port);
        fail(kExitFailed, "several devices offer direct pairing; choose one with --pair-device UUID:" + list);
    }
    o.server = {servers.front().address, servers.front().port};
    err << "steward-device: found " << servers.front().pconf.deviceuuid.toString() << " at " << addressText(o.server) << '\n';
}

core::SecretBytes takePin(PairOptions& o, int method, std::istream& in, std::ostream& err) {
    if (o.pin) {
        auto pin = core::SecretBytes::adoptText(std::move(*o.pin));
        o.pin.reset();
        return pin;
    }
    err << (method == core::pairing_method::kRandomPin ? "Enter the PIN the device shows now: "
                                                       : "Enter the device's pre-configured pairing PIN: ")
        << std::flush;
    std::string line;
    if (!std::getline(in, line)) fail(kExitFailed, "no PIN was entered");
    if (::isatty(STDIN_FILENO) == 0) err << '\n';  // a piped PIN echoes nothing: end the prompt's line
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return core::SecretBytes::adoptText(std::move(line));
}

}  // namespace

int runPairing(const std::string& svrdbFile, PairOptions options, bool json, std::istream& in, std::ostream& out, std::ostream& err) {
    try {
        auto db = [&] {
            try {
                return core::SvrDatabase::open(svrdbFile);
            } catch (const core::SvrDbError& e) {
                fail(kExitFailed, e.what());
            }
        }();
        const core::Uuid self = db.resources().doxm.deviceuuid;
        if (!self.isPskUsable())
            fail(kExitFailed, "this device's UUID " + self.toString() + " contains a 0x00 byte and cannot be a PSK identity");
        if (!options.verbose) core::setTransportLogLevel(core::TransportLogLevel::Error);
        core::EndpointOptions endpointOptions;
        endpointOptions.udpPort = std::nullopt;  // a client only
        core::CoapEndpoint endpoint(endpointOptions);

        if (!options.multicastInterfaces.empty()) findServer(options, err);
        const core::Pconf pconf = readPconf(endpoint, options);
        const core::Uuid server = pconf.deviceuuid;
        if (options.serverId && *options.serverId != server) {
            fail(kExitFailed,
                 "the device at " + addressText(options.server) + " is " + server.toString() + ", not " + options.serverId->toString());
        }
        const int method = chooseMethod(pconf, options);
        const core::PeerAddress secure = securePeer(endpoint, options, server);

        // Step 3: ask to pair (plain). The device shows a fresh PIN now for the random method.
        core::Dpairing ask;
        ask.spm = method;
        ask.pdeviceuuid = self;
        ask.rowneruuid = pconf.rowneruuid;
        const auto asked = plainRequest(endpoint, options, core::CoapRequest::post("/oic/sec/dpairing", core::encodeDpairing(ask)));
        if (asked.code == core::CoapCode::ServiceUnavailable)
            fail(kExitRefused, "the device is pairing with another client; try again in a minute");
        if (asked.code == core::CoapCode::Forbidden)
            fail(kExitRefused, "the device refused to pair (this device is paired with it already, or pairing was disabled)");
        if (!asked.code.isSuccess()) fail(kExitRefused, "the device refused the pairing request: " + asked.code.describe());

        // Step 4: the PIN session. Identity: our raw UUID; key: PBKDF2(PIN, salt = pconf rowneruuid).
        const auto pin = takePin(options, method, in, err);
        if (pin.size() != 8 || !std::all_of(pin.text().begin(), pin.text().end(), [](char c) { return c >= '0' && c <= '9'; })) {
            fail(kExitFailed, "a pairing PIN is 8 digits");
        }
        auto pinKey = std::make_shared<core::SecretBytes>(core::derivePinPsk(pin.text(), pconf.rowneruuid));
        auto hintSeen = std::make_shared<bool>(true);
        auto session = endpoint.openSession(
            secure,
            [self, server, pinKey, hintSeen](std::span<const std::uint8_t> hint) -> std::optional<core::ClientPskCredentials> {
                // The server names itself by its raw UUID; a hint naming another device is not ours.
                if (const auto named = core::Uuid::fromRaw(hint); !hint.empty() && (!named || *named != server)) {
                    *hintSeen = false;
                    return std::nullopt;
                }
                core::ClientPskCredentials c;
                c.identity.assign(self.bytes().begin(), self.bytes().end());
                c.key = pinKey->clone();
                return c;
            },
            options.timeout);
        pinKey->wipe();
        if (!session) {
            if (!*hintSeen) fail(kExitFailed, "the DTLS server at " + addressText(secure) + " is not the device whose pconf was read");
            if (session.error().code == core::TransportErrorCode::HandshakeFailed) {
                fail(kExitRefused,
                     "the PIN was not accepted (the PIN session's handshake failed); the device counts wrong PINs and backs off");
            }
            fail(kExitFailed, "PIN session with " + addressText(secure) + " failed: " + session.error().message);
        }

        // Step 5: confirm on the PIN session; step 6: both derive the pairing key from it.
        core::Dpairing confirm;
        confirm.spm = 0;
        confirm.pdeviceuuid = self;
        auto confirmBody = core::dpairingToCbor(confirm);
        std::erase_if(confirmBody.entries(), [](const auto& e) { return e.first.textValue() == "rowneruuid"; });
        auto confirmed =
            endpoint.request(session.value(), core::CoapRequest::put("/oic/sec/dpairing", core::encodeCbor(confirmBody)), options.timeout);
        const auto km = endpoint.tlsKeyMaterial(session.value());
        endpoint.closeSession(session.value());
        if (!confirmed) fail(kExitFailed, "the pairing confirmation got no answer: " + confirmed.error().message);
        if (!confirmed.value().code.isSuccess())
            fail(kExitRefused, "the device refused the pairing confirmation: " + confirmed.value().code.describe());
        if (!km) fail(kExitFailed, "the PIN session's secrets are unavailable: cannot derive the pairing key");
        const core::SessionSecrets secrets{km->masterSecret, km->serverRandom, km->clientRandom};
        const auto key = core::deriveSessionBoundPsk(secrets, core::kDirectPairingLabel, server, self);

        // Step 6: store it with the server as subject (replacing an older key for it).
        db.modify([&](core::SecurityResources& r) {
            std::erase_if(r.cred.creds, [&](const core::Cred& c) {
                return c.credtype == core::credtype::kSymmetricPairwise && !c.subjectuuid.wildcard && c.subjectuuid.uuid == server;
            });
            core::detail::IdAllocator credids;
            for (const auto& c : r.cred.creds) credids.markUsed(c.credid.value_or(0));
            core::Cred cred;
            cred.credid = credids.next();
            if (!cred.credid) throw std::runtime_error("no free credid left in " + svrdbFile);
            cred.credtype = core::credtype::kSymmetricPairwise;
            cred.subjectuuid = core::CredSubject{server, false};
            cred.privatedata = core::EncodedData{std::vector<std::uint8_t>(key.data(), key.data() + key.size()), core::encoding::kRaw};
            r.cred.creds.push_back(std::move(cred));
        });

        if (json) {
            Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
            o.set("status", "paired");
            o.set("server", server.toString());
            o.set("method", std::string(methodName(method)));
            o.set("secure_address", addressText(secure));
            o.stringify(out);
            out << '\n';
        } else {
            out << "paired with " << server.toString() << " (" << methodName(method) << " PIN); its DTLS address is " << addressText(secure)
                << " (steward-device --svrdb " << svrdbFile << " --call " << addressText(secure) << " PATH)\n";
        }
        return kExitPaired;
    } catch (const PairingFailure& f) {
        err << "steward-device: " << f.message << '\n';
        return f.status;
    } catch (const std::exception& e) {
        err << "steward-device: pairing failed: " << e.what() << '\n';
        return kExitFailed;
    }
}

}  // namespace steward::tools
