#pragma once
// The p-quantile (0..1) of a benchmark's samples, nearest rank; 0 for no samples.
#include <algorithm>
#include <cstddef>
#include <vector>

namespace steward::bench {

inline double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace steward::bench
