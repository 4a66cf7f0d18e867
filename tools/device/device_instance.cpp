#include "device_instance.hpp"

#include "steward/device/device_certificates.hpp"
#include "steward/svr/device_id_source.hpp"
#include "steward/svr/factory_defaults.hpp"
#include "steward/util/fault_injection.hpp"

namespace steward::tools {
namespace {

using core::CoapCode;
using core::CoapResponse;

}  // namespace

DeviceInstance::DeviceInstance(InstanceConfig config, EventLog& log) : config_(std::move(config)), log_(log) {
    core::DeviceIdSource ids;
    if (config_.uuidSeed) ids.setSeed(*config_.uuidSeed);
    core::DeviceProfile profile;
    profile.oxms = {config_.otm == OtmChoice::RandomPin ? core::oxm::kRandomPin : core::oxm::kJustWorks};
    profile.directPairing = config_.directPairing;
    auto db = core::SvrDatabase::openOrCreate(config_.svrdbFile, profile, ids);
    const bool created = db.created();

    core::DeviceSecurityHooks hooks;
    const int index = config_.index;
    hooks.log = [this, index](const std::string& line) {
        log_.event(index, "state", line);
        wake();  // ownership may have started or ended: the DTLS listener may need a new hint
    };
    hooks.showPin = [this, index](std::string_view shown) {
        // The display: this sample device's display is its log (the seed's sample server prints it).
        const std::string pin(shown);
        log_.event(index, "pin", "============================ PIN CODE : " + pin + " ============================", {{"pin", pin}});
    };
    hooks.keyMaterial = [this](core::SessionId session) -> std::optional<core::TlsKeyMaterial> {
        // Called on the DTLS endpoint's own I/O thread, where this runs inline.
        return secure_->tlsKeyMaterial(session);
    };
    core::DeviceSecurityOptions securityOptions;
    securityOptions.ownershipSessionIdle = config_.ownershipTimeout;
    securityOptions.directPairing = config_.directPairing;
    security_ = std::make_unique<core::DeviceSecurity>(std::move(db), std::move(hooks), securityOptions);
    description_.name = config_.name;
    if (!security_->deviceId().isPskUsable()) {
        log_.event(index, "warning",
                   "the device UUID contains a 0x00 byte, which a DTLS PSK identity hint cannot carry "
                   "(the TLS library takes C strings): the device sends no hint; gateways that choose "
                   "their key by hint cannot reach it. Another --uuid-seed avoids this.");
    }

    startSecureListener();

    core::PlainServerOptions plain;
    plain.bindAddress = config_.bindAddress;
    plain.port = config_.port;
    plain.multicastInterfaces = config_.multicastInterfaces;
    plain.multicastJitter = config_.multicastJitter;
    plain.log = [this, index](const std::string& line) {
        if (config_.verbose) log_.event(index, "coap", line);
    };
    plain_ = std::make_unique<core::PlainCoapServer>(
        plain, [this](const core::CoapRequest& r, const core::PeerInfo& p) { return dispatch(r, p); });

    maintenance_ = std::thread([this] { maintain(); });
    const auto state = security_->snapshot();
    log_.event(index, "ready",
               std::string(created ? "created " : "opened ") + config_.svrdbFile + ", " +
                   std::string(core::dosStateName(state.pstat.dos.state)) + (state.doxm.owned ? ", owned" : ", unowned"),
               {{"uuid", security_->deviceId().toString()},
                {"address", config_.bindAddress},
                {"port", std::to_string(port())},
                {"secure_port", std::to_string(securePort())},
                {"otm", std::string(core::oxm::name(state.doxm.oxms.empty() ? 0 : state.doxm.oxms.front()))},
                {"state", std::string(core::dosStateName(state.pstat.dos.state))}});
}

core::Uuid DeviceInstance::id() const { return security_->deviceId(); }

DeviceDescription DeviceInstance::currentDescription() const {
    // The UUID is the SVR DB's: an onboarding tool may assign a new one during ownership
    // (iotivity-lite's does), and a reset restores the original.
    DeviceDescription description = description_;
    description.id = security_->deviceId();
    return description;
}

DeviceInstance::~DeviceInstance() {
    {
        const std::lock_guard lock(wakeMutex_);
        stopping_ = true;
    }
    wakeCv_.notify_all();
    if (maintenance_.joinable()) maintenance_.join();
    plain_.reset();
    closing_ = true;  // the endpoint's shutdown delivers Closed events: no hint updates then
    secure_.reset();
}

void DeviceInstance::startSecureListener() {
    core::EndpointOptions options;
    options.bindAddress = config_.bindAddress;
    options.udpPort = std::nullopt;
    options.dtlsPort = config_.securePort;
    secureHint_ = security_->identityHint();
    options.serverPsk = core::ServerPskConfig{secureHint_, [this](std::span<const std::uint8_t> identity, const core::PeerInfo& peer) {
                                                  return security_->keyForIdentity(identity, peer);
                                              }};
    options.onSessionEvent = [this](const core::SessionEvent& e) {
        security_->onSessionEvent(e);
        refreshHint();
    };
    options.serverHandshakeTimeout = std::chrono::milliseconds(5000);
    // Assigned before any resource exists: handlers reach secure_ (for the session's secrets).
    secure_ = std::make_unique<core::CoapEndpoint>(std::move(options));
    for (const auto& path : hostedPaths(security_->snapshot().pconf.has_value())) {
        secure_->addResource(path, [this](const core::CoapRequest& r, const core::PeerInfo& p) { return dispatch(r, p); });
    }
    refreshCertificate();
}

void DeviceInstance::refreshCertificate() {
    // Once the gateway has given the device a certificate and a trust anchor, its DTLS port also
    // serves certificate sessions (mutual authentication, the peer known by its certificate's CN).
    if (closing_) return;
    auto pki = core::deviceCertificateCredentials(security_->snapshot().cred, security_->deviceId());
    if (!pki) return;
    {
        const std::lock_guard lock(hintMutex_);
        const auto fingerprint = pki->certificateChainPem + pki->trustedCaPem;
        if (fingerprint == certificateInUse_) return;
        certificateInUse_ = fingerprint;
    }
    if (secure_->setServerPki(std::move(*pki))) {
        log_.event(config_.index, "state", "certificate sessions enabled on the DTLS port");
    } else {
        log_.event(config_.index, "error", "the DTLS listener refused the device's certificate credentials");
    }
}

void DeviceInstance::refreshHint() {
    // The hint changes when ownership ends or a reset returns the device to RFOTM. Never hold a
    // lock across setIdentityHint: it may wait for the I/O thread, which may be in a handler.
    if (closing_) return;
    auto hint = security_->identityHint();
    {
        const std::lock_guard lock(hintMutex_);
        if (hint == secureHint_) return;
        secureHint_ = hint;
    }
    if (!secure_->setIdentityHint(std::move(hint))) {
        log_.event(config_.index, "error", "the DTLS listener refused the new PSK identity hint");
    } else if (config_.verbose) {
        log_.event(config_.index, "dtls", "PSK identity hint updated for the new state");
    }
}

void DeviceInstance::wake() {
    {
        const std::lock_guard lock(wakeMutex_);
        woken_ = true;
    }
    wakeCv_.notify_all();
}

void DeviceInstance::maintain() {
    // Lock order: the security engine calls wake() with its own lock held, so never ask the
    // engine anything while holding wakeMutex_.
    for (;;) {
        const auto due = security_->nextDueWork();
        {
            std::unique_lock lock(wakeMutex_);
            const auto deadline = due.value_or(std::chrono::steady_clock::now() + std::chrono::seconds(1));
            wakeCv_.wait_until(lock, deadline, [this] { return stopping_ || woken_; });
            if (stopping_) return;
            woken_ = false;
        }
        security_->runDueWork(std::chrono::steady_clock::now());
        refreshHint();
    }
}

CoapResponse DeviceInstance::discoveryResource(const core::CoapRequest& request, const core::PeerInfo& peer) {
    const auto path = core::normalisePath(request.path);
    if (request.method != core::CoapMethod::Get) return CoapResponse::withCode(CoapCode::MethodNotAllowed);
    const DeviceDescription description = currentDescription();
    if (path == "/oic/d") return CoapResponse::withPayload(CoapCode::Content, encodeDeviceInfo(description));
    if (path == "/oic/p") return CoapResponse::withPayload(CoapCode::Content, encodePlatformInfo(description));
    const auto state = security_->snapshot();
    ReachableAt at;
    const bool wildcardBind = config_.bindAddress == "0.0.0.0" || config_.bindAddress == "::";
    at.address = wildcardBind && !peer.localAddress.empty() ? peer.localAddress : config_.bindAddress;
    at.port = port();
    at.securePort = securePort();
    at.securityOverPlain = state.pstat.dos.state == core::DosState::Rfotm && !security_->ownershipSessionOpen();
    at.directPairing = state.pconf.has_value();
    bool any = false;
    auto links = encodeResourceLinks(description, at, request.query, any);
    if (!any) return CoapResponse::withCode(CoapCode::NotFound);
    return CoapResponse::withPayload(CoapCode::Content, std::move(links));
}

CoapResponse DeviceInstance::dispatch(const core::CoapRequest& request, const core::PeerInfo& peer) {
    const auto path = core::normalisePath(request.path);
    const auto paths = hostedPaths(security_->snapshot().pconf.has_value());
    if (std::find(paths.begin(), paths.end(), path) == paths.end()) return CoapResponse::withCode(CoapCode::NotFound);
    if (request.ocfContentFormatVersion && *request.ocfContentFormatVersion < core::kOcfVersion1_0) {
        return CoapResponse::withCode(CoapCode::UnsupportedContentFormat);
    }
    // Crash tests: the device dies on receiving this request (STEWARD_FAULT_KILL_AT="POST /oic/sec/cred").
    core::killIfFaultInjectedAt(std::string(core::toString(request.method)) + " " + path);
    const auto decision = security_->authorize(request, peer);
    if (!decision.granted) {
        if (config_.verbose) {
            log_.event(config_.index, "refused",
                       std::string(core::toString(request.method)) + " " + path + " from " + peer.remoteAddress + ": " + decision.reason +
                           " (" + decision.refusal.toString() + ")");
        }
        return CoapResponse::withCode(decision.refusal);
    }
    switch (core::classifyResource(path)) {
        case core::ResourceClass::Discovery:
            return discoveryResource(request, peer);
        case core::ResourceClass::Application:
            return light_.handle(request);
        default: {
            auto response = security_->handleSecurityRequest(request, peer);
            refreshHint();
            if (request.method != core::CoapMethod::Get) refreshCertificate();
            return response;
        }
    }
}

}  // namespace steward::tools
