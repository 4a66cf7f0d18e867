#pragma once
// What the device's POST handlers (svr_updates.cpp, direct_pairing.cpp) share: refusals, reading a
// body as a CBOR map, the writable-keys check, and turning a DecodeError into 4.00.
#include <algorithm>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "cbor/object_reader.hpp"
#include "steward/device/svr_updates.hpp"

namespace steward::core::detail {

inline UpdateOutcome refuse(CoapCode code, std::string reason) {
    UpdateOutcome o;
    o.code = code;
    o.reason = std::move(reason);
    return o;
}

inline UpdateOutcome badRequest(std::string reason) { return refuse(CoapCode::BadRequest, std::move(reason)); }

// Parses a POST body as a CBOR map; DecodeError for anything else.
inline CborValue parseBody(std::span<const std::uint8_t> payload, std::string_view resource) {
    CborValue body = parseCbor(payload, resource);
    const ObjectReader check(body, std::string(resource));  // throws unless a map
    (void)check;
    return body;
}

// The first key of `body` that is not in `allowed`.
inline std::optional<std::string> unknownKey(const CborValue& body, std::initializer_list<std::string_view> allowed) {
    for (const auto& [k, v] : body.entries()) {
        const auto& key = k.textValue();
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) return key;
    }
    return std::nullopt;
}

// fn(), with a DecodeError (a malformed body) answered 4.00.
template <typename Fn>
UpdateOutcome guarded(Fn&& fn) {
    try {
        return fn();
    } catch (const DecodeError& e) {
        return badRequest(e.what());
    }
}

}  // namespace steward::core::detail
