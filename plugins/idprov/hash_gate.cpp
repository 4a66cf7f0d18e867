#include "hash_gate.hpp"

#include <algorithm>
#include <utility>

namespace steward::plugins::idprov {

HashGate::HashGate(unsigned concurrent, double perMinute, std::chrono::milliseconds queueWait)
    : concurrent_(std::max(1u, concurrent)), queueWait_(queueWait), budget_(perMinute) {}

HashGate::Ticket::Ticket(Ticket&& other) noexcept
    : refusal(other.refusal),
      retryAfterSeconds(other.retryAfterSeconds),
      gate_(std::exchange(other.gate_, nullptr)),
      host_(std::move(other.host_)),
      running_(other.running_) {}

HashGate::Ticket::~Ticket() {
    if (gate_ != nullptr) gate_->leave(host_, running_);
}

HashGate::Ticket HashGate::enter(const std::string& host, const std::string& deviceId) {
    Ticket refused(nullptr, host);
    std::unique_lock<std::mutex> lock(mutex_);
    if (inGate_.contains(host)) {
        ++refusals_;
        refused.refusal = Refusal::AddressBusy;
        refused.retryAfterSeconds = 1;
        return refused;
    }
    if (!budget_.allow(host + '\n' + deviceId)) {
        ++refusals_;
        refused.refusal = Refusal::AddressOverBudget;
        refused.retryAfterSeconds = 60;
        return refused;
    }
    const std::uint64_t me = nextArrival_++;
    waiting_.push_back(me);
    inGate_.insert(host);
    const bool myTurn = changed_.wait_for(lock, queueWait_, [&] { return waiting_.front() == me && running_ < concurrent_; });
    waiting_.erase(std::find(waiting_.begin(), waiting_.end(), me));
    if (!myTurn) {
        inGate_.erase(host);
        ++refusals_;
        lock.unlock();
        changed_.notify_all();  // the next in line may now be at the front
        refused.refusal = Refusal::ServerBusy;
        refused.retryAfterSeconds = 5;
        return refused;
    }
    ++running_;
    Ticket ticket(this, host);
    ticket.running_ = true;
    lock.unlock();
    changed_.notify_all();  // the next in line is now at the front (and may fit)
    return ticket;
}

void HashGate::leave(const std::string& host, bool running) {
    {
        const std::lock_guard<std::mutex> hold(mutex_);
        inGate_.erase(host);
        if (running) --running_;
    }
    changed_.notify_all();
}

std::uint64_t HashGate::refusals() const {
    const std::lock_guard<std::mutex> hold(mutex_);
    return refusals_;
}

}  // namespace steward::plugins::idprov
