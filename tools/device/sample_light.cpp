#include "sample_light.hpp"

#include "cbor/object_reader.hpp"
#include "steward/cbor/cbor_value.hpp"

namespace steward::tools {

using core::CborValue;
using core::CoapCode;
using core::CoapResponse;

CoapResponse SampleLight::handle(const core::CoapRequest& request) {
    const std::lock_guard lock(mutex_);
    if (request.method == core::CoapMethod::Post) {
        try {
            const CborValue body = core::parseCbor(request.payload, "light");
            const core::ObjectReader r(body, "light");
            for (const auto& [k, v] : body.entries()) {
                if (k.textValue() != "value" && k.textValue() != "brightness") return CoapResponse::withCode(CoapCode::BadRequest);
            }
            const auto value = r.optBoolean("value");
            const auto brightness = r.optInteger("brightness", 0, 100);
            if (value) on_ = *value;
            if (brightness) brightness_ = static_cast<int>(*brightness);
        } catch (const core::DecodeError&) {
            return CoapResponse::withCode(CoapCode::BadRequest);
        }
        return CoapResponse::withCode(CoapCode::Changed);
    }
    if (request.method != core::CoapMethod::Get) return CoapResponse::withCode(CoapCode::MethodNotAllowed);
    return CoapResponse::withPayload(CoapCode::Content,
                                     core::encodeCbor(CborValue::map({
                                         core::entry("rt", core::textArrayValue({"oic.r.switch.binary", "oic.r.light.brightness"})),
                                         core::entry("value", CborValue::boolean(on_)),
                                         core::entry("brightness", CborValue::unsignedInt(static_cast<std::uint64_t>(brightness_))),
                                     })));
}

}  // namespace steward::tools
