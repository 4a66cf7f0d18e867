// An MQTT request body (untrusted: anyone who may publish to the broker) through every reader the
// daemon's actions use: a value or a RequestError, never a crash or another exception.
#include <cstdint>
#include <string>

#include "request_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string payload(reinterpret_cast<const char*>(data), size);
    using namespace steward::bridge;
    Poco::JSON::Object::Ptr body;
    try {
        body = parseRequestBody(payload);
    } catch (const RequestError&) {
        return 0;
    }
    const auto attempt = [](auto&& read) {
        try {
            read();
        } catch (const RequestError&) {
        }
    };
    attempt([&] { textField(body, "device"); });
    attempt([&] { optionalText(body, "name"); });
    attempt([&] { uuidField(body, "device"); });
    attempt([&] { optionalInteger(body, "time", 0, 86400); });
    attempt([&] { permissionField(body, "permission"); });
    attempt([&] { resourcesField(body, "resources"); });
    attempt([&] { subjectField(body, "subject"); });
    attempt([&] { methodField(body, "method"); });
    attempt([&] { directPairingRequest(body); });
    return 0;
}
