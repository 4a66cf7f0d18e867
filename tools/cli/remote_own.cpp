#include "remote_own.hpp"

#include <unistd.h>

#include <algorithm>
#include <optional>

#include "pin_prompt.hpp"
#include "remote_output.hpp"

namespace steward::tools {
namespace {

using Clock = std::chrono::steady_clock;
using Object = Poco::JSON::Object::Ptr;

std::int64_t number(const Object& o, const std::string& key, std::int64_t fallback) {
    if (!o || !o->has(key)) return fallback;
    try {
        return o->get(key).convert<std::int64_t>();
    } catch (const Poco::Exception&) {
        return fallback;
    }
}

std::chrono::seconds secondsLeft(Clock::time_point until) {
    return std::chrono::duration_cast<std::chrono::seconds>(until - Clock::now() + std::chrono::milliseconds(500));
}

// When the daemon stops waiting for the PIN, on this machine's clock: expires_at (unix seconds)
// against our wall clock, but never later than expires_in from now, since the daemon may run on
// another machine whose clock differs; expires_in alone for a daemon that sends only that.
Clock::time_point expiryOf(const Object& request, std::chrono::milliseconds fallback) {
    std::optional<std::int64_t> left;
    if (request->has("expires_at")) {
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
        left = number(request, "expires_at", now) - now;
    }
    if (request->has("expires_in")) {
        const auto in = number(request, "expires_in", 0);
        left = left ? std::min(*left, in) : in;
    }
    if (!left) return Clock::now() + fallback;
    return Clock::now() + std::chrono::seconds(std::max<std::int64_t>(*left, 0));
}

// The PIN flow of one `own` request: the state between its events, its `pin` requests and stdin.
class OwnFlow {
public:
    OwnFlow(RemoteSession& session, std::string device, std::ostream& err, bool& stdinClosed)
        : session_(session), device_(std::move(device)), err_(err), stdinClosed_(stdinClosed) {}

    // Sends the request and returns its response (the final outcome); throws std::runtime_error
    // when the daemon says nothing in time.
    Object run(const Object& body) {
        transaction_ = session_.start("own", body);
        deadline_ = Clock::now() + session_.options().timeout;
        for (;;) {
            bool typed = false;
            const auto wakeAt = prompt_ ? std::min(deadline_, expires_) : deadline_;
            const auto batch = session_.wait(wakeAt, prompt_ ? prompt_->fd() : -1, &typed);
            if (typed && prompt_) readPin();
            for (const auto& m : batch) {
                if (m.response && m.transaction == transaction_) {
                    // Answered from elsewhere (another terminal, Home Assistant) while this one was asking.
                    endPrompt(m.ok() && !pinSent_ ? "the PIN was given elsewhere" : "");
                    return m.body;
                }
                handle(m);
            }
            if (prompt_ && Clock::now() >= expires_) {
                endPrompt("no PIN entered in time; stewardd gives up on this attempt");
                open_ = false;
            }
            if (Clock::now() >= deadline_) {
                endPrompt("");
                throw std::runtime_error(seenPairing_ ? "no outcome of own " + device_ + " from stewardd within " +
                                                            std::to_string(kPairingGrace.count()) +
                                                            " s after its pairing request expired (is it still running?)"
                                                      : session_.noAnswer("own"));
            }
        }
    }

private:
    void handle(const RemoteMessage& m) {
        if (m.response) {
            if (pinTransaction_ && m.transaction == *pinTransaction_) pinAnswered(m);
            return;
        }
        if (m.type == "progress" && m.transaction == transaction_) {
            err_ << progressEventLine(m.body) << '\n';
            extend(Clock::now() + session_.options().timeout);
        } else if (m.type == "pairing_request" && m.about(device_)) {
            pairingRequest(m.body);
        } else if (m.type == "ownership_failed" && m.about(device_) && m.body->optValue<std::string>("reason", "") == "wrong_pin") {
            wrongPin(m.body);
        }
    }

    void pairingRequest(const Object& data) {
        const int attempt = static_cast<int>(number(data, "attempt", 1));
        const bool again = open_ && attempt == attempt_;  // the same request published again (another client asked)
        seenPairing_ = true;
        open_ = true;
        attempt_ = attempt;
        attempts_ = static_cast<int>(number(data, "attempts", attempts_));
        expires_ = expiryOf(data, session_.options().timeout);
        // The daemon waits until then; so does this terminal, and a little longer for the outcome.
        deadline_ = expires_ + kPairingGrace;
        if (again && (prompt_ || pinTransaction_)) return;
        if (!again) pinSent_ = false;
        ask();
    }

    void wrongPin(const Object& data) {
        endPrompt("");
        open_ = false;
        const auto attempt = number(data, "attempt", attempt_);
        const auto left = number(data, "attempts_left", -1);
        const auto total = left >= 0 ? attempt + left : attempts_;
        err_ << "wrong PIN";
        if (attempt > 0 && total > 0) err_ << " (attempt " << attempt << " of " << total << ")";
        if (left > 0) {
            err_ << "; the device now shows a new PIN";
        } else if (left == 0) {
            err_ << "; no attempts left";
        }
        err_ << '\n';
        // The next pairing request (or the failure) follows: wait for it as for any answer.
        extend(Clock::now() + session_.options().timeout);
    }

