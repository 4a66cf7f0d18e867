#pragma once
// Bounds the KDF work (Argon2id / PBKDF2 of an OOB hash) that unauthenticated clients can make
// the IDProv server do:
//  - overall: at most `concurrent` KDF runs at once; further requests wait in arrival order for
//    at most `queueWait`, then are told to come back (503), so a flood cannot pile up work;
//  - per client address: one request at a time in the gate (running or waiting), so one address
//    holds at most one KDF slot;
//  - per client address and deviceID: a budget of `perMinute` requests a minute (token bucket,
//    bursts of the same size); beyond, 429. Only a deviceID with a live secret is ever hashed, so
//    an address's total is bounded by the secrets the admin posted, and an installer enrolling
//    many devices from one laptop is not throttled across them.
// A legitimate device makes one such request per enrolment, so it never meets its own limits,
// and attackers with many addresses share the same few KDF slots with it in FIFO order.
// Thread-safe.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <set>
#include <string>

#include "rate_limiter.hpp"

namespace steward::plugins::idprov {

class HashGate {
public:
    HashGate(unsigned concurrent, double perMinute, std::chrono::milliseconds queueWait);

    enum class Refusal { None, AddressBusy, AddressOverBudget, ServerBusy };

    // Admission to the KDF, held until destroyed (move-only).
    class Ticket {
    public:
        Ticket(Ticket&& other) noexcept;
        Ticket& operator=(Ticket&&) = delete;
        Ticket(const Ticket&) = delete;
        ~Ticket();
        bool admitted() const { return refusal == Refusal::None; }
        Refusal refusal = Refusal::None;
        int retryAfterSeconds = 0;  // when refused

    private:
        friend class HashGate;
        Ticket(HashGate* gate, std::string host) : gate_(gate), host_(std::move(host)) {}
        HashGate* gate_ = nullptr;  // null: nothing to release
        std::string host_;
        bool running_ = false;
    };

    // Blocks up to queueWait for a slot. Check admitted() on the result.
    Ticket enter(const std::string& host, const std::string& deviceId);

    std::uint64_t refusals() const;

private:
    void leave(const std::string& host, bool running);

    unsigned concurrent_;
    std::chrono::milliseconds queueWait_;
    RateLimiter budget_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::set<std::string> inGate_;       // hosts with a request running or waiting
    std::deque<std::uint64_t> waiting_;  // arrival numbers, oldest first
    std::uint64_t nextArrival_ = 0;
    unsigned running_ = 0;
    std::uint64_t refusals_ = 0;
};

}  // namespace steward::plugins::idprov
