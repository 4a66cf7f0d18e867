#include "job_queue.hpp"

namespace steward::bridge {

JobQueue::JobQueue(std::function<void(const std::string&)> log) : log_(std::move(log)) {
    worker_ = std::thread([this] { loop(); });
}

JobQueue::~JobQueue() { stop(); }

bool JobQueue::post(Job job) {
    {
        const std::lock_guard lock(mutex_);
        if (stopping_ || jobs_.size() >= kMaxQueued) return false;
        jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
    return true;
}

std::size_t JobQueue::queued() const {
    const std::lock_guard lock(mutex_);
    return jobs_.size();
}

void JobQueue::stop() {
    std::deque<Job> dropped;
    {
        const std::lock_guard lock(mutex_);
        if (stopping_ && !worker_.joinable()) return;
        stopping_ = true;
        dropped.swap(jobs_);
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
    if (worker_.joinable() && worker_.get_id() != std::this_thread::get_id()) worker_.join();
}

void JobQueue::loop() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) return;  // stopping
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        try {
            job.run();
        } catch (const std::exception& e) {
            log_("job " + job.name + " failed: " + e.what());
        } catch (...) {
            log_("job " + job.name + " failed with a non-standard exception");
        }
    }
}

}  // namespace steward::bridge
