#pragma once
// A program started in the background for a whole test (a device, a broker): its stdout is read
// line by line as it comes, so a test can wait for "ready" or a PIN, and it is stopped with SIGTERM
// (then SIGKILL if it lingers) at the end.
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace steward::test {

class BackgroundProcess {
public:
    // Starts `program` (a path) with `args`; stderr goes to the same pipe as stdout.
    BackgroundProcess(const std::string& program, const std::vector<std::string>& args);
    ~BackgroundProcess();
    BackgroundProcess(const BackgroundProcess&) = delete;
    BackgroundProcess& operator=(const BackgroundProcess&) = delete;

    // Waits until a line satisfying `match` has been printed (lines from index `from` on);
    // returns its index and text, or nullopt at the deadline or when the program ended.
    std::optional<std::pair<std::size_t, std::string>> waitForLine(const std::function<bool(const std::string&)>& match,
                                                                   std::chrono::milliseconds timeout, std::size_t from = 0);
    std::vector<std::string> lines() const;
    // Writes `line` and a newline to the program's standard input; false if it is gone.
    bool writeLine(const std::string& line);
    std::string output() const;  // every line so far, for failure messages

    // SIGTERM, wait up to `timeout`; returns the exit status (256 + signal if killed by one,
    // -1 if it had to be SIGKILLed).
    int stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Waits for the program to exit by itself; its status as for stop(), or nullopt at the deadline.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    pid_t pid() const { return pid_; }

private:
    void readLoop(int fd);
    void awaitOutputEnd();

    pid_t pid_ = -1;
    int stdinFd_ = -1;
    std::thread reader_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> lines_;
    bool ended_ = false;
    std::optional<int> status_;
};

}  // namespace steward::test
