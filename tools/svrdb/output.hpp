#pragma once
// How a subcommand reports its outcome: plain text for people, or with --json one document on
// stdout ({"status":"ok",...} / {"status":"error","error":"..."}). Errors always go to stderr too.

#include <Poco/JSON/Object.h>

#include <ostream>
#include <string>

namespace steward::tools {

class Output {
public:
    Output(bool json, std::ostream& out, std::ostream& err) : json_(json), out_(out), err_(err) {}

    bool json() const { return json_; }
    std::ostream& out() { return out_; }

    // `doc` (from okDocument(), with the command's fields added) in JSON mode, `text` otherwise.
    void ok(const Poco::JSON::Object::Ptr& doc, const std::string& text);
    // A document that is the answer itself (show --json), or text.
    void document(const Poco::JSON::Object::Ptr& json, const std::string& text);
    void error(const std::string& message);

private:
    bool json_;
    std::ostream& out_;
    std::ostream& err_;
};

// {"status":"ok"}, to which a command adds what it reports ("aceid", "credids", ...).
Poco::JSON::Object::Ptr okDocument();

}  // namespace steward::tools
