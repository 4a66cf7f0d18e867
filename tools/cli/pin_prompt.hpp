#pragma once
// Asks the user for the PIN a device shows: a prompt on stderr, one line from stdin (a terminal
// or a pipe), within a time limit.
#include <chrono>
#include <optional>
#include <ostream>
#include <string>

#include "steward/crypto/secret_bytes.hpp"
#include "steward/model/uuid.hpp"

namespace steward::tools {

// Blocks until a line is read, the end of input, or `timeout` (then nullopt, said on stderr).
std::optional<core::SecretBytes> promptForPin(const core::Uuid& device, const std::string& name, std::chrono::seconds timeout);

// "Enter the PIN shown on device UUID (NAME) [attempt 2 of 3, 118 s]: " on `err`, flushed.
// `attempt`/`attempts` 0: not shown.
void printPinPrompt(std::ostream& err, const std::string& device, const std::string& name, int attempt, int attempts,
                    std::chrono::seconds left);

// One line typed on a file descriptor (stdin), read a byte at a time whenever poll() says it is
// readable, so that the caller can watch other things meanwhile (stewardd's messages) and drop the
// prompt at any moment: nothing ever blocks in read(). Never reads past the line's newline, so the
// next line stays for the next prompt. The line is kept in one buffer that never grows past its
// first allocation and is wiped when taken or dropped.
class PinLineReader {
public:
    enum class State { Reading, Line, EndOfInput };

    explicit PinLineReader(int fd);
    ~PinLineReader();
    PinLineReader(const PinLineReader&) = delete;
    PinLineReader& operator=(const PinLineReader&) = delete;

    int fd() const { return fd_; }
    // Reads what is there without blocking: Line once a newline came, EndOfInput at the end of
    // input (or an error), Reading otherwise.
    State readAvailable();
    // The line read (whitespace dropped); the reader is then ready for the next line.
    core::SecretBytes take();
    // Forgets (and wipes) a partial line.
    void clear();

private:
    int fd_;
    std::string line_;
};

}  // namespace steward::tools
