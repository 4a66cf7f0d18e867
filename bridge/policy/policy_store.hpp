#pragma once
// The active policy set of the daemon, replaced as a whole on reload (SIGHUP, or the MQTT
// request): a reload that fails leaves the last good set active.

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "policy/policy.hpp"

namespace steward::bridge {

struct ReloadResult {
    bool ok = false;
    std::string error;                 // PolicyError::what() when !ok ("FILE:LINE:COLUMN: KEY: DETAIL")
    std::vector<std::string> added;    // names, in the new set's order
    std::vector<std::string> removed;  // names, in the old set's order
    std::vector<std::string> changed;  // same name, other rules (match, aces or links)
    // The set before the reload (also when it failed): removed and changed policies' old rules,
    // to find the devices they applied to.
    std::shared_ptr<const PolicySet> previous;
};

// Thread-safe: current() may be called from any thread at any time, also during reload(); reloads
// run one at a time. A set handed out stays valid (and unchanged) for as long as it is held.
class PolicyStore {
public:
    PolicyStore();  // starts with an empty set

    // Loads every policy file of `dir` (loadPolicyDirectory) and, if all are good, makes them the
    // current set. Never throws PolicyError: a failure is reported in the result.
    ReloadResult reload(const std::filesystem::path& dir);

    std::shared_ptr<const PolicySet> current() const;  // never null

private:
    mutable std::mutex mutex_;  // guards current_
    std::mutex reloadMutex_;    // one reload at a time
    std::shared_ptr<const PolicySet> current_;
};

}  // namespace steward::bridge
