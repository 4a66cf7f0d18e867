// A gateway stand-in for the last-will tests: connects with a will, prints "connected", then on a
// line from stdin either dies at once without a word to the broker ("crash", or end of input) or
// stops cleanly ("stop").
//   mqtt_test_client HOST PORT CLIENT_ID STATE_TOPIC
// The will and the online message both go to STATE_TOPIC: "offline" and "online", retained.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "mqtt/mqtt_client.hpp"

int main(int argc, char** argv) {
    if (argc != 5) {
        std::cerr << "usage: mqtt_test_client HOST PORT CLIENT_ID STATE_TOPIC\n";
        return 2;
    }
    steward::bridge::MqttOptions options;
    options.host = argv[1];
    options.port = std::atoi(argv[2]);
    options.clientId = argv[3];
    options.willTopic = argv[4];
    options.willPayload = "offline";
    options.onlineTopic = argv[4];
    options.onlinePayload = "online";
    options.log = [](const std::string& line) { std::cout << "log: " << line << std::endl; };
    steward::bridge::MqttClient client(options);
    client.onConnectionChange(
        [](bool up, const std::string& reason) { std::cout << (up ? "connected" : "disconnected: " + reason) << std::endl; });
    client.start();
    std::string line;
    while (std::getline(std::cin, line)) {
        if (line == "stop") {
            client.stop();
            std::cout << "stopped" << std::endl;
            return 0;
        }
        if (line == "crash") break;
    }
    std::fflush(stdout);
    ::_exit(3);  // no destructors: the socket is closed by the kernel, as when the daemon dies
}
