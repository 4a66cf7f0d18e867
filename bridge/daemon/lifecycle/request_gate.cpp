#include "request_gate.hpp"

namespace steward::bridge {

RequestGate::RequestGate(Refuse refuse) : refuse_(std::move(refuse)) {}

void RequestGate::handle(const std::string& action, const std::string& payload) {
    const std::lock_guard lock(mutex_);
    switch (state_) {
        case State::Holding:
            if (held_.size() < kMaxHeld) {
                held_.emplace_back(action, payload);
            } else {
                refuse_(action, payload, "the gateway is starting up and holds too many requests already; try again");
            }
            return;
        case State::Open:
            router_(action, payload);
            return;
        case State::Closed:
            refuse_(action, payload, why_);
            return;
    }
}

void RequestGate::open(Handler router) {
    const std::lock_guard lock(mutex_);
    if (state_ != State::Holding) return;
    router_ = std::move(router);
    for (; !held_.empty(); held_.pop_front()) router_(held_.front().first, held_.front().second);
    state_ = State::Open;
}

void RequestGate::close(const std::string& why) {
    const std::lock_guard lock(mutex_);
    if (state_ == State::Closed) return;
    state_ = State::Closed;
    why_ = why;
    router_ = nullptr;
    for (; !held_.empty(); held_.pop_front()) refuse_(held_.front().first, held_.front().second, why_);
}

}  // namespace steward::bridge
