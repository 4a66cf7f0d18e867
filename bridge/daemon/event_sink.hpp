#pragma once
// Where the daemon's parts announce what happened; the MQTT bridge implements it (events on
// <base>/bridge/event, retained device state), tests may record it.
#include <Poco/JSON/Object.h>

#include <string>

#include "steward/model/uuid.hpp"

namespace steward::bridge {

class EventSink {
public:
    virtual ~EventSink() = default;
    // type: "device_discovered", "pairing_request", "device_owned", "ownership_failed", ...
    virtual void event(const std::string& type, Poco::JSON::Object::Ptr data) = 0;
    // The device's retained state (and the device list) need publishing again.
    virtual void deviceChanged(const core::Uuid& id) = 0;
    virtual void metricsChanged() = 0;
};

}  // namespace steward::bridge
