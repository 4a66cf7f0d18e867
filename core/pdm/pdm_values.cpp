#include "pdm/pdm_values.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace steward::core {

std::string_view toString(DeviceRecordState state) {
    switch (state) {
        case DeviceRecordState::Pending:
            return "pending";
        case DeviceRecordState::Owned:
            return "owned";
    }
    return "unknown";
}

namespace detail {

std::int64_t toMillis(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::chrono::system_clock::time_point fromMillis(std::int64_t ms) {
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::milliseconds(ms)));
}

std::chrono::system_clock::time_point pdmNow() { return fromMillis(toMillis(std::chrono::system_clock::now())); }

Uuid uuidFromColumn(const std::string& text) {
    const auto id = Uuid::parse(text);
    if (!id) throw std::runtime_error("corrupt row: \"" + text + "\" is not a UUID");
    return *id;
}

DeviceRecordState stateFromColumn(const std::string& text) {
    if (text == toString(DeviceRecordState::Pending)) return DeviceRecordState::Pending;
    if (text == toString(DeviceRecordState::Owned)) return DeviceRecordState::Owned;
    throw std::runtime_error("corrupt row: unknown device state \"" + text + "\"");
}

std::string stringsToJson(const std::vector<std::string>& items) {
    Poco::JSON::Array array;
    for (const auto& r : items) array.add(r);
    std::ostringstream out;
    array.stringify(out);
    return out.str();
}

std::string resourcesToJson(const std::vector<std::string>& resources) { return stringsToJson(resources); }

std::vector<std::string> resourcesFromJson(const std::string& json) { return stringsFromJson(json, "ACE resources"); }

std::vector<std::string> stringsFromJson(const std::string& json, const std::string& what) {
    try {
        Poco::JSON::Parser parser;
        const auto array = parser.parse(json).extract<Poco::JSON::Array::Ptr>();
        if (!array) throw std::runtime_error("not an array");
        std::vector<std::string> items;
        items.reserve(array->size());
        for (unsigned i = 0; i < array->size(); ++i) {
            const Poco::Dynamic::Var item = array->get(i);
            if (!item.isString()) throw std::runtime_error("an element is not a string");
            items.push_back(item.extract<std::string>());
        }
        return items;
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("corrupt row: " + what + " are not a JSON array of strings: " + e.displayText());
    } catch (const std::exception& e) {
        throw std::runtime_error("corrupt row: " + what + " are not a JSON array of strings: " + e.what());
    }
}

std::string resourcesKey(std::vector<std::string> resources) {
    std::sort(resources.begin(), resources.end());
    resources.erase(std::unique(resources.begin(), resources.end()), resources.end());
    return resourcesToJson(resources);
}

}  // namespace detail
}  // namespace steward::core
