// Every subcommand with its options and help text, in the order the general usage lists them.
#include <algorithm>

#include "commands.hpp"

namespace steward::tools {
namespace {

const std::string kAceOptions =
    "  --subject S     uuid:<UUID> | role:<ROLE>[@<AUTHORITY>] | conntype:auth-crypt | conntype:anon-clear\n"
    "  --resource R    an href (/a/light) or a wildcard: * all, + all secured, - all public; repeatable\n"
    "  --perm P        CRUDN letters, upper case, each once: in any order (R, RN) or in place (-R--N);\n"
    "                  at least one\n"
    "  --validity V    PERIOD[;RRULE...], e.g. '20250101T000000/20251231T235959;FREQ=DAILY;BYDAY=MO';\n"
    "                  repeatable\n";

std::vector<Command> makeCommands() {
    return {
        {"init",
         "init FILE [--otm justworks|randompin]... [--uuid-seed TEXT] [--direct-pairing]",
         "Create a new, unowned device database (RFOTM) and print its device UUID. Refuses if FILE exists.\n"
         "  --otm M           ownership transfer method offered: justworks (default) or randompin;\n"
         "                    repeatable or a comma list (--otm justworks,randompin)\n"
         "  --uuid-seed TEXT  derive the UUID from TEXT's bytes (8 to 64 of them): the first 16 bytes of\n"
         "                    SHA-256(TEXT), so the same seed always gives the same UUID\n"
         "  --direct-pairing  the device hosts pconf and dpairing (Direct Pairing)\n",
         {{"--otm", true, true}, {"--uuid-seed", true, false}, {"--direct-pairing", false, false}},
         runInit},
        {"show",
         "show FILE [doxm|pstat|cred|acl|pconf|dpairing|resetpf|all]",
         "Print security resources (default all: every current resource; resetpf: the reset profile).\n"
         "Opens the database read-only, so it works while a device is running on it. Secrets are masked.\n"
         "  --json  one JSON document with OCF property names, e.g. {\"doxm\":{...},\"pstat\":{...},...}\n",
         {},
         runShow},
        {"acl add",
         "acl add FILE --subject S --resource R... --perm P [--validity V]...",
         "Add an ACE; it gets the next free aceid (highest + 1, from 1), which is printed.\n" + kAceOptions,
         {{"--subject", true, false}, {"--resource", true, true}, {"--perm", true, false}, {"--validity", true, true}},
         runAclAdd},
        {"acl modify",
         "acl modify FILE ACEID [--subject S] [--resource R]... [--perm P] [--validity V]... "
         "[--no-validity]",
         "Change an ACE: each option given replaces that field (all --resource values replace the list).\n" + kAceOptions +
             "  --no-validity   remove the ACE's validity periods\n",
         {{"--subject", true, false},
          {"--resource", true, true},
          {"--perm", true, false},
          {"--validity", true, true},
          {"--no-validity", false, false}},
         runAclModify},
        {"acl delete", "acl delete FILE ACEID", "Delete the ACE with that aceid.\n", {}, runAclDelete},
        {"cred add-psk",
         "cred add-psk FILE --subject UUID|* (--key-hex HEX | --random 128|256)",
         "Add a symmetric pair-wise key (credtype 1, raw). The key is never printed.\n"
         "  --subject S     the peer's UUID, or * for any peer\n"
         "  --key-hex HEX   the key: 16 or 32 bytes as hex (':' separators allowed)\n"
         "  --random BITS   a fresh random key of 128 or 256 bits instead\n",
         {{"--subject", true, false}, {"--key-hex", true, false}, {"--random", true, false}},
         runCredAddPsk},
        {"cred add-trustca",
         "cred add-trustca FILE --file CHAIN",
         "Add a trust CA certificate chain: one credential per certificate (credtype 8, credusage\n"
         "oic.sec.cred.trustca, subject *, the certificate as PEM). Every certificate must be a CA.\n"
         "  --file CHAIN    PEM (one or more certificates) or DER (one certificate)\n",
         {{"--file", true, false}},
         runCredAddTrustCa},
        {"cred add-cert",
         "cred add-cert FILE --cert CERT --key KEY",
         "Add the device's primary certificate and key pair (credtype 8, credusage oic.sec.cred.cert,\n"
         "subject = the device UUID): the certificate chain as PEM, the key as PKCS#8 DER.\n"
         "  --cert CERT     the device certificate first, then optional intermediates (PEM or DER)\n"
         "  --key KEY       its unencrypted private key (PEM or DER, PKCS#8 or traditional)\n",
         {{"--cert", true, false}, {"--key", true, false}},
         runCredAddCert},
        {"cred modify",
         "cred modify FILE CREDID [--subject UUID|*] [--key-hex HEX]",
         "Change a credential's subject, or a PSK's key (16 or 32 bytes as hex).\n",
         {{"--subject", true, false}, {"--key-hex", true, false}},
         runCredModify},
        {"cred delete", "cred delete FILE CREDID", "Delete the credential with that credid.\n", {}, runCredDelete},
        {"reset",
         "reset FILE",
         "Local reset: the reset profile (what the device held when it was created) becomes current;\n"
         "every owner, credential and ACE added since is dropped. The device UUID stays.\n",
         {},
         runReset},
    };
}

}  // namespace

const std::vector<Command>& commands() {
    static const std::vector<Command> table = makeCommands();
    return table;
}

const Command* findCommand(std::string_view name) {
    const auto& table = commands();
    auto it = std::find_if(table.begin(), table.end(), [&](const Command& c) { return c.name == name; });
    return it == table.end() ? nullptr : &*it;
}

std::string commandUsage(const Command& command) {
    return "usage: steward-svrdb " + command.synopsis + " [--json]\n\n" + command.help +
           "  --json          print the outcome as one JSON document\n"
           "  -h, --help      show this help\n";
}

std::string generalUsage() {
    std::string s =
        "steward-svrdb: print and edit a device's security database (SVR DB)\n\n"
        "usage: steward-svrdb FILE                 interactive menu\n"
        "       steward-svrdb menu FILE            interactive menu\n";
    for (const auto& c : commands()) s += "       steward-svrdb " + c.synopsis + " [--json]\n";
    s += "       steward-svrdb help [COMMAND]       this help, or a command's (also COMMAND --help)\n"
         "       steward-svrdb --version            the version\n\n"
         "Every subcommand takes --json: one JSON document on stdout, {\"status\":\"ok\",...} or\n"
         "{\"status\":\"error\",\"error\":\"...\"}. Exit status: 0 done, 1 failed (the database is left as it\n"
         "was), 2 wrong command line. Secrets (PSKs, private keys, PINs) are never printed.\n";
    return s;
}

}  // namespace steward::tools
