#include "steward/onboarding/ownership_service.hpp"

#include <optional>
#include <stdexcept>

#include "steward/model/doxm.hpp"
#include "steward/model/resource_codec.hpp"
#include "steward/onboarding/ownership_completion.hpp"

namespace steward::core {
namespace {

OwnOutcome failure(std::string step, std::string error) {
    OwnOutcome o;
    o.result.failedStep = std::move(step);
    o.result.error = std::move(error);
    return o;
}

}  // namespace

std::string_view toString(Resolution r) {
    switch (r) {
        case Resolution::Owned:
            return "owned";
        case Resolution::Finished:
            return "owned (the interrupted transfer was finished: ACL installed, normal operation)";
        case Resolution::Removed:
            return "removed";
        case Resolution::Unreachable:
            return "unreachable";
    }
    return "?";
}

OwnOutcome OwnershipService::own(const DiscoveredDevice& device, const OwnOptions& options) {
    std::shared_ptr<const OwnershipTransferProvider> provider;
    if (options.method) {
        if (std::find(device.oxms.begin(), device.oxms.end(), *options.method) == device.oxms.end()) {
            return failure("choose a method", "the device does not offer " + std::string(oxm::name(*options.method)));
        }
        provider = registry_.ownershipProvider(*options.method);
        if (!provider) return failure("choose a method", "no plugin provides " + std::string(oxm::name(*options.method)));
    } else {
        for (int m : device.oxms) {
            if ((provider = registry_.ownershipProvider(m))) break;
        }
        if (!provider) return failure("choose a method", "no plugin provides any method the device offers");
    }
    if (!device.securePort) return failure("choose a method", "the device's secure endpoint is unknown (no coaps ep)");
    if (provider->needsPin() && !options.pin) return failure("PIN", "this method needs a PIN and nobody can enter one");
    if (auto why = refusal(device)) {
        OwnOutcome refused = failure("check the provisioning database", *why);
        refused.result.deviceId = device.deviceId;
        refused.refused = true;
        return refused;
    }

    OwnershipRequest request;
    request.gatewayId = identity_.id();
    request.securityDomain = identity_.securityDomain();
    request.expectedDevice = device.deviceId;
    request.plain = {device.address, device.port};
    request.secure = {device.address, *device.securePort};
    request.pin = options.pin;
    request.progress = options.progress;
    request.stepTimeout = options.stepTimeout;
    const std::string label = provider->label();
    bool stored = false;
    request.persistOwnerCredential = [&](const Uuid& id, const SecretBytes& psk) {
        // refusal() cleared this UUID before the transfer; a record that appeared since (another
        // transfer of the same UUID) is never overwritten.
        if (const auto existing = pdm_.device(id); existing && existing->state != DeviceRecordState::Pending) {
            throw std::runtime_error("the provisioning database records " + id.toString() + " as owned: its credential is kept");
        }
        identity_.storeOwnerCredential(id, psk.bytes());
        DeviceRecord record;
        record.id = id;
        record.name = device.name;
        record.otm = label;
        record.address = device.address;
        record.port = device.port;
        record.securePort = *device.securePort;
        record.deviceTypes = device.deviceTypes;
        record.state = DeviceRecordState::Pending;
        pdm_.putDevice(record);
        stored = true;
        return true;
    };

    OwnOutcome outcome;
    outcome.method = label;
    outcome.result = provider->transfer(endpoint_, request);
    if (outcome.result.ok) {
        pdm_.setDeviceState(outcome.result.deviceId, DeviceRecordState::Owned);
    } else if (stored) {
        // The credential was stored before the failure: the device may or may not be ours now.
        if (auto record = pdm_.device(outcome.result.deviceId)) {
            const auto settled = resolve(*record);
            if (settled == Resolution::Owned || settled == Resolution::Finished) {
                // Owned after all (the failure came after the device took us as owner): a success,
                // with what happened kept as a note rather than reported as a failure.
                outcome.note = "the transfer failed at " + outcome.result.failedStep + " (" + outcome.result.error +
                               "), but the device reports us as its owner: kept as owned";
                outcome.result.ok = true;
                outcome.result.failedStep.clear();
                outcome.result.error.clear();
            }
        }
    }
    outcome.result.ownerPsk.wipe();  // it lives in the gateway's store, nowhere else
    return outcome;
}

OwnershipService::Probe OwnershipService::probe(const DeviceRecord& record) {
    auto psk = identity_.ownerCredential(record.id);
    if (!psk) return Probe::NotOurs;
    auto session = endpoint_.openSession({record.address, record.securePort}, ownerSessionPsk(identity_.id(), std::move(*psk)),
                                         std::chrono::seconds(3));
    if (!session) {
        // Refused: the device does not hold our credential (it reset itself). Silence: ask later.
        return session.error().code == TransportErrorCode::HandshakeFailed ? Probe::NotOurs : Probe::Unreachable;
    }
    auto answer = endpoint_.request(session.value(), CoapRequest::get("/oic/sec/doxm"), std::chrono::seconds(3));
    endpoint_.closeSession(session.value());
    if (!answer) return Probe::Unreachable;
    try {
        const auto doxm = decodeDoxm(answer.value().payload);
        if (answer.value().code.isSuccess() && doxm.owned && doxm.devowneruuid == identity_.id() && doxm.deviceuuid == record.id) {
            return Probe::Ours;
        }
    } catch (const DecodeError&) {
        // treated as "not ours"
    }
    return Probe::NotOurs;
}

Resolution OwnershipService::resolve(const DeviceRecord& record) {
    switch (probe(record)) {
        case Probe::Ours: {
            // Ours, but maybe stopped at RFPRO with half an ACL: finish it before calling it owned.
            auto psk = identity_.ownerCredential(record.id);
            if (!psk) return Resolution::Unreachable;
            auto session = endpoint_.openSession({record.address, record.securePort}, ownerSessionPsk(identity_.id(), std::move(*psk)),
                                                 std::chrono::seconds(3));
            if (!session) return Resolution::Unreachable;
            const auto completion = completeOwnership(endpoint_, session.value(), identity_.id(), {}, std::chrono::seconds(3));
            endpoint_.closeSession(session.value());
            if (completion.result == CompletionResult::Failed) return Resolution::Unreachable;
            pdm_.setDeviceState(record.id, DeviceRecordState::Owned);
            return completion.result == CompletionResult::Completed ? Resolution::Finished : Resolution::Owned;
        }
        case Probe::Unreachable:
            return Resolution::Unreachable;
        case Probe::NotOurs:
            break;
    }
    identity_.removeOwnerCredential(record.id);
    pdm_.removeDevice(record.id);
    return Resolution::Removed;
}

std::optional<std::string> OwnershipService::refusal(const DiscoveredDevice& device) {
    const auto record = pdm_.device(device.deviceId);
    if (!record) return std::nullopt;
    const std::string id = device.deviceId.toString();
    const std::string at = record->address + " port " + std::to_string(record->securePort);
    if (record->state == DeviceRecordState::Pending) {
        switch (resolve(*record)) {
            case Resolution::Removed:
                return std::nullopt;  // leftovers of an interrupted transfer
            case Resolution::Owned:
            case Resolution::Finished:
                return "already owned by this gateway (an interrupted transfer completed; it answers at " + at + ")";
            case Resolution::Unreachable:
                return "an interrupted transfer of " + id + " is unresolved: the device does not answer at " + at + "; try again later";
        }
    }
    switch (probe(*record)) {
        case Probe::Ours:
            return "already owned by this gateway (it answers over our owner credential at " + at + ")";
        case Probe::NotOurs:
            return "the provisioning database records " + id + " as owned, but the device at " + at +
                   " no longer holds our credential (reset?): remove it first (steward remove " + id +
                   ") so that its credentials are revoked everywhere, then own it again";
        case Probe::Unreachable:
            break;
    }
    return "the provisioning database records " + id + " as owned and it does not answer at " + at +
           ": another device may be answering as " + id + "; if the device was really reset, remove it first (steward remove " + id + ")";
}

std::vector<std::pair<Uuid, Resolution>> OwnershipService::resolvePending() {
    std::vector<std::pair<Uuid, Resolution>> out;
    for (const auto& record : pdm_.devicesInState(DeviceRecordState::Pending)) out.emplace_back(record.id, resolve(record));
    return out;
}

}  // namespace steward::core
