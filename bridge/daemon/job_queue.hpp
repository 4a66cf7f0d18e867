#pragma once
// The provisioning worker: one thread that runs device operations one after the other, so that a
// request never blocks the MQTT thread and two operations never race on one device. stop()
// finishes the job in progress (transfers end, or roll back by closing their session) and drops
// the jobs still queued, telling each it was cancelled.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace steward::bridge {

class JobQueue {
public:
    struct Job {
        std::string name;                 // for logs
        std::function<void()> run;        // must not throw (exceptions are caught and logged)
        std::function<void()> cancelled;  // when dropped at shutdown; may be empty
    };

    explicit JobQueue(std::function<void(const std::string&)> log);
    ~JobQueue();
    JobQueue(const JobQueue&) = delete;
    JobQueue& operator=(const JobQueue&) = delete;

    // False (and nothing queued) after stop() or when `maxQueued` jobs wait already.
    bool post(Job job);
    std::size_t queued() const;
    void stop();

    static constexpr std::size_t kMaxQueued = 10000;

private:
    void loop();

    std::function<void(const std::string&)> log_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<Job> jobs_;
    bool stopping_ = false;
    std::thread worker_;
};

}  // namespace steward::bridge
