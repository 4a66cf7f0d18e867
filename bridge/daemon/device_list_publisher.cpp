#include "device_list_publisher.hpp"

#include <exception>

namespace steward::bridge {

DeviceListPublisher::DeviceListPublisher(std::chrono::milliseconds minInterval, std::function<void()> publish,
                                         std::function<void(const std::string&)> log)
    : minInterval_(minInterval), publish_(std::move(publish)), log_(std::move(log)) {
    thread_ = std::thread([this] { run(); });
}

DeviceListPublisher::~DeviceListPublisher() { stop(); }

void DeviceListPublisher::changed() {
    {
        const std::lock_guard lock(mutex_);
        if (stopping_ || pending_) return;
        pending_ = true;
    }
    wake_.notify_all();
}

void DeviceListPublisher::flush() {
    {
        const std::lock_guard lock(mutex_);
        if (stopping_) return;
        pending_ = false;
    }
    publishNow();
}

void DeviceListPublisher::stop() {
    bool pending = false;
    {
        const std::lock_guard lock(mutex_);
        if (stopping_ && !thread_.joinable()) return;
        stopping_ = true;
        pending = pending_;
        pending_ = false;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (pending) publishNow();
}

std::uint64_t DeviceListPublisher::published() const {
    const std::lock_guard lock(mutex_);
    return published_;
}

void DeviceListPublisher::publishNow() {
    const std::lock_guard publishing(publishMutex_);
    {
        const std::lock_guard lock(mutex_);
        last_ = Clock::now();
        ++published_;
    }
    try {
        publish_();
    } catch (const std::exception& e) {
        if (log_) log_(std::string("publishing the device list failed: ") + e.what());
    } catch (...) {
        if (log_) log_("publishing the device list failed: unknown exception");
    }
}

void DeviceListPublisher::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || pending_; });
        if (stopping_) return;
        if (last_) {
            const auto due = *last_ + minInterval_;
            if (Clock::now() < due) {
                // Trailing edge. flush() may publish meanwhile (and take the pending change along):
                // everything is looked at again after the wait.
                wake_.wait_until(lock, due, [this] { return stopping_; });
                continue;
            }
        }
        // Cleared before the list is built: a change made while it is built asks for another.
        pending_ = false;
        lock.unlock();
        publishNow();
        lock.lock();
    }
}

}  // namespace steward::bridge
