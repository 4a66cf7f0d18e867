#pragma once
// The devices one discovery call has found, keyed by UUID: one entry per device however many
// answers (IPv4 and IPv6, several probes) named it. Plain data; no I/O, no threads.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "discovery/discovery_answers.hpp"
#include "steward/discovery/device_discovery.hpp"

namespace steward::core::detail {

// Addresses of one device whose /oic/res is read; more answers from further addresses are
// merged but not followed up.
inline constexpr std::size_t kMaxAddressesPerDevice = 4;
inline constexpr std::size_t kMaxEndpointsPerDevice = 64;

class DeviceTable {
public:
    enum class Added {
        NewDevice,   // first answer for this UUID: follow up /oic/res and /oic/d
        NewAddress,  // known device, answering from another address: follow up /oic/res there
        Duplicate,   // nothing new
    };

    // Records a doxm answer from host:port. Throws AnswerRejected (not lying) if it contradicts
    // the first answer for the device (owned or devowneruuid differ), if the device was dropped
    // as lying earlier, or if the table already holds kMaxDiscoveredDevices devices.
    // `confirmed` false: a doxm assumed from an /oic/res link (DiscoveredDevice::ownerConfirmed);
    // a later confirmed answer for the device replaces it.
    Added add(const Doxm& doxm, const std::string& host, std::uint16_t port, bool confirmed = true);

    // Unions the link's endpoints into the device's; the secure port is taken only from an
    // answer from the device's first address (another family may use another port).
    void addSecureLink(const Uuid& device, const std::string& host, const SecureLink& link);
    void setInfo(const Uuid& device, DeviceInfo info);

    // Forgets a lying device; its later answers are refused.
    void drop(const Uuid& device);
    bool contains(const Uuid& device) const { return devices_.count(device) != 0; }
    // What is known of `device` so far; it must be contained.
    const DiscoveredDevice& device(const Uuid& device) const { return devices_.at(device).device; }

    // The devices in the order of their first answer.
    std::vector<DiscoveredDevice> devices() const;

private:
    struct Entry {
        DiscoveredDevice device;
        std::vector<std::string> addresses;  // "host port", the ones followed up
    };
    std::map<Uuid, Entry> devices_;
    std::vector<Uuid> order_;
    std::set<Uuid> dropped_;
};

}  // namespace steward::core::detail
