#pragma once
// Takes the MQTT API's requests off the MQTT network thread. That thread only copies a request
// into a bounded FIFO and goes back to reading: a network thread busy handling lets the broker's
// queue for stewardd overflow under a burst, and the broker drops what does not fit without a word
// (max_queued_messages, docs/broker.md). One dispatcher thread hands the requests on in arrival
// order: requests that change something must keep their order, and the router keeps per-request
// state that assumes a single caller.
//
// When `window` requests wait already, a new one is refused at once on the caller's thread
// ("busy: N requests are waiting ..."), so that every request gets an answer. stop() refuses what
// still waits and waits for the request being handled.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace steward::bridge {

class RequestDispatcher {
public:
    using Handler = std::function<void(const std::string& action, const std::string& payload)>;
    // How a refused request is answered: (action, payload, error). Must be callable from the
    // submitting thread, the dispatcher thread and the stopping thread.
    using Refuse = std::function<void(const std::string& action, const std::string& payload, const std::string& error)>;

    // Starts the dispatcher thread. `window`: requests waiting at most (at least 1).
    RequestDispatcher(std::size_t window, Handler handler, Refuse refuse, std::function<void(const std::string&)> log);
    // stop("the gateway is shutting down").
    ~RequestDispatcher();
    RequestDispatcher(const RequestDispatcher&) = delete;
    RequestDispatcher& operator=(const RequestDispatcher&) = delete;

    // Queued, or refused at once when the window is full or after stop(). Never waits for a handler.
    void submit(std::string action, std::string payload);
    // Every waiting request (then every new one) is refused with "cancelled: <why>"; returns once
    // the request being handled is done and the thread has ended. Idempotent.
    void stop(const std::string& why);

    std::size_t waiting() const;
    std::size_t window() const { return window_; }

private:
    void run();

    const std::size_t window_;
    Handler handler_;
    Refuse refuse_;
    std::function<void(const std::string&)> log_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::pair<std::string, std::string>> queue_;  // (action, payload)
    bool stopping_ = false;
    std::string why_;
    std::mutex stopMutex_;  // one stop() joins; a second one waits for it
    std::thread thread_;
};

}  // namespace steward::bridge
