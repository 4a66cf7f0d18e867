#include "output.hpp"

#include <Poco/JSONString.h>

#include "steward/model/resource_json.hpp"

namespace steward::tools {

namespace {
Poco::JSON::Object::Ptr statusDocument(const char* status) {
    Poco::JSON::Object::Ptr doc = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    doc->set("status", std::string(status));
    return doc;
}
}  // namespace

Poco::JSON::Object::Ptr okDocument() { return statusDocument("ok"); }

void Output::ok(const Poco::JSON::Object::Ptr& doc, const std::string& text) {
    if (json_) {
        out_ << core::jsonText(doc ? doc : okDocument()) << '\n';
    } else if (!text.empty()) {
        out_ << text << (text.back() == '\n' ? "" : "\n");
    }
}

void Output::document(const Poco::JSON::Object::Ptr& json, const std::string& text) {
    if (json_) {
        out_ << core::jsonText(json) << '\n';
    } else {
        out_ << text;
    }
}

void Output::error(const std::string& message) {
    err_ << "steward-svrdb: " << message << '\n';
    if (json_) {
        Poco::JSON::Object::Ptr doc = statusDocument("error");
        doc->set("error", message);
        out_ << core::jsonText(doc) << '\n';
    }
    out_.flush();
}

}  // namespace steward::tools
