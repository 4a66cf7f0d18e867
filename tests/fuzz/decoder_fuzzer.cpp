// libFuzzer target for one decoder (chosen at compile time). Any input must either decode or
// throw DecodeError; what decodes must re-encode to bytes that decode and re-encode identically
// (bytes, not values, are compared: a NaN never equals itself).
#include <algorithm>
#include <cstdlib>
#include <optional>

#include "steward/model/resource_codec.hpp"
#include "steward/svr/svr_file_format.hpp"
#include "steward/transport/coap_wire.hpp"

using namespace steward::core;

namespace {

template <typename Decode, typename Encode>
void roundTrip(ByteView input, Decode&& decode, Encode&& encode) {
    try {
        const auto encoded = encode(decode(input));
        if (encode(decode(encoded)) != encoded) std::abort();
    } catch (const DecodeError&) {
        // refused cleanly: what we want for bad input
    }
}

#if defined(STEWARD_FUZZ_DECODER_coap_wire)
// CoAP datagrams: decode or CoapWireError. Every option value and the payload encode in exactly
// one way, so what decodes must re-encode to the very input; the conversions may refuse (with
// CoapWireError only), and what they accept must convert back and encode without throwing.
void coapWireRoundTrip(ByteView input) {
    CoapWireMessage message;
    try {
        message = decodeCoapMessage(input);
    } catch (const CoapWireError&) {
        return;
    }
    const auto encoded = encodeCoapMessage(message);
    if (encodeCoapMessage(decodeCoapMessage(encoded)) != encoded) std::abort();
    if (!std::equal(encoded.begin(), encoded.end(), input.begin(), input.end())) std::abort();
    std::optional<CoapRequest> request;
    try {
        request = requestFromWire(message);
    } catch (const CoapWireError&) {
    }
    if (request) encodeCoapMessage(requestToWire(*request, message.messageId, message.token));  // an escape aborts
    std::optional<CoapResponse> response;
    try {
        response = responseFromWire(message);
    } catch (const CoapWireError&) {
    }
    if (response) encodeCoapMessage(responseToWire(*response, message.type, message.messageId, message.token));
}
#endif

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView input(data, size);
#if defined(STEWARD_FUZZ_DECODER_cbor)
    roundTrip(
        input, [](ByteView b) { return parseCbor(b, "fuzz"); }, encodeCbor);
#elif defined(STEWARD_FUZZ_DECODER_doxm)
    roundTrip(input, decodeDoxm, encodeDoxm);
#elif defined(STEWARD_FUZZ_DECODER_pstat)
    roundTrip(input, decodePstat, encodePstat);
#elif defined(STEWARD_FUZZ_DECODER_cred)
    roundTrip(input, decodeCred, [](const CredResource& c) { return encodeCred(c, PrivateData::Include); });
#elif defined(STEWARD_FUZZ_DECODER_acl2)
    roundTrip(input, decodeAcl2, encodeAcl2);
#elif defined(STEWARD_FUZZ_DECODER_pconf)
    roundTrip(input, decodePconf, [](const Pconf& p) { return encodePconf(p, PrivateData::Include); });
#elif defined(STEWARD_FUZZ_DECODER_dpairing)
    roundTrip(input, decodeDpairing, encodeDpairing);
#elif defined(STEWARD_FUZZ_DECODER_svrdb)
    roundTrip(input, decodeSvrDocument, encodeSvrDocument);
#elif defined(STEWARD_FUZZ_DECODER_coap_wire)
    coapWireRoundTrip(input);
#else
#error "define STEWARD_FUZZ_DECODER_<name>"
#endif
    return 0;
}
