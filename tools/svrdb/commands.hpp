#pragma once
// The subcommands: their options, help and implementations. A command returns its exit code (0);
// it throws UsageError for a wrong command line and anything else for an operational error,
// which main turns into exit codes 2 and 1.

#include <string>
#include <string_view>
#include <vector>

#include "args.hpp"
#include "output.hpp"

namespace steward::tools {

struct Command {
    std::string name;      // "init", "acl add", ...
    std::string synopsis;  // "init FILE [--otm ...]"
    std::string help;      // what it does and what each option means
    std::vector<OptionSpec> options;
    int (*run)(const Args& args, Output& out);
};

const std::vector<Command>& commands();
const Command* findCommand(std::string_view name);
std::string generalUsage();
std::string commandUsage(const Command& command);

int runInit(const Args& args, Output& out);
int runShow(const Args& args, Output& out);
int runReset(const Args& args, Output& out);
int runAclAdd(const Args& args, Output& out);
int runAclModify(const Args& args, Output& out);
int runAclDelete(const Args& args, Output& out);
int runCredAddPsk(const Args& args, Output& out);
int runCredAddTrustCa(const Args& args, Output& out);
int runCredAddCert(const Args& args, Output& out);
int runCredModify(const Args& args, Output& out);
int runCredDelete(const Args& args, Output& out);

}  // namespace steward::tools
