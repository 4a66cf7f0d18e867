#include "remote_commands.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>

#include "args.hpp"
#include "discovery_options.hpp"
#include "errors.hpp"
#include "remote_output.hpp"
#include "remote_own.hpp"
#include "remote_session.hpp"
#include "resource_commands.hpp"

namespace steward::tools {
namespace {

using Body = Poco::JSON::Object::Ptr;

Body object() { return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER); }

std::string uuidArg(const std::string& text) {
    if (!core::Uuid::parse(text)) throw UsageError("not a device UUID: '" + text + "'");
    return text;
}

Poco::JSON::Array::Ptr list(const std::vector<std::string>& items) {
    Poco::JSON::Array::Ptr a = new Poco::JSON::Array;
    for (const auto& i : items) a->add(i);
    return a;
}

// A secret never goes on the command line (other users see it in ps): it comes from a file or
// the first line of standard input.
std::string readSecret(const std::optional<std::string>& file) {
    std::string secret;
    if (file) {
        std::ifstream in(*file);
        if (!in) throw UsageError("cannot read --secret-file " + *file);
        std::getline(in, secret);
    } else {
        std::getline(std::cin, secret);
    }
    if (!secret.empty() && secret.back() == '\r') secret.pop_back();
    if (secret.empty()) throw UsageError("no out-of-band secret given (a line on standard input or --secret-file)");
    return secret;
}

// The spellings the local command accepts (parsePairingMethod) as the request's.
std::string canonicalPairingMethod(const std::string& text) {
    if (text == "preconfigured" || text == "pre-configured" || text == "1") return "preconfigured";
    if (text == "random" || text == "randompin" || text == "random-pin" || text == "2") return "random";
    throw UsageError("--method: \"" + text + "\" is not a pairing method (preconfigured or random)");
}

// One remote command: its options, and how its arguments become (action, body) requests.
struct RemoteCommand {
    std::vector<OptionSpec> options;
    std::string usage;
    std::function<std::vector<std::pair<std::string, Body>>(const Args&)> requests;
};

const std::map<std::string, RemoteCommand>& commands() {
    static const std::map<std::string, RemoteCommand> table{
        {"devices",
         {{},
          "devices",
          [](const Args& a) {
              a.requirePositionals(0, 0, "no arguments");
              return std::vector<std::pair<std::string, Body>>{{"devices", object()}};
          }}},
        {"info",
         {{},
          "info",
          [](const Args&) {
              return std::vector<std::pair<std::string, Body>>{{"info", object()}};
          }}},
        {"metrics",
         {{},
          "metrics",
          [](const Args&) {
              return std::vector<std::pair<std::string, Body>>{{"metrics", object()}};
          }}},
        {"own",
         {{{"--method", true}},
          "own UUID... [--method justworks|randompin]",
          [](const Args& a) {
              if (a.positionals().empty()) throw UsageError("name the devices to own by UUID (stewardd owns what it discovered)");
              std::vector<std::pair<std::string, Body>> out;
              for (const auto& p : a.positionals()) {
                  auto b = object();
                  b->set("device", uuidArg(p));
                  if (auto m = a.value("--method")) b->set("method", *m);
                  out.emplace_back("own", b);
              }
              return out;
          }}},
        {"pin",
         {{},
          "pin UUID PIN",
          [](const Args& a) {
              a.requirePositionals(2, 2, "a device UUID and the PIN it shows");
              auto b = object();
              b->set("device", uuidArg(a.positionals()[0]));
              b->set("pin", a.positionals()[1]);
              return std::vector<std::pair<std::string, Body>>{{"pin", b}};
          }}},
        {"permit-join",
         {{},
          "permit-join [SECONDS (0 closes)]",
          [](const Args& a) {
              a.requirePositionals(0, 1, "at most the window's length in seconds");
              auto b = object();
              if (!a.positionals().empty()) b->set("time", parseBoundedInt(a.positionals()[0], "SECONDS", 0, 86400));
              return std::vector<std::pair<std::string, Body>>{{"permit_join", b}};
          }}},
        {"approve",
         {{},
          "approve UUID",
          [](const Args& a) {
              a.requirePositionals(1, 1, "one device UUID");
              auto b = object();
              b->set("device", uuidArg(a.positionals()[0]));
              return std::vector<std::pair<std::string, Body>>{{"approve", b}};
          }}},
        {"deny",
         {{},
          "deny UUID",
          [](const Args& a) {
              a.requirePositionals(1, 1, "one device UUID");
              auto b = object();
              b->set("device", uuidArg(a.positionals()[0]));
              return std::vector<std::pair<std::string, Body>>{{"deny", b}};
          }}},
        {"admit",
         {{},
          "admit UUID",
          [](const Args& a) {
              a.requirePositionals(1, 1, "one device UUID");
              auto b = object();
              b->set("device", uuidArg(a.positionals()[0]));
              return std::vector<std::pair<std::string, Body>>{{"admit", b}};
          }}},
        {"rename",
         {{},
          "rename UUID NAME",
          [](const Args& a) {
              a.requirePositionals(2, 2, "a device UUID and its new name");
              auto b = object();
              b->set("device", uuidArg(a.positionals()[0]));
              b->set("name", a.positionals()[1]);
              return std::vector<std::pair<std::string, Body>>{{"rename", b}};
          }}},
        {"policy-reload",
         {{},
          "policy-reload",
          [](const Args&) {
              return std::vector<std::pair<std::string, Body>>{{"policy_reload", object()}};
          }}},
        {"links",
         {{},
          "links [UUID]",
          [](const Args& a) {
              a.requirePositionals(0, 1, "at most one device UUID");
              auto b = object();
              if (!a.positionals().empty()) b->set("device", uuidArg(a.positionals()[0]));
              return std::vector<std::pair<std::string, Body>>{{"links", b}};
          }}},
        {"acl",
         {{{"--subject", true}, {"--resource", true, true}, {"--perm", true}},
          "acl UUID --subject S --resource R... --perm CRUDN",
          [](const Args& a) {
              a.requirePositionals(1, 1, "one device UUID");
              auto b = object();
              b->set("device", uuidArg(a.positionals()[0]));
              b->set("subject", a.value("--subject").value_or(""));
              b->set("resources", list(a.values("--resource")));
              b->set("permission", a.value("--perm").value_or(""));
              return std::vector<std::pair<std::string, Body>>{{"acl", b}};
          }}},
        {"pair",
         {{{"--key-bits", true}},
          "pair UUID1 UUID2 [--key-bits 128|256]",
          [](const Args& a) {
              a.requirePositionals(2, 2, "two device UUIDs");
              auto b = object();
              b->set("a", uuidArg(a.positionals()[0]));
              b->set("b", uuidArg(a.positionals()[1]));
              b->set("key_bits", parseBoundedInt(a.value("--key-bits").value_or("128"), "--key-bits", 1, 4096));
              return std::vector<std::pair<std::string, Body>>{{"pair", b}};
          }}},
        {"link",
         {{{"--key-bits", true}, {"--resource", true, true}, {"--perm", true}},
          "link UUID1 UUID2 --resource R... [--perm CRUDN] [--key-bits 128|256]",
          [](const Args& a) {
              a.requirePositionals(2, 2, "two device UUIDs");
              auto b = object();
              b->set("a", uuidArg(a.positionals()[0]));
              b->set("b", uuidArg(a.positionals()[1]));
              b->set("key_bits", parseBoundedInt(a.value("--key-bits").value_or("128"), "--key-bits", 1, 4096));
              b->set("resources", list(a.values("--resource")));
              if (auto p = a.value("--perm")) b->set("permission", *p);
              return std::vector<std::pair<std::string, Body>>{{"link", b}};
          }}},
        {"unlink",
         {{},
          "unlink UUID1 UUID2",
          [](const Args& a) {
              a.requirePositionals(2, 2, "two device UUIDs");
              auto b = object();
              b->set("a", uuidArg(a.positionals()[0]));
              b->set("b", uuidArg(a.positionals()[1]));
              return std::vector<std::pair<std::string, Body>>{{"unlink", b}};
          }}},
        {"remove",
         {{},
          "remove UUID",
          [](const Args& a) {
              a.requirePositionals(1, 1, "one device UUID");
              auto b = object();
              b->set("device", uuidArg(a.positionals()[0]));
              return std::vector<std::pair<std::string, Body>>{{"remove", b}};
          }}},
        {"reset",
         {{},
          "reset UUID",
          [](const Args& a) {
              a.requirePositionals(1, 1, "one device UUID");
              auto b = object();
              b->set("device", uuidArg(a.positionals()[0]));
              return std::vector<std::pair<std::string, Body>>{{"reset", b}};
          }}},
        {"cert",
         {{{"--days", true}},
          "cert UUID [--days N]",
          [](const Args& a) {
              a.requirePositionals(1, 1, "one device UUID");
              auto b = object();
              b->set("device", uuidArg(a.positionals()[0]));
              b->set("days", parseBoundedInt(a.value("--days").value_or("365"), "--days", 1, 36500));
              return std::vector<std::pair<std::string, Body>>{{"cert", b}};
          }}},
        {"sync",
         {{},
          "sync",
          [](const Args&) {
              return std::vector<std::pair<std::string, Body>>{{"sync", object()}};
          }}},
        // The same options as the local command (pairing_commands.cpp); stewardd checks the values,
        // and makes the pre-configured PIN when none is given (it comes back in the response).
        {"direct-pairing",
         {{{"--method", true, true}, {"--pin", true}, {"--resource", true, true}, {"--perm", true}, {"--disable"}},
          "direct-pairing UUID --method preconfigured|random [--method ...] [--pin PIN] --resource R... [--perm CRUDN (default RU)]\n"
          "       steward direct-pairing UUID --disable",
          [](const Args& a) {
              a.requirePositionals(1, 1, "one device UUID");
              auto b = object();
              b->set("device", uuidArg(a.positionals()[0]));
              if (a.has("--disable")) {
                  for (const char* o : {"--method", "--pin", "--resource", "--perm"}) {
                      if (a.has(o)) throw UsageError(std::string("--disable takes no ") + o);
                  }
                  b->set("enabled", false);
                  return std::vector<std::pair<std::string, Body>>{{"direct_pairing", b}};
              }
              std::vector<std::string> methods;
              for (const auto& m : a.values("--method")) methods.push_back(canonicalPairingMethod(m));
              if (methods.empty()) throw UsageError("direct-pairing needs --method preconfigured and/or --method random (or --disable)");
              b->set("methods", list(methods));
              if (auto pin = a.value("--pin")) b->set("pin", *pin);
              const auto resources = a.values("--resource");
              if (resources.empty()) throw UsageError("direct-pairing needs at least one --resource that a paired client may access");
              b->set("resources", list(resources));
              if (auto p = a.value("--perm")) b->set("permission", *p);
              return std::vector<std::pair<std::string, Body>>{{"direct_pairing", b}};
          }}},
        {"get",
         {{},
          resourceUsage("get"),
          [](const Args& a) {
              a.requirePositionals(2, 2, "a device UUID and a resource path");
              auto b = object();
              b->set("device", uuidArg(a.positionals()[0]));
              b->set("href", a.positionals()[1]);
              return std::vector<std::pair<std::string, Body>>{{"resource/get", b}};
          }}},
        {"set",
         {{},
          resourceUsage("set"),
          [](const Args& a) {
              a.requirePositionals(3, 3, "a device UUID, a resource path and a JSON object");
              auto b = object();
              b->set("device", uuidArg(a.positionals()[0]));
              b->set("href", a.positionals()[1]);
              Poco::Dynamic::Var value;
              try {
                  value = Poco::JSON::Parser().parse(a.positionals()[2]);
              } catch (const Poco::Exception& e) {
                  throw UsageError("the new value is not valid JSON: " + e.message());
              }
              if (value.type() != typeid(Poco::JSON::Object::Ptr)) throw UsageError("the new value must be a JSON object");
              b->set("value", value);
              return std::vector<std::pair<std::string, Body>>{{"resource/set", b}};
          }}},
        {"idprov-oob",
         {{{"--valid-until", true}, {"--secret-file", true}},
          "idprov-oob DEVICE_ID [--secret-file F] [--valid-until ISO-8601]",
          [](const Args& a) {
              a.requirePositionals(1, 1, "the IDProv deviceID (the secret is read from --secret-file or standard input)");
              auto b = object();
              b->set("device_id", a.positionals()[0]);
              b->set("secret", readSecret(a.value("--secret-file")));
              if (auto v = a.value("--valid-until")) b->set("valid_until", *v);
              return std::vector<std::pair<std::string, Body>>{{"idprov/oob", b}};
          }}},
    };
    return table;
}

}  // namespace

