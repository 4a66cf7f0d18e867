#include "job_queue.hpp"

#include <algorithm>
#include <optional>

namespace steward::bridge {
namespace {

// The queue and running record of the job this thread runs (for park()).
struct Current {
    const JobQueue* queue = nullptr;
    void* running = nullptr;
};
thread_local Current current;

bool overlaps(const std::vector<core::Uuid>& a, const std::vector<core::Uuid>& b) {
    return std::any_of(a.begin(), a.end(), [&](const core::Uuid& id) { return std::find(b.begin(), b.end(), id) != b.end(); });
}

}  // namespace

JobQueue::JobQueue(std::function<void(const std::string&)> log, std::size_t workers)
    : log_(std::move(log)), workers_(std::max<std::size_t>(1, workers)) {}

JobQueue::~JobQueue() { stop(); }

bool JobQueue::post(Job job) {
    {
        const std::lock_guard lock(mutex_);
        if (stopping_ || jobs_.size() >= kMaxQueued) return false;
        jobs_.push_back(std::move(job));
        spawnIfNeeded();
    }
    cv_.notify_all();
    return true;
}

std::size_t JobQueue::queued() const {
    const std::lock_guard lock(mutex_);
    return jobs_.size();
}

std::size_t JobQueue::parked() const {
    const std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count_if(running_.begin(), running_.end(), [](const Running& r) { return r.parked; }));
}

void JobQueue::stop() {
    std::deque<Job> dropped;
    std::vector<std::thread> threads;
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
        dropped.swap(jobs_);
        threads.swap(threads_);
    }
    cv_.notify_all();
    for (auto& job : dropped) {
        if (!job.cancelled) continue;
        try {
            job.cancelled();
        } catch (const std::exception& e) {
            log_("cancelling job " + job.name + " failed: " + e.what());
        }
    }
    for (auto& t : threads) {
        if (t.get_id() == std::this_thread::get_id()) {
            t.detach();  // stop() from inside a job: that thread ends by itself
        } else if (t.joinable()) {
            t.join();
        }
    }
}

void JobQueue::park(const std::function<void()>& wait) {
    if (current.queue != this || current.running == nullptr) return wait();
    auto* running = static_cast<Running*>(current.running);
    {
        const std::lock_guard lock(mutex_);
        running->parked = true;
        --active_;
        spawnIfNeeded();
    }
    cv_.notify_all();
    const auto resume = [&] {
        const std::lock_guard lock(mutex_);
        running->parked = false;
        ++active_;
    };
    try {
        wait();
    } catch (...) {
        resume();
        throw;
    }
    resume();
}

bool JobQueue::conflictsWithRunning(const Job& job) const {
    return std::any_of(running_.begin(), running_.end(), [&](const Running& r) {
        if (r.devices.empty()) return !r.parked;  // runs alone while it is not parked
        return overlaps(r.devices, job.devices);
    });
}

std::size_t JobQueue::nextRunnable() const {
    if (active_ >= workers_) return jobs_.size();
    // Devices reserved by parked jobs, and by queued jobs that wait only for those: a job that
    // touches everything may pass these (it would otherwise wait for a person to type a PIN).
    std::vector<core::Uuid> waitingForParked;
    for (const auto& r : running_) {
        if (r.parked) waitingForParked.insert(waitingForParked.end(), r.devices.begin(), r.devices.end());
    }
    bool onlyParkedAhead = true;      // every job queued before this one waits for a parked job
    std::vector<core::Uuid> earlier;  // devices of the jobs queued before the one considered
    for (std::size_t i = 0; i < jobs_.size(); ++i) {
        const auto& job = jobs_[i];
        if (job.devices.empty()) {
            // Alone: when nothing else runs (parked jobs aside), after everything queued before it
            // that could run, and nothing queued after it passes it.
            return (onlyParkedAhead && active_ == 0) ? i : jobs_.size();
        }
        if (!overlaps(job.devices, earlier) && !conflictsWithRunning(job)) return i;
        if (overlaps(job.devices, waitingForParked)) {
            waitingForParked.insert(waitingForParked.end(), job.devices.begin(), job.devices.end());
        } else {
            onlyParkedAhead = false;
        }
        earlier.insert(earlier.end(), job.devices.begin(), job.devices.end());
    }
    return jobs_.size();
}

void JobQueue::spawnIfNeeded() {
    if (stopping_ || idle_ > 0) return;
    const auto parkedNow =
        static_cast<std::size_t>(std::count_if(running_.begin(), running_.end(), [](const Running& r) { return r.parked; }));
    if (threads_.size() >= workers_ + std::min(parkedNow, kMaxParked)) return;
    threads_.emplace_back([this] { loop(); });
}

void JobQueue::loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
        ++idle_;
        cv_.wait(lock, [&] { return stopping_ || nextRunnable() < jobs_.size(); });
        --idle_;
        if (stopping_) return;
        const auto index = nextRunnable();
        std::optional<Job> job(std::move(jobs_[index]));
        jobs_.erase(jobs_.begin() + static_cast<std::ptrdiff_t>(index));
        running_.push_back(Running{job->devices, false});
        const auto self = std::prev(running_.end());
        ++active_;
        current = {this, &*self};
        lock.unlock();
        try {
            job->run();
        } catch (const std::exception& e) {
            log_("job " + job->name + " failed: " + e.what());
        } catch (...) {
            log_("job " + job->name + " failed with a non-standard exception");
        }
        current = {};
        job.reset();  // what it captured is released outside the lock
        lock.lock();
        --active_;
        running_.erase(self);
        cv_.notify_all();  // its devices are free: queued jobs may start
    }
}

}  // namespace steward::bridge
