#pragma once
// What the daemon knows of every device it has seen or owns, as published on MQTT
// (<base>/devices/<uuid>, <base>/bridge/devices): its status in the onboarding flow, how to reach
// it, what it offers. Owned devices come from the PDM at start; the rest from discovery.
// Thread-safe.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "steward/discovery/device_discovery.hpp"
#include "steward/pdm/provisioning_database.hpp"

namespace steward::bridge {

// Blocked: unowned, and not owned unasked: the user removed it (the PDM's blocked devices) and only
// request/admit or an explicit request/own lifts that. A removed device shows as Removed until it
// is seen again: then Blocked (remove) or Unowned (reset, or admitted).
enum class DeviceStatus { Unowned, PendingApproval, Denied, Owning, Owned, Provisioned, Failed, Removed, Blocked };
std::string_view toString(DeviceStatus s);

struct DeviceView {
    core::Uuid id;
    std::string name;
    std::vector<std::string> deviceTypes;
    std::vector<int> oxms;  // methods offered (unowned devices)
    std::string otm;        // the method used (owned devices)
    DeviceStatus status = DeviceStatus::Unowned;
    std::string address;
    std::uint16_t port = 0;
    std::uint16_t securePort = 0;
    std::string error;                                  // why the last attempt failed
    std::vector<std::string> policies;                  // applied
    std::string blockReason;                            // Blocked: why (the PDM's reason)
    std::chrono::system_clock::time_point blockedAt{};  // Blocked: since when
    std::chrono::system_clock::time_point lastSeen{};
};

// The PDM's record of the policies applied to a device, put on its view (policies, error, and
// Provisioned or Owned for an owned view), and taken from it.
void restoreApplied(DeviceView& view, const core::AppliedPolicies& applied);
core::AppliedPolicies appliedOf(const DeviceView& view);

class DeviceDirectory {
public:
    // Owned devices of the PDM become Owned views, or Provisioned ones with their policies as the
    // PDM recorded them (appliedPolicies).
    void loadOwned(const core::ProvisioningDatabase& pdm);
    // Blocked devices of the PDM not known yet become Blocked views (an owned one stays Owned).
    // Returns the UUIDs added.
    std::vector<core::Uuid> loadBlocked(const core::ProvisioningDatabase& pdm);
    // Records a discovery answer. `fresh`: never seen before in this run; `changed`: anything
    // published about it changed (not just the time it was last seen). `blocked`: the PDM's block
    // of the device, if any: an unowned answer of a blocked device makes it Blocked, of one no
    // longer blocked Unowned.
    struct Seen {
        DeviceView view;
        bool fresh = false;
        bool changed = false;
    };
    Seen seen(const core::DiscoveredDevice& d, const core::BlockedDevice* blocked = nullptr);
    // Changes one view under the lock; false if the device is unknown.
    bool update(const core::Uuid& id, const std::function<void(DeviceView&)>& change);
    std::optional<DeviceView> get(const core::Uuid& id) const;
    std::vector<DeviceView> all() const;  // ordered by UUID
    // Each view in UUID order, under the lock, without copying them: `visit` must not call back
    // into the directory.
    void forEach(const std::function<void(const DeviceView&)>& visit) const;
    // The discovery answer a device was last seen with (for owning it), if any.
    std::optional<core::DiscoveredDevice> lastAnswer(const core::Uuid& id) const;
    void forget(const core::Uuid& id);

private:
    mutable std::mutex mutex_;
    std::map<core::Uuid, DeviceView> views_;
    std::map<core::Uuid, core::DiscoveredDevice> answers_;
};

// The JSON published for one device (`links`: the UUIDs it is linked with).
Poco::JSON::Object::Ptr deviceJson(const DeviceView& d, const std::vector<core::Uuid>& links);

// JSON arrays of device types, and of the methods offered by name.
Poco::JSON::Array::Ptr typesJson(const std::vector<std::string>& types);
Poco::JSON::Array::Ptr methodsJson(const std::vector<int>& oxms);

// "justworks"/"randompin" for oxm 0/1, else the OCF name.
std::string methodName(int oxm);

}  // namespace steward::bridge
