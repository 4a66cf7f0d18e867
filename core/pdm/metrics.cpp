// Metrics: counters and windows of the latest samples, so that a restart does not set the
// gateway's figures back to zero.
#include <Poco/Data/Statement.h>

#include <limits>

#include "pdm/poco_pdm.hpp"

namespace steward::core::detail {

using namespace Poco::Data::Keywords;

void PocoPdm::addToCounter(const std::string& name, const std::string& label, std::uint64_t delta) {
    const std::string op = "addToCounter(" + name + (label.empty() ? "" : ", " + label) + ")";
    if (name.empty()) throw failure(op, "a counter needs a name");
    if (delta > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) throw failure(op, "delta out of range");
    write(op, [&] {
        std::string counter = name;
        std::string counterLabel = label;
        auto value = static_cast<std::int64_t>(delta);
        session_ << "INSERT INTO metric_counters (name, label, value) VALUES (?, ?, ?) "
                    "ON CONFLICT (name, label) DO UPDATE SET value = metric_counters.value + excluded.value",
            use(counter), use(counterLabel), use(value), now;
    });
}

std::vector<MetricCounter> PocoPdm::counters() const {
    return read("counters()", [&] {
        std::vector<std::string> names, labels;
        std::vector<std::int64_t> values;
        Poco::Data::Statement select(session_);
        select << "SELECT name, label, value FROM metric_counters ORDER BY name, label", into(names), into(labels), into(values);
        select.execute();
        std::vector<MetricCounter> out;
        out.reserve(names.size());
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (values[i] < 0) throw std::runtime_error("corrupt row: counter " + names[i] + " is negative");
            out.push_back({names[i], labels[i], static_cast<std::uint64_t>(values[i])});
        }
        return out;
    });
}

void PocoPdm::addSample(const std::string& series, std::int64_t value, std::size_t keep) {
    const std::string op = "addSample(" + series + ")";
    if (series.empty()) throw failure(op, "a series needs a name");
    if (keep == 0 || keep > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) throw failure(op, "keep out of range");
    write(op, [&] {
        std::string name = series;
        std::int64_t sample = value;
        session_ << "INSERT INTO metric_samples (series, value) VALUES (?, ?)", use(name), use(sample), now;
        // The newest `keep` stay: whatever is at or below the id `keep` places down from the newest goes.
        auto offset = static_cast<std::int64_t>(keep);
        session_ << "DELETE FROM metric_samples WHERE series = ? AND id <= "
                    "(SELECT id FROM metric_samples WHERE series = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
            use(name), use(name), use(offset), now;
    });
}

std::vector<std::int64_t> PocoPdm::samples(const std::string& series) const {
    return read("samples(" + series + ")", [&] {
        std::string name = series;
        std::vector<std::int64_t> values;
        Poco::Data::Statement select(session_);
        select << "SELECT value FROM metric_samples WHERE series = ? ORDER BY id", use(name), into(values);
        select.execute();
        return values;
    });
}

}  // namespace steward::core::detail
