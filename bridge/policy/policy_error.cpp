#include "policy/policy_error.hpp"

#include <utility>

namespace steward::bridge {

namespace {
std::string format(const std::string& file, int line, int column, const std::string& key, const std::string& detail) {
    std::string out = file;
    if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
    out += ": ";
    if (!key.empty()) out += key + ": ";
    return out + detail;
}
}  // namespace

PolicyError::PolicyError(std::string file, int line, int column, std::string key, std::string detail)
    : std::runtime_error(format(file, line, column, key, detail)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      key_(std::move(key)),
      detail_(std::move(detail)) {}

}  // namespace steward::bridge
