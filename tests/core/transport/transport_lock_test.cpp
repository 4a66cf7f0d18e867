// A handler that blocks (a device's fsync'd SVR write) must not stop the process's other
// endpoints: runWithoutTransportLock lets go of the process-wide libcoap lock while it works.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "steward/transport/coap_endpoint.hpp"
#include "transport/libcoap_runtime.hpp"

using namespace steward::core;
using namespace std::chrono_literals;

namespace {

EndpointOptions loopback() {
    EndpointOptions options;
    options.bindAddress = "127.0.0.1";
    options.udpPort = 0;
    return options;
}

std::vector<std::uint8_t> text(std::string_view s) { return {s.begin(), s.end()}; }

// Endpoint `slow`'s handler waits, outside the transport lock, until endpoint `fast` has answered
// a request; with the lock held throughout, `fast` could not answer and the wait would time out.
std::string slowHandlerOutcome(bool releaseLock) {
    CoapEndpoint slow(loopback());
    CoapEndpoint fast(loopback());
    CoapEndpoint client(loopback());
    std::promise<void> fastAnswered;
    auto answered = fastAnswered.get_future().share();
    slow.addResource("/slow", [&](const CoapRequest&, const PeerInfo&) {
        bool inTime = false;
        auto wait = [&] { inTime = answered.wait_for(1500ms) == std::future_status::ready; };
        if (releaseLock) {
            runWithoutTransportLock(wait);
        } else {
            wait();
        }
        return CoapResponse::withPayload(CoapCode::Content, text(inTime ? "others went on" : "others were stuck"));
    });
    fast.addResource("/fast", [](const CoapRequest&, const PeerInfo&) { return CoapResponse::withCode(CoapCode::Content); });

    auto slowReply = std::async(std::launch::async, [&] {
        return client.request({"127.0.0.1", slow.port()}, CoapRequest::get("/slow"), 10s);
    });
    std::this_thread::sleep_for(200ms);  // the slow handler is waiting now
    CoapEndpoint second(loopback());     // its own client thread: `client` waits for /slow
    const auto fastReply = second.request({"127.0.0.1", fast.port()}, CoapRequest::get("/fast"), 5s);
    if (fastReply && fastReply.value().code == CoapCode::Content) fastAnswered.set_value();
    const auto reply = slowReply.get();
    if (!reply) return "no reply: " + reply.error().message;
    return std::string(reply.value().payload.begin(), reply.value().payload.end());
}

}  // namespace

TEST(TransportLock, OtherEndpointsAnswerWhileAHandlerBlocksOutsideTheLock) { EXPECT_EQ(slowHandlerOutcome(true), "others went on"); }

TEST(TransportLock, AHandlerBlockingUnderTheLockStopsOtherEndpoints) {
    // The baseline that shows the test above can fail: the lock is process-wide.
    EXPECT_EQ(slowHandlerOutcome(false), "others were stuck");
}

TEST(TransportLock, EveryLevelIsReleasedAndTakenBackOnEveryPath) {
    auto& lock = detail::libcoapLock();
    const std::lock_guard outer(lock);
    const std::lock_guard inner(lock);  // recursive, as a handler calling setTransportLogLevel()
    auto otherThreadCanLock = [&] {
        return std::async(std::launch::async,
                          [&] {
                              if (!lock.try_lock()) return false;
                              lock.unlock();
                              return true;
                          })
            .get();
    };
    EXPECT_FALSE(otherThreadCanLock());
    runWithoutTransportLock([&] { EXPECT_TRUE(otherThreadCanLock()); });
    EXPECT_FALSE(otherThreadCanLock());
    EXPECT_THROW(runWithoutTransportLock([] { throw std::runtime_error("write failed"); }), std::runtime_error);
    EXPECT_FALSE(otherThreadCanLock());
    EXPECT_EQ(lock.releaseAll(), 2U);  // still exactly two levels held
    lock.reacquire(2);
}
