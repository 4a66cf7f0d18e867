#include "discovery/discovery_answers.hpp"

#include <arpa/inet.h>
#include <net/if.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "cbor/object_reader.hpp"
#include "steward/model/resource_codec.hpp"

namespace steward::core::detail {

namespace {

constexpr std::string_view kDoxmHref = "/oic/sec/doxm";
constexpr std::string_view kAnchorScheme = "ocf://";

[[noreturn]] void reject(const std::string& reason) { throw AnswerRejected(reason, false); }
[[noreturn]] void lie(const std::string& reason) { throw AnswerRejected(reason, true); }

void requireContent(const CoapResponse& response, const char* what) {
    if (response.code != CoapCode::Content) {
        reject(std::string(what) + ": answered " + response.code.describe() + ", expected 2.05 Content");
    }
}

// Runs a CBOR reader, turning its DecodeError into a refusal of the answer.
template <typename Fn>
auto decoding(const char* what, Fn fn) {
    try {
        return fn();
    } catch (const DecodeError& e) {
        reject(std::string(what) + ": " + e.what());
    }
}

// An IP address as bytes, for comparing texts that spell one address differently ("::1" and
// "0:0::1"). Empty if `text` is not a numeric literal.
std::vector<std::uint8_t> addressBytes(const std::string& text) {
    std::array<std::uint8_t, 16> buffer{};
    if (inet_pton(AF_INET, text.c_str(), buffer.data()) == 1) return {buffer.begin(), buffer.begin() + 4};
    if (inet_pton(AF_INET6, text.c_str(), buffer.data()) == 1) return {buffer.begin(), buffer.end()};
    return {};
}

std::pair<std::string, std::string> splitZone(std::string_view host) {
    const auto percent = host.find('%');
    if (percent == std::string_view::npos) return {std::string(host), {}};
    return {std::string(host.substr(0, percent)), std::string(host.substr(percent + 1))};
}

std::string lowercase(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    return out;
}

}  // namespace

Doxm readDoxmAnswer(const CoapResponse& response) {
    requireContent(response, "doxm answer");
    Doxm doxm = decoding("doxm answer", [&] { return decodeDoxm(response.payload); });
    if (doxm.deviceuuid.isNil()) reject("doxm answer: deviceuuid is the nil UUID");
    return doxm;
}

void checkOwnedMatchesQuery(const Doxm& doxm, DiscoveryScope scope) {
    const bool wantOwned = scope == DiscoveryScope::Owned;
    if (scope != DiscoveryScope::All && doxm.owned != wantOwned) {
        lie("doxm answer from " + doxm.deviceuuid.toString() + " says owned=" + (doxm.owned ? "true" : "false") +
            " to a query for owned=" + (wantOwned ? "TRUE" : "FALSE"));
    }
}

std::optional<LinkEndpoint> parseLinkEndpoint(std::string_view ep) {
    const auto separator = ep.find("://");
    if (separator == std::string_view::npos) return std::nullopt;
    LinkEndpoint out;
    out.scheme = lowercase(ep.substr(0, separator));
    if (out.scheme != "coap" && out.scheme != "coaps" && out.scheme != "coap+tcp" && out.scheme != "coaps+tcp") {
        return std::nullopt;
    }
    std::string_view rest = ep.substr(separator + 3);
    std::string_view portText;
    if (!rest.empty() && rest.front() == '[') {
        const auto close = rest.find(']');
        if (close == std::string_view::npos || rest.substr(close + 1, 1) != ":") return std::nullopt;
        std::string host(rest.substr(1, close - 1));
        // RFC 6874 writes the zone separator as "%25"; some devices write a bare "%".
        if (const auto zone = host.find("%25"); zone != std::string::npos) host.erase(zone + 1, 2);
        out.host = std::move(host);
        portText = rest.substr(close + 2);
        const auto [address, zone] = splitZone(out.host);
        if (addressBytes(address).size() != 16 || (out.host.find('%') != std::string::npos && zone.empty())) {
            return std::nullopt;
        }
    } else {
        const auto colon = rest.find(':');
        if (colon == std::string_view::npos) return std::nullopt;
        out.host = std::string(rest.substr(0, colon));
        portText = rest.substr(colon + 1);
        if (addressBytes(out.host).size() != 4) return std::nullopt;
    }
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
    if (ec != std::errc() || end != portText.data() + portText.size() || port == 0 || port > 0xFFFF) {
        return std::nullopt;
    }
    out.port = static_cast<std::uint16_t>(port);
    return out;
}

bool sameHost(std::string_view epHost, std::string_view answeringHost) {
    // A zone in a device's ep names the *device's* interface, which means nothing here; the
    // address is what must match (and the answering address carries our own zone).
    const auto epAddress = splitZone(epHost).first;
    const auto address = splitZone(answeringHost).first;
    const auto bytes = addressBytes(epAddress);
    return !bytes.empty() && bytes == addressBytes(address);
}

namespace {

// Reads the doxm link's endpoints into `out`. `named`: the device the link belongs to (its
// anchor, or the enclosing "di" in the OIC 1.1 form); the caller checks it.
void readDoxmLink(const ObjectReader& link, std::string_view answeringHost, SecureLink& out) {
    link.forEach("eps", false, [&](const CborValue& item, const std::string& path) {
        const std::string ep = ObjectReader(item, path).text("ep");
        const auto parsed = parseLinkEndpoint(ep);
        if (!parsed) {
            out.refused.push_back(path + " \"" + ep + "\": not a numeric coap/coaps endpoint");
        } else if (!sameHost(parsed->host, answeringHost)) {
            out.refused.push_back(path + " \"" + ep + "\": not the answering address " + std::string(answeringHost));
        } else if (std::find(out.endpoints.begin(), out.endpoints.end(), ep) == out.endpoints.end()) {
            out.endpoints.push_back(ep);
            if (parsed->scheme == "coaps" && !out.securePort) out.securePort = parsed->port;
        }
    });
    // OIC 1.1 (IoTivity 1.x) has no eps: p {sec: true, port: N} names the secure port on the
    // answering address.
    if (!out.securePort && link.find("p") != nullptr) {
        const ObjectReader policy = link.object("p");
        if (policy.optBoolean("sec").value_or(false)) {
            if (auto port = policy.optInteger("port", 1, 0xFFFF)) out.securePort = static_cast<std::uint16_t>(*port);
        }
    }
}

void checkNamedDevice(const std::optional<Uuid>& named, const Uuid& device, const std::string& what) {
    if (*named != device) lie("/oic/res answer: the doxm link's " + what + " names " + named->toString() + ", not " + device.toString());
}

}  // namespace

SecureLink readResAnswer(const CoapResponse& response, const Uuid& device, std::string_view answeringHost, std::string_view href) {
    requireContent(response, "/oic/res answer");
    const CborValue root = decoding("/oic/res answer", [&] { return parseCbor(response.payload, "res"); });
    if (root.type() != CborValue::Type::Array) {
        reject("/oic/res answer: expected an array of links, got " + std::string(cborTypeName(root.type())));
    }
    SecureLink out;
    bool found = false;
    decoding("/oic/res answer", [&] {
        for (std::size_t i = 0; i < root.items().size() && !found; ++i) {
            const ObjectReader item(root.items()[i], "res[" + std::to_string(i) + "]");
            if (item.find("links") != nullptr && item.find("href") == nullptr) {
                // OIC 1.1 form: [{di, links: [...]}], the device named once for all its links.
                const Uuid di = item.uuid("di");
                item.forEach("links", true, [&](const CborValue& l, const std::string& path) {
                    const ObjectReader link(l, path);
                    if (found || link.optText("href") != std::string(href)) return;
                    found = true;
                    checkNamedDevice(di, device, "di");
                    readDoxmLink(link, answeringHost, out);
                });
                continue;
            }
            if (item.optText("href") != std::string(href)) continue;
            found = true;
            const std::string anchor = item.text("anchor");
            const auto named =
                anchor.starts_with(kAnchorScheme) ? Uuid::parse(std::string_view(anchor).substr(kAnchorScheme.size())) : std::nullopt;
            if (!named) reject("/oic/res answer: " + item.childPath("anchor") + " \"" + anchor + "\" is not ocf://<uuid>");
            checkNamedDevice(named, device, "anchor");
            readDoxmLink(item, answeringHost, out);
        }
        return 0;
    });
    if (!found) reject("/oic/res answer: no link with href " + std::string(href));
    return out;
}

AnchoredLink readResProbeAnswer(const CoapResponse& response, std::string_view answeringHost) {
    requireContent(response, "/oic/res answer");
    const CborValue root = decoding("/oic/res answer", [&] { return parseCbor(response.payload, "res"); });
    if (root.type() != CborValue::Type::Array) {
        reject("/oic/res answer: expected an array of links, got " + std::string(cborTypeName(root.type())));
    }
    std::optional<Uuid> named;
    decoding("/oic/res answer", [&] {
        for (std::size_t i = 0; i < root.items().size() && !named; ++i) {
            const ObjectReader item(root.items()[i], "res[" + std::to_string(i) + "]");
            if (item.find("links") != nullptr && item.find("href") == nullptr) {
                named = item.uuid("di");
            } else if (item.optText("href") == std::string(kDoxmHref)) {
                const std::string anchor = item.text("anchor");
                if (anchor.starts_with(kAnchorScheme)) named = Uuid::parse(std::string_view(anchor).substr(kAnchorScheme.size()));
                if (!named) reject("/oic/res answer: " + item.childPath("anchor") + " \"" + anchor + "\" is not ocf://<uuid>");
            }
        }
        return 0;
    });
    if (!named) reject("/oic/res answer: no link with href /oic/sec/doxm");
    return AnchoredLink{*named, readResAnswer(response, *named, answeringHost)};
}

DeviceInfo readDeviceAnswer(const CoapResponse& response, const Uuid& device) {
    requireContent(response, "/oic/d answer");
    return decoding("/oic/d answer", [&] {
        const CborValue root = parseCbor(response.payload, "d");
        const ObjectReader d(root, "d");
        const Uuid di = d.uuid("di");
        if (di != device) lie("/oic/d answer: di names " + di.toString() + ", not " + device.toString());
        DeviceInfo info;
        info.name = d.optText("n").value_or("");
        for (auto& type : d.textArray("rt")) {
            if (type != "oic.wk.d") info.deviceTypes.push_back(std::move(type));
        }
        return info;
    });
}

}  // namespace steward::core::detail
