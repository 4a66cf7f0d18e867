#include "device_directory.hpp"

#include <Poco/JSON/Array.h>

#include "steward/model/doxm.hpp"
#include "steward/util/iso_time.hpp"

namespace steward::bridge {

std::string_view toString(DeviceStatus s) {
    switch (s) {
        case DeviceStatus::Unowned:
            return "unowned";
        case DeviceStatus::PendingApproval:
            return "pending_approval";
        case DeviceStatus::Denied:
            return "denied";
        case DeviceStatus::Owning:
            return "owning";
        case DeviceStatus::Owned:
            return "owned";
        case DeviceStatus::Provisioned:
            return "provisioned";
        case DeviceStatus::Failed:
            return "failed";
        case DeviceStatus::Removed:
            return "removed";
        case DeviceStatus::Blocked:
            return "blocked";
    }
    return "?";
}

std::string methodName(int oxm) {
    if (oxm == core::oxm::kJustWorks) return "justworks";
    if (oxm == core::oxm::kRandomPin) return "randompin";
    return std::string(core::oxm::name(oxm));
}

void DeviceDirectory::loadOwned(const core::ProvisioningDatabase& pdm) {
    std::vector<DeviceView> loaded;
    for (const auto& r : pdm.devicesInState(core::DeviceRecordState::Owned)) {
        DeviceView v;
        v.id = r.id;
        v.name = r.name;
        v.deviceTypes = r.deviceTypes;
        v.otm = r.otm;
        v.status = DeviceStatus::Owned;
        v.address = r.address;
        v.port = r.port;
        v.securePort = r.securePort;
        if (const auto applied = pdm.appliedPolicies(r.id)) restoreApplied(v, *applied);
        loaded.push_back(std::move(v));
    }
    const std::lock_guard lock(mutex_);
    for (auto& v : loaded) views_[v.id] = std::move(v);
}

void restoreApplied(DeviceView& view, const core::AppliedPolicies& applied) {
    view.policies = applied.policies;
    view.error = applied.error;
    if (view.status == DeviceStatus::Owned || view.status == DeviceStatus::Provisioned) {
        view.status = applied.provisioned ? DeviceStatus::Provisioned : DeviceStatus::Owned;
    }
}

core::AppliedPolicies appliedOf(const DeviceView& view) {
    core::AppliedPolicies a;
    a.device = view.id;
    a.policies = view.policies;
    a.provisioned = view.status == DeviceStatus::Provisioned;
    a.error = view.error;
    return a;
}

std::vector<core::Uuid> DeviceDirectory::loadBlocked(const core::ProvisioningDatabase& pdm) {
    const auto blocked = pdm.blockedDevices();
    const std::lock_guard lock(mutex_);
    std::vector<core::Uuid> added;
    for (const auto& b : blocked) {
        if (views_.contains(b.id)) continue;
        DeviceView v;
        v.id = b.id;
        v.status = DeviceStatus::Blocked;
        v.blockReason = b.reason;
        v.blockedAt = b.blockedAt;
        views_[b.id] = v;
        added.push_back(b.id);
    }
    return added;
}

DeviceDirectory::Seen DeviceDirectory::seen(const core::DiscoveredDevice& d, const core::BlockedDevice* blocked) {
    const std::lock_guard lock(mutex_);
    const bool fresh = !views_.contains(d.deviceId);
    auto& v = views_[d.deviceId];
    const DeviceView before = v;
    v.id = d.deviceId;
    // The name of an owned device is the PDM's (the one it was owned with, or the user's rename):
    // what the device calls itself does not replace it.
    const bool ownedView = v.status == DeviceStatus::Owned || v.status == DeviceStatus::Provisioned;
    if (!d.name.empty() && !(ownedView && !v.name.empty())) v.name = d.name;
    if (!d.deviceTypes.empty()) v.deviceTypes = d.deviceTypes;
    v.oxms = d.oxms;
    v.address = d.address;
    v.port = d.port;
    if (d.securePort) v.securePort = *d.securePort;
    v.lastSeen = std::chrono::system_clock::now();
    // A device we thought owned (or removed) that answers as unowned was reset: it starts over.
    if (!d.owned && (v.status == DeviceStatus::Owned || v.status == DeviceStatus::Provisioned || v.status == DeviceStatus::Removed)) {
        v.status = DeviceStatus::Unowned;
        v.policies.clear();
        v.otm.clear();  // the method it was owned with: no longer in use
        if (!d.name.empty()) v.name = d.name;
    }
    if (!d.owned && blocked != nullptr && v.status != DeviceStatus::Owning) {
        v.status = DeviceStatus::Blocked;
        v.blockReason = blocked->reason;
        v.blockedAt = blocked->blockedAt;
        v.policies.clear();
    } else if (!d.owned && blocked == nullptr && v.status == DeviceStatus::Blocked) {
        v.status = DeviceStatus::Unowned;  // admitted meanwhile
    }
    if (v.status != DeviceStatus::Blocked) {
        v.blockReason.clear();
        v.blockedAt = {};
    }
    answers_[d.deviceId] = d;
    const bool changed = fresh || before.status != v.status || before.name != v.name || before.deviceTypes != v.deviceTypes ||
                         before.oxms != v.oxms || before.address != v.address || before.securePort != v.securePort;
    return {v, fresh, changed};
}

bool DeviceDirectory::update(const core::Uuid& id, const std::function<void(DeviceView&)>& change) {
    const std::lock_guard lock(mutex_);
    const auto it = views_.find(id);
    if (it == views_.end()) return false;
    change(it->second);
    return true;
}

std::optional<DeviceView> DeviceDirectory::get(const core::Uuid& id) const {
    const std::lock_guard lock(mutex_);
    const auto it = views_.find(id);
    if (it == views_.end()) return std::nullopt;
    return it->second;
}

std::vector<DeviceView> DeviceDirectory::all() const {
    const std::lock_guard lock(mutex_);
    std::vector<DeviceView> out;
    out.reserve(views_.size());
    for (const auto& [id, v] : views_) out.push_back(v);
    return out;
}

void DeviceDirectory::forEach(const std::function<void(const DeviceView&)>& visit) const {
    const std::lock_guard lock(mutex_);
    for (const auto& [id, v] : views_) visit(v);
}

std::optional<core::DiscoveredDevice> DeviceDirectory::lastAnswer(const core::Uuid& id) const {
    const std::lock_guard lock(mutex_);
    const auto it = answers_.find(id);
    if (it == answers_.end()) return std::nullopt;
    return it->second;
}

void DeviceDirectory::forget(const core::Uuid& id) {
    const std::lock_guard lock(mutex_);
    views_.erase(id);
    answers_.erase(id);
}

Poco::JSON::Array::Ptr typesJson(const std::vector<std::string>& types) {
    Poco::JSON::Array::Ptr a = new Poco::JSON::Array;
    for (const auto& t : types) a->add(t);
    return a;
}

Poco::JSON::Array::Ptr methodsJson(const std::vector<int>& oxms) {
    Poco::JSON::Array::Ptr a = new Poco::JSON::Array;
    for (int m : oxms) a->add(methodName(m));
    return a;
}

Poco::JSON::Object::Ptr deviceJson(const DeviceView& d, const std::vector<core::Uuid>& links) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("uuid", d.id.toString());
    o->set("name", d.name);
    o->set("state", std::string(toString(d.status)));
    o->set("device_types", typesJson(d.deviceTypes));
    o->set("methods", methodsJson(d.oxms));
    o->set("otm", d.otm);
    o->set("endpoint", d.securePort ? "coaps://" + (d.address.find(':') != std::string::npos ? "[" + d.address + "]" : d.address) + ":" +
                                          std::to_string(d.securePort)
                                    : "");
    Poco::JSON::Array linked;
    for (const auto& l : links) linked.add(l.toString());
    o->set("links", linked);
    Poco::JSON::Array policies;
    for (const auto& p : d.policies) policies.add(p);
    o->set("policies", policies);
    if (!d.error.empty()) o->set("error", d.error);
    if (d.status == DeviceStatus::Blocked) {
        Poco::JSON::Object::Ptr blocked = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        blocked->set("reason", d.blockReason);
        blocked->set("since", core::isoTime(d.blockedAt));
        o->set("blocked", blocked);
    }
    o->set("last_seen", core::isoTime(d.lastSeen));
    return o;
}

}  // namespace steward::bridge
