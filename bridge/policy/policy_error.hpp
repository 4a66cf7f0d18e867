#pragma once
// The one exception the policy loader throws: where in which file, and which key.

#include <stdexcept>
#include <string>

namespace steward::bridge {

class PolicyError : public std::runtime_error {
public:
    // line/column are 1-based; 0 when the error has no position (a file that cannot be read, a
    // directory). key is the path of the value ("policies[0].aces[1].permission"), may be empty.
    // what() is "FILE:LINE:COLUMN: KEY: DETAIL", leaving out the parts that are absent.
    PolicyError(std::string file, int line, int column, std::string key, std::string detail);

    const std::string& file() const { return file_; }
    int line() const { return line_; }
    int column() const { return column_; }
    const std::string& key() const { return key_; }
    const std::string& detail() const { return detail_; }

private:
    std::string file_;
    int line_;
    int column_;
    std::string key_;
    std::string detail_;
};

}  // namespace steward::bridge
