#include "discovery/discovery_merge.hpp"

#include <algorithm>

namespace steward::core::detail {

namespace {

std::string ownership(bool owned, const Uuid& owner) {
    return owned ? "owned by " + owner.toString() : "unowned (devowneruuid " + owner.toString() + ")";
}

}  // namespace

DeviceTable::Added DeviceTable::add(const Doxm& doxm, const std::string& host, std::uint16_t port, bool confirmed) {
    const Uuid& id = doxm.deviceuuid;
    if (dropped_.count(id) != 0) {
        throw AnswerRejected("doxm answer from " + id.toString() + ": the device was dropped earlier as lying", false);
    }
    const std::string address = host + " " + std::to_string(port);
    const auto found = devices_.find(id);
    if (found == devices_.end()) {
        if (devices_.size() >= kMaxDiscoveredDevices) {
            throw AnswerRejected(
                "doxm answer from " + id.toString() + ": already " + std::to_string(kMaxDiscoveredDevices) + " devices found, ignored",
                false);
        }
        Entry entry;
        entry.device.deviceId = id;
        entry.device.oxms = doxm.oxms;
        entry.device.oxmsel = doxm.oxmsel;
        entry.device.owned = doxm.owned;
        entry.device.owner = doxm.devowneruuid;
        entry.device.ownerConfirmed = confirmed;
        entry.device.address = host;
        entry.device.port = port;
        entry.addresses.push_back(address);
        devices_.emplace(id, std::move(entry));
        order_.push_back(id);
        return Added::NewDevice;
    }
    Entry& entry = found->second;
    if (confirmed && !entry.device.ownerConfirmed) {
        // The device's own doxm answer replaces what we assumed from its /oic/res link.
        entry.device.oxms = doxm.oxms;
        entry.device.oxmsel = doxm.oxmsel;
        entry.device.owned = doxm.owned;
        entry.device.owner = doxm.devowneruuid;
        entry.device.ownerConfirmed = true;
    }
    if (entry.device.owned != doxm.owned || entry.device.owner != doxm.devowneruuid) {
        // Either the state changed mid-discovery or someone speaks for the device; the first
        // answer stands and the caller can discover again.
        throw AnswerRejected("doxm answer from " + id.toString() + " at " + host + ": says " + ownership(doxm.owned, doxm.devowneruuid) +
                                 ", contradicting its first answer (" + ownership(entry.device.owned, entry.device.owner) + "), ignored",
                             false);
    }
    if (std::find(entry.addresses.begin(), entry.addresses.end(), address) != entry.addresses.end() ||
        entry.addresses.size() >= kMaxAddressesPerDevice) {
        return Added::Duplicate;
    }
    entry.addresses.push_back(address);
    return Added::NewAddress;
}

void DeviceTable::addSecureLink(const Uuid& device, const std::string& host, const SecureLink& link) {
    const auto found = devices_.find(device);
    if (found == devices_.end()) return;
    DiscoveredDevice& d = found->second.device;
    for (const auto& ep : link.endpoints) {
        if (d.endpoints.size() >= kMaxEndpointsPerDevice) break;
        if (std::find(d.endpoints.begin(), d.endpoints.end(), ep) == d.endpoints.end()) d.endpoints.push_back(ep);
    }
    if (host == d.address && !d.securePort) d.securePort = link.securePort;
}

void DeviceTable::setInfo(const Uuid& device, DeviceInfo info) {
    const auto found = devices_.find(device);
    if (found == devices_.end()) return;
    found->second.device.name = std::move(info.name);
    found->second.device.deviceTypes = std::move(info.deviceTypes);
}

void DeviceTable::drop(const Uuid& device) {
    if (devices_.erase(device) != 0) order_.erase(std::remove(order_.begin(), order_.end(), device), order_.end());
    // Bounded like the table. Past the bound a liar that answers again is added afresh, and its
    // follow-ups (or the owned check) catch it again.
    if (dropped_.size() < kMaxDiscoveredDevices) dropped_.insert(device);
}

std::vector<DiscoveredDevice> DeviceTable::devices() const {
    std::vector<DiscoveredDevice> out;
    out.reserve(order_.size());
    for (const auto& id : order_) out.push_back(devices_.at(id).device);
    return out;
}

}  // namespace steward::core::detail
