#pragma once
// The door between MQTT and the request router. The MQTT connection is up before the router exists
// and goes down after it (what the parts publish while they start, and every answer given while
// they stop, needs it), so requests pass through here: until the router is there they wait in
// arrival order (at most kMaxHeld), then go to it in that order; once it is gone every request is
// answered at once with the reason (with its transaction), never dropped.
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <utility>

namespace steward::bridge {

class RequestGate {
public:
    using Handler = std::function<void(const std::string& action, const std::string& payload)>;
    // How a refused request is answered: (action, payload, error).
    using Refuse = std::function<void(const std::string& action, const std::string& payload, const std::string& error)>;

    explicit RequestGate(Refuse refuse);

    // From the request dispatcher's thread (MqttBridge), one request at a time.
    void handle(const std::string& action, const std::string& payload);
    // The held requests go to `router` (on the caller's thread, in order), then every new one.
    void open(Handler router);
    // From now on every request (held ones first) is refused with `why`. Returns once no request is
    // being handed to the router any more: the router may be destroyed then.
    void close(const std::string& why);

    static constexpr std::size_t kMaxHeld = 10000;

private:
    enum class State { Holding, Open, Closed };
    Refuse refuse_;
    std::mutex mutex_;  // held while a request is handed on: close() waits for it
    State state_ = State::Holding;
    Handler router_;
    std::deque<std::pair<std::string, std::string>> held_;
    std::string why_;
};

}  // namespace steward::bridge
