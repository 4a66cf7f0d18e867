#include "core_resources.hpp"

#include "cbor/object_reader.hpp"
#include "steward/cbor/cbor_value.hpp"
#include "steward/device/svr_updates.hpp"

namespace steward::tools {
namespace {

using core::CborValue;
using core::entry;

struct LinkSpec {
    const char* href;
    std::vector<std::string> rt;
    std::vector<std::string> interfaces;
    enum class Reach { Both, SecureOnly, Security } reach;
    int bitmap;  // p.bm: 1 discoverable, 2 observable
};

std::vector<LinkSpec> links(const DeviceDescription& device, bool directPairing) {
    std::vector<LinkSpec> out = {
        {"/oic/res", {"oic.wk.res"}, {"oic.if.ll", "oic.if.baseline"}, LinkSpec::Reach::Both, 1},
        {"/oic/d", {"oic.wk.d", device.deviceType}, {"oic.if.r", "oic.if.baseline"}, LinkSpec::Reach::Both, 1},
        {"/oic/p", {"oic.wk.p"}, {"oic.if.r", "oic.if.baseline"}, LinkSpec::Reach::Both, 1},
        {"/oic/sec/doxm", {"oic.r.doxm"}, {"oic.if.baseline"}, LinkSpec::Reach::Security, 1},
        {"/oic/sec/pstat", {"oic.r.pstat"}, {"oic.if.baseline"}, LinkSpec::Reach::Security, 1},
        {"/oic/sec/cred", {"oic.r.cred"}, {"oic.if.baseline"}, LinkSpec::Reach::Security, 1},
        {"/oic/sec/acl2", {"oic.r.acl2"}, {"oic.if.baseline"}, LinkSpec::Reach::Security, 1},
    };
    if (directPairing) {
        out.push_back({"/oic/sec/pconf", {"oic.r.pconf"}, {"oic.if.baseline"}, LinkSpec::Reach::Security, 1});
        out.push_back({"/oic/sec/dpairing", {"oic.r.dpairing"}, {"oic.if.baseline"}, LinkSpec::Reach::Security, 1});
    }
    out.push_back(
        {"/a/light", {"oic.r.switch.binary", "oic.r.light.brightness"}, {"oic.if.a", "oic.if.baseline"}, LinkSpec::Reach::SecureOnly, 3});
    return out;
}

std::string hostPart(const std::string& address) {
    // An IPv6 zone ("%eth0") names our own interface and means nothing to the client: left out.
    if (address.find(':') == std::string::npos) return address;
    return "[" + address.substr(0, address.find('%')) + "]";
}

CborValue endpoint(const std::string& scheme, const std::string& address, std::uint16_t port) {
    return CborValue::map({entry("ep", CborValue::text(scheme + "://" + hostPart(address) + ":" + std::to_string(port)))});
}

}  // namespace

std::vector<std::uint8_t> encodeResourceLinks(const DeviceDescription& device, const ReachableAt& at, const std::vector<std::string>& query,
                                              bool& anyMatched) {
    const auto rtFilter = core::queryValue(query, "rt");
    std::vector<CborValue> items;
    for (const auto& link : links(device, at.directPairing)) {
        if (rtFilter && std::find(link.rt.begin(), link.rt.end(), *rtFilter) == link.rt.end()) continue;
        std::vector<CborValue> eps;
        const bool plain = link.reach == LinkSpec::Reach::Both || (link.reach == LinkSpec::Reach::Security && at.securityOverPlain);
        if (plain) eps.push_back(endpoint("coap", at.address, at.port));
        eps.push_back(endpoint("coaps", at.address, at.securePort));
        std::vector<CborValue::Pair> m = {
            entry("anchor", CborValue::text("ocf://" + device.id.toString())),
            entry("href", CborValue::text(link.href)),
            entry("rt", core::textArrayValue(link.rt)),
            entry("if", core::textArrayValue(link.interfaces)),
            entry("p", CborValue::map({entry("bm", CborValue::unsignedInt(static_cast<std::uint64_t>(link.bitmap)))})),
            entry("eps", CborValue::array(std::move(eps))),
        };
        if (std::string(link.href) == "/oic/res") m.push_back(entry("rel", core::textArrayValue({"self"})));
        items.push_back(CborValue::map(std::move(m)));
    }
    anyMatched = !items.empty();
    return core::encodeCbor(CborValue::array(std::move(items)));
}

std::vector<std::uint8_t> encodeDeviceInfo(const DeviceDescription& device) {
    return core::encodeCbor(CborValue::map({
        entry("rt", core::textArrayValue({"oic.wk.d", device.deviceType})),
        entry("if", core::textArrayValue({"oic.if.r", "oic.if.baseline"})),
        entry("n", CborValue::text(device.name)),
        entry("di", core::uuidValue(device.id)),
        entry("piid", core::uuidValue(device.id)),
        entry("icv", CborValue::text("ocf.2.0.5")),
        entry("dmv", CborValue::text("ocf.res.1.3.0,ocf.sh.1.3.0")),
    }));
}

std::vector<std::uint8_t> encodePlatformInfo(const DeviceDescription& device) {
    return core::encodeCbor(CborValue::map({
        entry("rt", core::textArrayValue({"oic.wk.p"})),
        entry("if", core::textArrayValue({"oic.if.r", "oic.if.baseline"})),
        entry("pi", core::uuidValue(device.id)),
        entry("mnmn", CborValue::text("Steward")),
    }));
}

std::vector<std::string> hostedPaths(bool directPairing) {
    std::vector<std::string> out;
    for (const auto& l : links(DeviceDescription{}, directPairing)) out.emplace_back(l.href);
    return out;
}

}  // namespace steward::tools
