#pragma once
// Reading what devices answer during discovery: the doxm answer to the probe, the doxm link of
// /oic/res and /oic/d. Pure functions of untrusted input: each either returns what it found or
// throws AnswerRejected with a reason fit for the log.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "steward/discovery/device_discovery.hpp"
#include "steward/model/doxm.hpp"
#include "steward/transport/coap_message.hpp"

namespace steward::core::detail {

class AnswerRejected : public std::runtime_error {
public:
    // `lying`: the answer is well-formed but contradicts the query or names another device, so
    // nothing this device says can be believed (it is dropped, not just the answer).
    AnswerRejected(const std::string& reason, bool lying) : std::runtime_error(reason), lying_(lying) {}
    bool lying() const { return lying_; }

private:
    bool lying_;
};

// The doxm of a probe answer. Refused: not 2.05, a payload decodeDoxm refuses, a nil deviceuuid.
Doxm readDoxmAnswer(const CoapResponse& response);
// Lying: for Unowned/Owned, `owned` differs from what the query asked for. Separate from the
// above so that the caller knows which device lied.
void checkOwnedMatchesQuery(const Doxm& doxm, DiscoveryScope scope);

// One "ep" of a link: "coaps://[fe80::1%25eth0]:5684" -> {"coaps", "fe80::1%eth0", 5684}.
struct LinkEndpoint {
    std::string scheme;
    std::string host;  // no brackets; an RFC 6874 zone ("%25") decoded to "%"
    std::uint16_t port = 0;
};
std::optional<LinkEndpoint> parseLinkEndpoint(std::string_view ep);

// Whether an ep host names the address an answer came from: the same IP address; a zone on the
// ep must match the answer's, a zone-less ep matches any (devices often leave it out).
bool sameHost(std::string_view epHost, std::string_view answeringHost);

struct SecureLink {
    std::vector<std::string> endpoints;       // accepted eps, in the link's order
    std::optional<std::uint16_t> securePort;  // first accepted coaps one
    std::vector<std::string> refused;         // one line per ep not accepted, for the log
};

// The doxm link (or the link of `href`) of an /oic/res?rt=oic.r.doxm answer from `answeringHost`.
// Refused: not 2.05, not an array of link maps, no such link, an anchor that is not
// "ocf://<uuid>"; lying: the anchor names a device other than `device`.
SecureLink readResAnswer(const CoapResponse& response, const Uuid& device, std::string_view answeringHost,
                         std::string_view href = "/oic/sec/doxm");

// An /oic/res?rt=oic.r.doxm answer to a probe (no device known yet): the device its doxm link
// names (anchor, or "di" in the OIC 1.1 form) and that link, as readResAnswer() reads it.
struct AnchoredLink {
    Uuid device;
    SecureLink link;
};
AnchoredLink readResProbeAnswer(const CoapResponse& response, std::string_view answeringHost);

struct DeviceInfo {
    std::string name;
    std::vector<std::string> deviceTypes;  // rt minus "oic.wk.d"
};

// /oic/d. Refused: not 2.05, not a map, "di" missing or not a UUID, "n"/"rt" of the wrong type;
// lying: "di" names a device other than `device`.
DeviceInfo readDeviceAnswer(const CoapResponse& response, const Uuid& device);

}  // namespace steward::core::detail