    void pinAnswered(const RemoteMessage& m) {
        pinTransaction_.reset();
        // A newer pairing request came meanwhile (events and responses are different topics): this
        // answer was about the old one, and the new one is asked for now.
        const bool current = pinAttempt_ == attempt_;
        if (m.ok()) {
            if (current) open_ = false;  // the daemon has the PIN; the transfer goes on
            extend(Clock::now() + session_.options().timeout);
            if (!current) ask();
            return;
        }
        pinSent_ = false;
        printFailure("pin", m.error(), err_);
        // Someone else's PIN got there first (or the request just closed): wait for what follows.
        if (current && m.error().find("no pairing request") != std::string::npos) open_ = false;
        ask();
    }

    // Prompts on this terminal while the pairing request is open and stdin can still give a line.
    void ask() {
        if (!open_ || prompt_ || pinTransaction_ || Clock::now() >= expires_) return;
        if (stdinClosed_) {
            if (!toldClosed_) {
                err_ << "no PIN from standard input (end of input): answer with `steward pin " << device_ << " PIN` within "
                     << secondsLeft(expires_).count() << " s\n";
                toldClosed_ = true;
            }
            return;
        }
        printPinPrompt(err_, device_, "", attempt_, attempts_, secondsLeft(expires_));
        prompt_.emplace(STDIN_FILENO);
    }

    void readPin() {
        switch (prompt_->readAvailable()) {
            case PinLineReader::State::Reading:
                return;
            case PinLineReader::State::EndOfInput:
                stdinClosed_ = true;
                endPrompt("no PIN: end of input");
                ask();  // says how to answer otherwise
                return;
            case PinLineReader::State::Line:
                break;
        }
        auto pin = prompt_->take();
        // From a pipe nothing was echoed: end the prompt's line.
        if (::isatty(prompt_->fd()) == 0) err_ << '\n';
        prompt_.reset();
        if (pin.empty()) return ask();
        Object answer = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        answer->set("device", device_);
        answer->set("pin", std::string(pin.text()));  // the request is JSON text anyway
        pinTransaction_ = session_.start("pin", answer);
        pinAttempt_ = attempt_;
        pinSent_ = true;
    }

    // Drops the prompt, if there is one, ending its line (with `why`, if any).
    void endPrompt(const std::string& why) {
        if (!prompt_) return;
        prompt_->clear();
        prompt_.reset();
        err_ << '\n';
        if (!why.empty()) err_ << why << '\n';
    }

    void extend(Clock::time_point until) { deadline_ = std::max(deadline_, until); }

    RemoteSession& session_;
    std::string device_;
    std::ostream& err_;
    bool& stdinClosed_;  // shared by the devices of one command: once at its end, stdin stays there
    std::string transaction_;
    Clock::time_point deadline_;
    // The pairing request, as the daemon last described it.
    bool seenPairing_ = false;
    bool open_ = false;
    int attempt_ = 0;
    int attempts_ = 0;
    Clock::time_point expires_;
    std::optional<PinLineReader> prompt_;
    std::optional<std::string> pinTransaction_;
    int pinAttempt_ = 0;  // the attempt the PIN in flight answers
    bool pinSent_ = false;
    bool toldClosed_ = false;
};

}  // namespace

std::string remoteOwnHelp() {
    return "Each device is owned in turn; the command waits for stewardd's final outcome (owned, or failed) of each.\n"
           "A Random PIN device makes stewardd publish a pairing request: you are asked here for the PIN the device\n"
           "shows (a line on standard input, a terminal or a pipe), and the command then waits as long as the\n"
           "daemon does (its pin_timeout, from the request's expiry, plus 15 s for the outcome) instead of --timeout.\n"
           "A PIN stewardd refuses (not 8 digits) is asked for again; a wrong PIN costs an attempt, the device shows a\n"
           "new PIN and you are asked again, until no attempts are left. Another terminal (or Home Assistant) may\n"
           "answer the same pairing request: whoever answers first wins, and this prompt ends with the outcome.\n"
           "With several devices, a progress line per device on stderr: \"[i/n] UUID (method): owned in N ms\", and\n"
           "the count on stdout.\n";
}

int runRemoteOwn(RemoteSession& session, const std::vector<Poco::JSON::Object::Ptr>& requests, bool json, Poco::JSON::Array& responses,
                 std::ostream& out, std::ostream& err) {
    bool stdinClosed = false;
    std::size_t owned = 0;
    const auto total = requests.size();
    for (std::size_t i = 0; i < total; ++i) {
        const auto& body = requests[i];
        const auto device = body->getValue<std::string>("device");
        const auto started = Clock::now();
        OwnFlow flow(session, device, err, stdinClosed);
        const auto response = flow.run(body);
        const auto tookMs = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
        const bool ok = response->optValue<std::string>("status", "") == "ok";
        if (ok) ++owned;
        if (json) responses.add(response);
        const auto data = ok && response->has("data") && response->get("data").type() == typeid(Poco::JSON::Object::Ptr)
                              ? response->getObject("data")
                              : Object();
        const auto method = data ? data->optValue<std::string>("method", "") : body->optValue<std::string>("method", "");
        const auto error = response->optValue<std::string>("error", "failed");
        if (total > 1) {
            const auto line =
                ok ? ownLine(device, method, "owned", number(data, "ms", tookMs)) : ownLine(device, method, "FAILED: " + error, tookMs);
            err << progressLine(static_cast<std::int64_t>(i + 1), static_cast<std::int64_t>(total), line) << '\n';
        } else if (!ok) {
            // Named once: many of the daemon's errors name the device already.
            printFailure("own", error.find(device) == std::string::npos ? device + ": " + error : error, err);
        } else if (!json) {
            printResponse("own", body, response->get("data"), out);
        }
    }
    if (total > 1 && !json) out << owned << " of " << total << " device(s) owned\n";
    return owned == total ? 0 : 1;
}

}  // namespace steward::tools
