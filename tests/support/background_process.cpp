#include "background_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace steward::test {

BackgroundProcess::BackgroundProcess(const std::string& program, const std::vector<std::string>& args) {
    ::signal(SIGPIPE, SIG_IGN);  // a program that exits must not take the test down with a write
    int fds[2];
    int input[2];
    if (::pipe2(fds, O_CLOEXEC) != 0 || ::pipe2(input, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> argvStrings{program};
    argvStrings.insert(argvStrings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : argvStrings) argv.push_back(s.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        ::dup2(input[0], STDIN_FILENO);
        ::dup2(fds[1], STDOUT_FILENO);
        ::dup2(fds[1], STDERR_FILENO);
        ::execv(program.c_str(), argv.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    ::close(input[0]);
    stdinFd_ = input[1];
    reader_ = std::thread([this, fd = fds[0]] { readLoop(fd); });
}

BackgroundProcess::~BackgroundProcess() {
    stop(std::chrono::seconds(5));
    if (stdinFd_ >= 0) ::close(stdinFd_);
    if (reader_.joinable()) reader_.join();
}

void BackgroundProcess::readLoop(int fd) {
    std::string partial;
    char buffer[4096];
    for (;;) {
        const auto n = ::read(fd, buffer, sizeof(buffer));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        partial.append(buffer, static_cast<std::size_t>(n));
        std::size_t nl;
        while ((nl = partial.find('\n')) != std::string::npos) {
            {
                const std::lock_guard lock(mutex_);
                lines_.push_back(partial.substr(0, nl));
            }
            changed_.notify_all();
            partial.erase(0, nl + 1);
        }
    }
    ::close(fd);
    const std::lock_guard lock(mutex_);
    if (!partial.empty()) lines_.push_back(partial);
    ended_ = true;
    changed_.notify_all();
}

std::optional<std::pair<std::size_t, std::string>> BackgroundProcess::waitForLine(const std::function<bool(const std::string&)>& match,
                                                                                  std::chrono::milliseconds timeout, std::size_t from) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mutex_);
    for (std::size_t i = from;;) {
        for (; i < lines_.size(); ++i) {
            if (match(lines_[i])) return std::make_pair(i, lines_[i]);
        }
        if (ended_) return std::nullopt;
        if (changed_.wait_until(lock, deadline) == std::cv_status::timeout && i == lines_.size()) return std::nullopt;
    }
}

bool BackgroundProcess::writeLine(const std::string& line) {
    const std::string text = line + "\n";
    std::size_t done = 0;
    while (done < text.size()) {
        const auto n = ::write(stdinFd_, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

void BackgroundProcess::awaitOutputEnd() {
    // The program has exited, but the reader may not have read its last lines yet (a loaded
    // machine): output() right after wait() must hold everything it printed. Bounded, since a
    // child it left behind may keep the pipe open.
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(2), [this] { return ended_; });
}

std::vector<std::string> BackgroundProcess::lines() const {
    const std::lock_guard lock(mutex_);
    return lines_;
}

std::string BackgroundProcess::output() const {
    std::string out;
    for (const auto& l : lines()) out += l + "\n";
    return out;
}

std::optional<int> BackgroundProcess::wait(std::chrono::milliseconds timeout) {
    if (status_) return status_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 256 + WTERMSIG(status);
            awaitOutputEnd();
            return status_;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::nullopt;
}

int BackgroundProcess::stop(std::chrono::milliseconds timeout) {
    if (status_) return *status_;
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    for (;;) {
        const pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) break;
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            status_ = -1;
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 256 + WTERMSIG(status);
    awaitOutputEnd();
    return *status_;
}

}  // namespace steward::test
