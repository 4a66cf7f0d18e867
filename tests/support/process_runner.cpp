#include "process_runner.hpp"

#include <unistd.h>

#include <Poco/Exception.h>
#include <Poco/Pipe.h>
#include <Poco/Process.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <thread>

namespace steward::test {
namespace {

void readAll(Poco::Pipe& pipe, std::string& into) {
    char buf[4096];
    try {
        while (true) {
            const int n = pipe.readBytes(buf, sizeof buf);
            if (n <= 0) break;
            into.append(buf, static_cast<std::size_t>(n));
        }
    } catch (const Poco::Exception&) {
        // the pipe broke: what was read is what there is
    }
}

void writeAll(Poco::Pipe& pipe, const std::string& input) {
    std::size_t done = 0;
    try {
        while (done < input.size()) {
            const int n = pipe.writeBytes(input.data() + done, static_cast<int>(input.size() - done));
            if (n <= 0) break;
            done += static_cast<std::size_t>(n);
        }
    } catch (const Poco::Exception&) {
        // the program stopped reading (exited early): the rest of the input is moot
    }
    pipe.close(Poco::Pipe::CLOSE_WRITE);
}

}  // namespace

ProcessResult runProcess(const std::string& program, const std::vector<std::string>& args, const std::string& input,
                         std::chrono::milliseconds timeout) {
    // A program that exits before reading all its input must not kill the test with SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);

    Poco::Pipe inPipe;
    Poco::Pipe outPipe;
    Poco::Pipe errPipe;
    Poco::Process::Args pocoArgs(args.begin(), args.end());
    Poco::ProcessHandle handle = Poco::Process::launch(program, pocoArgs, &inPipe, &outPipe, &errPipe);

    ProcessResult result;
    std::thread outReader([&] { readAll(outPipe, result.out); });
    std::thread errReader([&] { readAll(errPipe, result.err); });
    std::thread writer([&] { writeAll(inPipe, input); });

    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = Poco::Process::tryWait(handle);
    while (status == -1 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        status = Poco::Process::tryWait(handle);
    }
    if (status == -1) {
        result.timedOut = true;
        Poco::Process::kill(handle);
        status = Poco::Process::wait(handle);
    }
    result.exitCode = status;
    writer.join();
    outReader.join();
    errReader.join();
    return result;
}

std::string findOnPath(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        const std::size_t end = dirs.find(':', start);
        const std::string dir = dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
        const std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return name;
}

}  // namespace steward::test
