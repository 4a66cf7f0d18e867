#pragma once
// The provisioning worker: runs device operations off the MQTT thread, in order per device, so that
// a request never blocks the MQTT thread and two operations never race on one device.
//
// A job names the devices it touches; one that names none touches anything (a sync, applying the
// policies to every device) and runs alone. Jobs start in the order posted, except that a job may
// pass earlier ones that touch none of its devices, and one that touches everything may pass jobs
// that wait for a parked job's device. At most `workers` jobs run at once.
//
// A job that waits for a person (a transfer waiting for the PIN a user reads off the device) calls
// park(): while it waits it no longer counts as running, so the queue goes on (other requests,
// other pairing requests) while its devices stay reserved; when the wait ends it carries on beside
// whatever runs then.
//
// stop() drops the jobs still queued, telling each it was cancelled, and waits for the running and
// parked ones (end their waits first: PinBroker::cancelAll).
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "steward/model/uuid.hpp"

namespace steward::bridge {

class JobQueue {
public:
    struct Job {
        std::string name;                 // for logs
        std::function<void()> run;        // exceptions are caught and logged
        std::function<void()> cancelled;  // when dropped at shutdown; may be empty
        std::vector<core::Uuid> devices;  // what it touches; empty: everything (runs alone)
    };

    explicit JobQueue(std::function<void(const std::string&)> log, std::size_t workers = 1);
    ~JobQueue();
    JobQueue(const JobQueue&) = delete;
    JobQueue& operator=(const JobQueue&) = delete;

    // False (and nothing queued) after stop() or when kMaxQueued jobs wait already.
    bool post(Job job);
    std::size_t queued() const;
    std::size_t parked() const;
    std::size_t workers() const { return workers_; }
    void stop();

    // From inside a running job only: runs `wait` parked (see above). Elsewhere it just runs it.
    void park(const std::function<void()>& wait);

    static constexpr std::size_t kMaxQueued = 10000;
    // Threads beyond `workers` exist only for parked jobs; this bounds them.
    static constexpr std::size_t kMaxParked = 64;

private:
    struct Running {
        std::vector<core::Uuid> devices;
        bool parked = false;
    };

    void loop();
    // Index of the first queued job that may start now, or jobs_.size(). Under mutex_.
    std::size_t nextRunnable() const;
    bool conflictsWithRunning(const Job& job) const;
    void spawnIfNeeded();  // under mutex_

    std::function<void(const std::string&)> log_;
    const std::size_t workers_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<Job> jobs_;
    std::list<Running> running_;  // stable addresses: a running job's thread keeps a pointer
    std::size_t active_ = 0;      // running and not parked
    std::size_t idle_ = 0;        // threads waiting for a job
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace steward::bridge
