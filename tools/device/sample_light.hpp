#pragma once
// The device's one application resource: a dimmable light at /a/light. GET returns
// {rt, value, brightness}; POST takes "value" (bool) and/or "brightness" (0-100), nothing else.
#include <mutex>

#include "steward/transport/coap_message.hpp"

namespace steward::tools {

class SampleLight {
public:
    core::CoapResponse handle(const core::CoapRequest& request);

private:
    std::mutex mutex_;
    bool on_ = false;
    int brightness_ = 100;
};

}  // namespace steward::tools
