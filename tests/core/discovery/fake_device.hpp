#pragma once
// A fake OCF device for discovery tests: one UDP socket on loopback, one thread, answering
// GET /oic/sec/doxm, /oic/res and /oic/d with NON responses built by coap_wire. Each behaviour can
// be bent (silent, malformed, lying) to exercise discovery's checks. It records every request.
#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cbor/object_reader.hpp"
#include "steward/model/resource_codec.hpp"
#include "steward/transport/coap_wire.hpp"
#include "steward/transport/udp_socket.hpp"

namespace steward::test {

using namespace std::chrono_literals;

struct FakeBehaviour {
    core::Doxm doxm;
    // Like iotivity-lite: a unicast doxm query for the other ownership state gets 4.00. false
    // makes it a liar that answers 2.05 with its real state anyway.
    bool honestAboutOwned = true;
    bool answerDoxm = true;
    bool answerRes = true;
    bool answerDevice = true;
    int doxmCopies = 1;                                    // answers to each doxm request
    bool wrongToken = false;                               // answers carry a token nobody asked for
    std::optional<std::vector<std::uint8_t>> doxmPayload;  // replaces the encoded doxm
    std::optional<core::Uuid> anchor;                      // the doxm link's anchor (default: deviceuuid)
    std::optional<core::Uuid> di;                          // /oic/d di (default: deviceuuid)
    std::uint16_t securePort = 49999;                      // the coaps ep it advertises
    std::vector<std::string> extraEps;                     // more eps in the doxm link
    std::string name = "fake light";
    std::vector<std::string> deviceTypes = {"oic.wk.d", "oic.d.light"};
};

class FakeDevice {
public:
    FakeDevice(const std::string& bindAddress, FakeBehaviour behaviour, std::uint16_t port = 0)
        : behaviour_(std::move(behaviour)),
          socket_(core::UdpSocket::bind(bindAddress, port)),
          host_(bindAddress),
          thread_([this] { run(); }) {}
    FakeDevice(const FakeDevice&) = delete;
    FakeDevice& operator=(const FakeDevice&) = delete;
    ~FakeDevice() {
        stop_ = true;
        thread_.join();
    }

    core::PeerAddress address() const { return {host_, socket_.localPort()}; }
    // "coap://127.0.0.1:P" / "coaps://[::1]:P" as this device advertises itself.
    std::string ep(const std::string& scheme, std::uint16_t port) const {
        const std::string host = host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;
        return scheme + "://" + host + ":" + std::to_string(port);
    }

    std::vector<core::CoapWireMessage> received() const {
        const std::lock_guard guard(mutex_);
        return received_;
    }
    std::vector<core::CoapRequest> requests(const std::string& path) const {
        std::vector<core::CoapRequest> out;
        for (const auto& m : received()) {
            const auto request = core::requestFromWire(m);
            if (request.path == path) out.push_back(request);
        }
        return out;
    }

private:
    void run() {
        while (!stop_) {
            auto datagram = socket_.receive(20ms);
            if (!datagram) continue;
            try {
                const auto message = core::decodeCoapMessage(datagram->bytes);
                {
                    const std::lock_guard guard(mutex_);
                    received_.push_back(message);
                }
                const auto request = core::requestFromWire(message);
                for (const auto& response : answer(request)) {
                    auto token = message.token;
                    if (behaviour_.wrongToken && !token.empty()) token[0] = static_cast<std::uint8_t>(token[0] ^ 0xFFU);
                    const auto wire = core::responseToWire(response, core::CoapMessageType::NonConfirmable, messageId_++, token);
                    socket_.sendTo(datagram->from, core::encodeCoapMessage(wire));
                }
            } catch (const std::exception&) {
                // a fake only serves well-formed requests
            }
        }
    }

    std::vector<core::CoapResponse> answer(const core::CoapRequest& request) const {
        using core::CoapCode;
        using core::CoapResponse;
        if (request.path == "/oic/sec/doxm" && behaviour_.answerDoxm) {
            const auto& d = behaviour_.doxm;
            const bool asksUnowned = !request.query.empty() && request.query[0] == "owned=FALSE";
            const bool asksOwned = !request.query.empty() && request.query[0] == "owned=TRUE";
            if (behaviour_.honestAboutOwned && ((asksUnowned && d.owned) || (asksOwned && !d.owned))) {
                return {CoapResponse::withCode(CoapCode::BadRequest)};
            }
            const auto payload = behaviour_.doxmPayload.value_or(core::encodeDoxm(d));
            return std::vector<CoapResponse>(static_cast<std::size_t>(behaviour_.doxmCopies),
                                             CoapResponse::withPayload(CoapCode::Content, payload));
        }
        if (request.path == "/oic/res" && behaviour_.answerRes) {
            return {CoapResponse::withPayload(CoapCode::Content, core::encodeCbor(links()))};
        }
        if (request.path == "/oic/d" && behaviour_.answerDevice) {
            return {CoapResponse::withPayload(CoapCode::Content, core::encodeCbor(deviceResource()))};
        }
        return {};
    }

    core::CborValue links() const {
        using core::CborValue;
        using core::entry;
        std::vector<CborValue> eps;
        for (const auto& e : {ep("coap", socket_.localPort()), ep("coaps", behaviour_.securePort)}) {
            eps.push_back(CborValue::map({entry("ep", CborValue::text(e))}));
        }
        for (const auto& e : behaviour_.extraEps) eps.push_back(CborValue::map({entry("ep", CborValue::text(e))}));
        const auto anchor = behaviour_.anchor.value_or(behaviour_.doxm.deviceuuid);
        return CborValue::array({CborValue::map({
            entry("anchor", CborValue::text("ocf://" + anchor.toString())), entry("href", CborValue::text("/oic/sec/doxm")),
            entry("rt", core::textArrayValue({"oic.r.doxm"})), entry("if", core::textArrayValue({"oic.if.baseline"})),
            entry("p", CborValue::map({entry("bm", CborValue::integer(1))})), entry("eps", CborValue::array(std::move(eps))),
            entry("x.org.example.unknown", CborValue::integer(7)),  // unknown keys are tolerated
        })});
    }

    core::CborValue deviceResource() const {
        using core::CborValue;
        using core::entry;
        return CborValue::map({
            entry("rt", core::textArrayValue(behaviour_.deviceTypes)),
            entry("n", CborValue::text(behaviour_.name)),
            entry("di", CborValue::text(behaviour_.di.value_or(behaviour_.doxm.deviceuuid).toString())),
            entry("icv", CborValue::text("ocf.2.0.5")),
        });
    }

    FakeBehaviour behaviour_;
    core::UdpSocket socket_;
    std::string host_;
    std::uint16_t messageId_ = 0x7000;
    mutable std::mutex mutex_;
    std::vector<core::CoapWireMessage> received_;
    std::atomic<bool> stop_{false};
    std::thread thread_;  // last: starts once everything above exists
};

}  // namespace steward::test
