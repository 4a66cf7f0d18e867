// libFuzzer target for a device's request handling over time: a sequence of requests from several
// peers applied to one device, as a real device sees them (issue 13.4: two POSTs on a Just-Works
// session reached a signed overflow that a one-request fuzzer, starting from a fresh state every
// time, could never find). Every request goes through the access decision; the granted ones (and,
// to reach deeper states, those whose frame says so) are applied; whatever was applied must store
// and load again.
//
// Input: frames of [selector][length: 2 bytes, big-endian][one CoAP datagram], at most 16.
//   selector bits 0-1: who sends it (anonymous, the owner, peer A, peer B); bit 2: over DTLS;
//   bit 3: on the ownership session; bit 4: an ownership session is open; bit 7: apply even if
//   refused. The device starts unowned in RFOTM.
#include <cstdlib>

#include "device_update_driver.hpp"
#include "steward/device/access_policy.hpp"
#include "steward/device/svr_updates.hpp"
#include "steward/model/resource_codec.hpp"
#include "steward/svr/factory_defaults.hpp"
#include "steward/transport/coap_wire.hpp"

using namespace steward::core;

namespace {

const Uuid kDevice = Uuid::parse("8e745791-bc63-4a15-7e33-93e1b25fef99").value();
const Uuid kOwner = Uuid::parse("2b7c9f0e-5a1d-4c3b-9e8f-1a2b3c4d5e6f").value();
const Uuid kPeerA = Uuid::parse("11111111-2222-3333-4444-555555555555").value();
const Uuid kPeerB = Uuid::parse("66666666-7777-8888-9999-aaaaaaaaaaaa").value();
constexpr int kMaxFrames = 16;

std::optional<Uuid> sender(std::uint8_t selector) {
    switch (selector & 3U) {
        case 1:
            return kOwner;
        case 2:
            return kPeerA;
        case 3:
            return kPeerB;
        default:
            return std::nullopt;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    SecurityResources svr = factoryResources(kDevice, DeviceProfile{{oxm::kJustWorks, oxm::kRandomPin}, true});
    std::size_t at = 0;
    for (int frame = 0; frame < kMaxFrames && at + 3 <= size; ++frame) {
        const std::uint8_t selector = data[at];
        const std::size_t length = (static_cast<std::size_t>(data[at + 1]) << 8) | data[at + 2];
        at += 3;
        if (length > size - at) return 0;
        CoapRequest request;
        try {
            request = requestFromWire(decodeCoapMessage({data + at, length}));
        } catch (const CoapWireError&) {
            at += length;
            continue;
        }
        at += length;

        AccessRequest access;
        access.method = request.method;
        access.path = normalisePath(request.path);
        access.secure = (selector & 4U) != 0;
        access.ownershipSession = access.secure && (selector & 8U) != 0;
        access.peer = access.secure ? sender(selector) : std::nullopt;
        const bool granted = checkAccess(svr, (selector & 16U) != 0, access).granted;
        if (!granted && (selector & 0x80U) == 0) continue;

        UpdateContext ctx;
        ctx.secure = access.secure;
        ctx.ownershipSession = access.ownershipSession;
        ctx.deriveOwnerPsk = [](const Uuid&) { return std::optional(std::vector<std::uint8_t>(16, 0x5A)); };
        steward::fuzz::applyAndCheck(svr, request, access.path, ctx, access.peer.value_or(Uuid{}));
    }
    return 0;
}
