#pragma once
// Ids for new credentials and ACEs (credid, aceid: OCF ints, 1..INT_MAX). The ids already in use
// arrive from the network, up to INT_MAX itself, so "the largest plus one" can overflow: past the
// largest, the smallest free id is taken instead, and nullopt only when every id is in use.
#include <climits>
#include <optional>
#include <set>

namespace steward::core::detail {

class IdAllocator {
public:
    void markUsed(int id) {
        if (id > 0) used_.insert(id);
    }
    std::optional<int> next() {
        int candidate = 1;
        if (!used_.empty() && *used_.rbegin() < INT_MAX) {
            candidate = *used_.rbegin() + 1;
        } else {
            // The first gap from 1 (the set is ordered: walk while ids are consecutive).
            for (const int id : used_) {
                if (id != candidate) break;
                if (candidate == INT_MAX) return std::nullopt;
                ++candidate;
            }
        }
        used_.insert(candidate);
        return candidate;
    }

private:
    std::set<int> used_;
};

}  // namespace steward::core::detail
