#pragma once
// The two kinds of failure the editor reports, which map to its exit codes.

#include <stdexcept>

namespace steward::tools {

// The command line itself is wrong (unknown subcommand or option, missing argument): exit 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A value the user gave is unacceptable (bad permission, unknown aceid, wrong key length): exit 1,
// like every other operational error, and the database is left as it was.
class InputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace steward::tools
