#include "pin_broker.hpp"

#include <algorithm>

namespace steward::bridge {

PinBroker::Outcome PinBroker::wait(const PinRequest& request, std::chrono::milliseconds timeout, const std::function<void()>& onOpen) {
    std::unique_lock lock(mutex_);
    if (cancelled_) return {std::nullopt, Ended::Cancelled};
    const auto device = request.device;
    waiting_[device] = Slot{request, std::nullopt};
    if (onOpen) {
        lock.unlock();
        try {
            onOpen();
        } catch (...) {
            lock.lock();
            waiting_.erase(device);
            throw;
        }
        lock.lock();
    }
    cv_.wait_for(lock, timeout, [&] { return cancelled_ || waiting_[device].pin.has_value(); });
    auto pin = std::move(waiting_[device].pin);
    waiting_.erase(device);
    if (cancelled_) return {std::nullopt, Ended::Cancelled};
    if (!pin) return {std::nullopt, Ended::TimedOut};
    return {std::move(pin), Ended::Answered};
}

std::optional<core::SecretBytes> PinBroker::wait(const core::Uuid& device, std::chrono::milliseconds timeout) {
    PinRequest request;
    request.device = device;
    request.expiresAt = std::chrono::system_clock::now() + timeout;
    return wait(request, timeout).pin;
}

bool PinBroker::answer(const core::Uuid& device, core::SecretBytes pin) {
    {
        const std::lock_guard lock(mutex_);
        const auto it = waiting_.find(device);
        if (it == waiting_.end() || it->second.pin) return false;
        it->second.pin = std::move(pin);
    }
    cv_.notify_all();
    return true;
}

bool PinBroker::waiting(const core::Uuid& device) const {
    const std::lock_guard lock(mutex_);
    return waiting_.contains(device);
}

std::optional<PinRequest> PinBroker::open(const core::Uuid& device) const {
    const std::lock_guard lock(mutex_);
    const auto it = waiting_.find(device);
    if (it == waiting_.end()) return std::nullopt;
    return it->second.request;
}

std::size_t PinBroker::openCount() const {
    const std::lock_guard lock(mutex_);
    return waiting_.size();
}

void PinBroker::cancelAll() {
    {
        const std::lock_guard lock(mutex_);
        cancelled_ = true;
    }
    cv_.notify_all();
}

bool isWellFormedPin(const std::string& pin) {
    return pin.size() == 8 && std::all_of(pin.begin(), pin.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace steward::bridge
