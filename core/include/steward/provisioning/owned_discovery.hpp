#pragma once
// Owned devices that refuse anonymous doxm reads (iotivity-lite) are found by discovery through
// their /oic/res doxm link only (DiscoveryOptions::ownedDevices): whether they are still ours is
// asked here, over the owner credential, as iotivity-lite's own onboarding tool does.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "steward/discovery/device_discovery.hpp"
#include "steward/onboarding/gateway_identity.hpp"
#include "steward/transport/coap_endpoint.hpp"

namespace steward::core {

// For each device with ownerConfirmed false: an owner session to its secure endpoint and
// GET /oic/sec/doxm, which must say owned by us under the same UUID. Confirmed devices get the
// doxm's methods and ownerConfirmed true; the others are removed from `devices`, each with a line
// for `log` (unreachable, refused: reset since, not ours). Blocks up to `timeout` per device.
void confirmOwnedDevices(CoapEndpoint& endpoint, const GatewayIdentity& identity, std::vector<DiscoveredDevice>& devices,
                         std::chrono::milliseconds timeout, const std::function<void(const std::string&)>& log);

}  // namespace steward::core
