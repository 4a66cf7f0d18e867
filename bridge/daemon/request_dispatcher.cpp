#include "request_dispatcher.hpp"

#include <algorithm>
#include <exception>

namespace steward::bridge {

RequestDispatcher::RequestDispatcher(std::size_t window, Handler handler, Refuse refuse, std::function<void(const std::string&)> log)
    : window_(std::max<std::size_t>(window, 1)), handler_(std::move(handler)), refuse_(std::move(refuse)), log_(std::move(log)) {
    thread_ = std::thread([this] { run(); });
}

RequestDispatcher::~RequestDispatcher() { stop("the gateway is shutting down"); }

void RequestDispatcher::submit(std::string action, std::string payload) {
    std::string refusal;
    {
        const std::lock_guard lock(mutex_);
        if (stopping_) {
            refusal = "cancelled: " + why_;
        } else if (queue_.size() >= window_) {
            refusal = "busy: " + std::to_string(queue_.size()) + " requests are waiting (mqtt.max_pending_requests); try again later";
        } else {
            queue_.emplace_back(std::move(action), std::move(payload));
            wake_.notify_one();
            return;
        }
    }
    // Outside the lock: answering publishes, and the dispatcher thread must not wait for that.
    refuse_(action, payload, refusal);
}

void RequestDispatcher::stop(const std::string& why) {
    const std::lock_guard stopLock(stopMutex_);
    std::deque<std::pair<std::string, std::string>> left;
    {
        const std::lock_guard lock(mutex_);
        if (!stopping_) {
            stopping_ = true;
            why_ = why;
        }
        left.swap(queue_);
    }
    wake_.notify_all();
    // Answered before the wait: the request in progress may take a while, these need nothing.
    for (const auto& [action, payload] : left) {
        try {
            refuse_(action, payload, "cancelled: " + why_);
        } catch (const std::exception& e) {
            if (log_) log_("request " + action + " could not be answered as cancelled: " + e.what());
        }
    }
    if (thread_.joinable()) thread_.join();
}

std::size_t RequestDispatcher::waiting() const {
    const std::lock_guard lock(mutex_);
    return queue_.size();
}

void RequestDispatcher::run() {
    for (;;) {
        std::pair<std::string, std::string> request;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (stopping_) return;  // what is left is stop()'s to answer
            request = std::move(queue_.front());
            queue_.pop_front();
        }
        const auto& [action, payload] = request;
        try {
            handler_(action, payload);
        } catch (const std::exception& e) {
            // The handler answers its own errors; one that escapes still gets the request an answer.
            if (log_) log_("request " + action + " failed: " + e.what());
            try {
                refuse_(action, payload, std::string("internal error: ") + e.what());
            } catch (...) {
            }
        } catch (...) {
            if (log_) log_("request " + action + " failed: unknown exception");
            try {
                refuse_(action, payload, "internal error");
            } catch (...) {
            }
        }
    }
}

}  // namespace steward::bridge
