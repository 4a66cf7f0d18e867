#pragma once
// Runs a program as the user would: arguments, text on stdin, and what comes back on stdout,
// stderr and the exit code. Built on Poco::Process with pipes; a program that outlives
// `timeout` is killed, so a hanging binary fails its test instead of hanging the suite.

#include <chrono>
#include <string>
#include <vector>

namespace steward::test {

struct ProcessResult {
    int exitCode = -1;  // the program's exit status; 256 + signal number if a signal ended it
    std::string out;
    std::string err;
    bool timedOut = false;
};

ProcessResult runProcess(const std::string& program, const std::vector<std::string>& args, const std::string& input = "",
                         std::chrono::milliseconds timeout = std::chrono::seconds(30));

// The full path of `name` found on PATH (Poco::Process needs a path), or `name` if absent.
std::string findOnPath(const std::string& name);

}  // namespace steward::test
