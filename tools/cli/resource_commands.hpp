#pragma once
// `steward get UUID HREF` and `steward set UUID HREF JSON`: an owned device's application
// resources (a light's /a/light) read and written over the gateway's owner credential. Local mode
// runs core's DeviceResourceSession in this process; through stewardd the same code runs in the
// daemon (requests resource/get and resource/set), where the Home Assistant bridge's commands go.
#include <ostream>
#include <string>
#include <vector>

#include <Poco/Dynamic/Var.h>

namespace steward::tools {

// Local mode. Returns the exit status, or -1 if `command` is neither get nor set.
int runResourceCommand(const std::string& command, const std::vector<std::string>& words, std::ostream& out, std::ostream& err);

// get/set in both modes: the usage line and summary, and how an answer is printed for people.
std::string resourceCommandsSummary();
std::string resourceUsage(const std::string& command);
void printResource(const std::string& command, const std::string& device, const std::string& href, const Poco::Dynamic::Var& value,
                   std::ostream& out);

}  // namespace steward::tools
