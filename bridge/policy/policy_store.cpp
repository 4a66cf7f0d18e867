#include "policy/policy_store.hpp"

#include "policy/policy_error.hpp"
#include "policy/policy_loader.hpp"

namespace steward::bridge {

namespace {

void diff(const PolicySet& before, const PolicySet& after, ReloadResult& result) {
    for (const auto& p : after.policies) {
        const Policy* old = before.find(p.name);
        if (old == nullptr) {
            result.added.push_back(p.name);
        } else if (!old->sameRules(p)) {
            result.changed.push_back(p.name);
        }
    }
    for (const auto& p : before.policies) {
        if (after.find(p.name) == nullptr) result.removed.push_back(p.name);
    }
}

}  // namespace

PolicyStore::PolicyStore() : current_(std::make_shared<const PolicySet>()) {}

ReloadResult PolicyStore::reload(const std::filesystem::path& dir) {
    const std::lock_guard reloading(reloadMutex_);
    ReloadResult result;
    result.previous = current();
    std::shared_ptr<const PolicySet> next;
    try {
        next = std::make_shared<const PolicySet>(loadPolicyDirectory(dir));
    } catch (const PolicyError& e) {
        result.error = e.what();
        return result;
    }
    diff(*result.previous, *next, result);
    {
        const std::lock_guard lock(mutex_);
        current_ = std::move(next);
    }
    result.ok = true;
    return result;
}

std::shared_ptr<const PolicySet> PolicyStore::current() const {
    const std::lock_guard lock(mutex_);
    return current_;
}

}  // namespace steward::bridge