std::string remoteOnlyCommandsSummary() {
    return "  pin         answer a pairing request with the PIN a device shows\n"
           "  permit-join open the permit-join window for N seconds (0 closes it)\n"
           "  approve     own a device waiting in the approval queue; deny: leave it alone\n"
           "  admit       let a removed (blocked) device be owned again by permit-join or automatic mode\n"
           "  rename      give an owned device a name; policy-reload: reload the YAML policies\n"
           "  idprov-oob  give the IDProv server a device's out-of-band secret (read from stdin or --secret-file)\n"
           "  info        the daemon's version, plugins and configuration; metrics: onboarding figures\n";
}

int runRemoteCommand(const std::string& command, const std::vector<std::string>& words, std::ostream& out, std::ostream& err) {
    const auto it = commands().find(command);
    if (it == commands().end()) return -1;
    auto specs = it->second.options;
    specs.push_back({"--broker", true});
    specs.push_back({"--base-topic", true});
    specs.push_back({"--timeout", true});
    specs.push_back({"--pin-timeout", true});  // local mode's; refused below with the reason
    const Args args(words, specs, command);
    if (args.help()) {
        out << "usage: steward " << it->second.usage << " [--broker HOST:PORT] [--base-topic T] [--timeout S] [--json]\n\n"
            << "Sent to stewardd over MQTT (<base>/bridge/request/...); --broker defaults to $STEWARD_BROKER or 127.0.0.1:1883.\n"
            << "Prints what stewardd answered as text (tables, one-line confirmations); --json prints its raw response\n"
            << "instead ({status, data, error, transaction}; an array of them for several requests). Errors go to stderr\n"
            << "as \"steward: " << command << ": ...\", and so do progress lines (\"[3/10] ...\") of long work, so stdout stays\n"
            << "clean for --json. --timeout S (default 60): how long to wait for the answer; progress events push it back.\n";
        if (command == "own") out << remoteOwnHelp();
        out << "Exit status: 0 ok, 1 error, 2 usage.\n";
        return 0;
    }
    if (args.has("--pin-timeout")) {
        throw UsageError(
            "--pin-timeout is for --local: through stewardd the PIN is asked for as long as the daemon's pairing request is open "
            "(pin_timeout in steward.yaml)");
    }
    RemoteOptions options;
    if (const char* env = std::getenv("STEWARD_BROKER"); env != nullptr && *env != '\0') options.broker = env;
    if (auto b = args.value("--broker")) options.broker = *b;
    if (auto t = args.value("--base-topic")) options.baseTopic = *t;
    if (const char* u = std::getenv("STEWARD_MQTT_USERNAME")) options.username = u;
    if (const char* p = std::getenv("STEWARD_MQTT_PASSWORD")) options.password = p;
    if (auto t = args.value("--timeout")) options.timeout = std::chrono::seconds(parseBoundedInt(*t, "--timeout", 1, 3600));
    const auto requests = it->second.requests(args);

    RemoteSession session(options);
    int status = 0;
    Poco::JSON::Array results;
    if (command == "own") {
        std::vector<Body> bodies;
        for (const auto& r : requests) bodies.push_back(r.second);
        status = runRemoteOwn(session, bodies, args.json(), results, out, err);
    } else {
        for (const auto& [action, body] : requests) {
            const auto response = session.request(action, body, [&](const RemoteMessage& m) {
                // Long work (sync, a policy reload) says how far it got: its lines carry this request's transaction.
                if (m.type == "progress" && m.transaction == body->optValue<std::string>("transaction", "")) {
                    err << progressEventLine(m.body) << '\n';
                }
            });
            const bool ok = response->optValue<std::string>("status", "") == "ok";
            if (!ok) {
                status = 1;
                printFailure(command, response->optValue<std::string>("error", "failed"), err);
            }
            if (args.json()) {
                results.add(response);
            } else if (ok && (command == "get" || command == "set")) {
                printResource(command, body->getValue<std::string>("device"), body->getValue<std::string>("href"), response->get("data"),
                              out);
            } else if (ok) {
                printResponse(command, body, response->get("data"), out);
            }
        }
    }
    if (args.json()) {
        if (results.size() == 1) {
            Poco::JSON::Stringifier::stringify(results.get(0), out);
        } else {
            results.stringify(out);
        }
        out << '\n';
    }
    return status;
}

}  // namespace steward::tools
