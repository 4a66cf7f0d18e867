#pragma once
// Coalesces the publishing of the device list (<base>/bridge/devices), which carries every device
// and so costs O(N) per message: a change publishes it at once if the last publish is at least
// `minInterval` old (leading edge), else once at the end of that interval (trailing edge), so a
// burst of N changes costs at most two lists instead of N. The publishing runs on a small thread
// of its own; flush() publishes on the caller's thread. Publishes never overlap, and a list is
// always built after the change that asked for it (a change while a list is being built asks for
// another one). Thread-safe.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace steward::bridge {

class DeviceListPublisher {
public:
    using Clock = std::chrono::steady_clock;
    // `publish` builds the list from the current state and publishes it; it must not call back into
    // this object. `log` hears about exceptions `publish` throws (they are swallowed).
    DeviceListPublisher(std::chrono::milliseconds minInterval, std::function<void()> publish,
                        std::function<void(const std::string&)> log = {});
    // stop().
    ~DeviceListPublisher();
    DeviceListPublisher(const DeviceListPublisher&) = delete;
    DeviceListPublisher& operator=(const DeviceListPublisher&) = delete;

    // The list changed: published at once or at the end of the current interval (see above). Does
    // nothing after stop().
    void changed();
    // Publishes now, on this thread, whether or not a change is pending (e.g. the first list at
    // start-up); a pending trailing publish is dropped (this one carries it).
    void flush();
    // Publishes a pending change now, then ends the thread; later changes are ignored. Idempotent.
    void stop();

    std::uint64_t published() const;  // lists published so far

private:
    void run();
    void publishNow();

    const std::chrono::milliseconds minInterval_;
    const std::function<void()> publish_;
    const std::function<void(const std::string&)> log_;

    std::mutex publishMutex_;  // one publish at a time; taken before mutex_
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool pending_ = false;
    bool stopping_ = false;
    std::optional<Clock::time_point> last_;  // when the last publish started
    std::uint64_t published_ = 0;
    std::thread thread_;
};

}  // namespace steward::bridge
