#pragma once
// What `steward` prints for stewardd's responses and events when no --json is asked: tables and
// one-line confirmations on stdout; progress lines ("[3/10] ...") and errors ("steward: COMMAND:
// error") on stderr. --json prints the raw responses instead (remote_commands.cpp). The pieces
// local mode shares (tables, progress lines, outcome lines) live here too.
#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace steward::tools {

// An aligned table: a header row, then the rows; columns two spaces apart, the last unpadded; an
// empty cell shows as "-".
void printTable(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows, std::ostream& out,
                const std::string& indent = "");

// The text for the data of a successful response to `command` (as typed: "devices",
// "permit-join"); `request` is the request's body (what was asked). Unknown shapes fall back to
// indented JSON.
void printResponse(const std::string& command, const Poco::JSON::Object::Ptr& request, const Poco::Dynamic::Var& data, std::ostream& out);

// "steward: COMMAND: error\n"
void printFailure(const std::string& command, const std::string& error, std::ostream& err);

// An ownership method as people (and --method) call it: "justworks" for oic.sec.doxm.jw,
// "randompin" for oic.sec.doxm.rdp; other names unchanged.
std::string methodName(const std::string& oxm);

// "[3/10] text"
std::string progressLine(std::int64_t done, std::int64_t total, const std::string& text);
// The line of a progress event {action, transaction, done, total, message}: "[3/10] sync: message",
// or "sync: message" without a total.
std::string progressEventLine(const Poco::JSON::Object::Ptr& data);

// One device's ownership, as `own` reports it in both modes: "UUID (method): owned in 812 ms",
// "UUID (method): FAILED at STEP: error in 30012 ms"; `what` is "owned", "owned (note)" or the
// failure; an empty method is left out.
std::string ownLine(const std::string& device, const std::string& method, const std::string& what, std::int64_t ms);

// A provisioning outcome's lines, as local mode has always printed them: each done line, each
// deferred one as "deferred: ...", and "nothing to do" when there are none.
void printOutcomeLines(const std::vector<std::string>& done, const std::vector<std::string>& deferred, std::ostream& out);

}  // namespace steward::tools
