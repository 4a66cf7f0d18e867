// Devices: one row per device the gateway owns or is taking ownership of.
#include <Poco/Data/Statement.h>

#include "pdm/pdm_values.hpp"
#include "pdm/poco_pdm.hpp"

namespace steward::core::detail {

using namespace Poco::Data::Keywords;

namespace {

constexpr const char* kOrder = " ORDER BY owned_at, uuid";

std::uint16_t portFromColumn(int value) {
    if (value < 0 || value > 0xffff) throw std::runtime_error("corrupt row: port " + std::to_string(value));
    return static_cast<std::uint16_t>(value);
}

// Device types never contain a space (OCF resource types are dotted names): stored space-separated.
std::string typesToColumn(const std::vector<std::string>& types) {
    std::string out;
    for (const auto& t : types) {
        if (t.empty() || t.find(' ') != std::string::npos) continue;
        out += (out.empty() ? "" : " ") + t;
    }
    return out;
}

std::vector<std::string> typesFromColumn(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto end = std::min(text.find(' ', start), text.size());
        if (end > start) out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::string operation(const char* name, const Uuid& id) { return std::string(name) + "(" + id.toString() + ")"; }

}  // namespace

std::vector<DeviceRecord> PocoPdm::queryDevices(const std::string& tail, std::vector<std::string> params) const {
    std::vector<std::string> ids, names, otms, addresses, states, types;
    std::vector<int> ports, securePorts;
    std::vector<std::int64_t> ownedAt, updatedAt;
    Poco::Data::Statement select(session_);
    select << "SELECT uuid, name, otm, address, port, secure_port, state, owned_at, updated_at, device_types FROM devices " + tail;
    for (auto& p : params) select.addBind(use(p));
    select.addExtract(into(ids));
    select.addExtract(into(names));
    select.addExtract(into(otms));
    select.addExtract(into(addresses));
    select.addExtract(into(ports));
    select.addExtract(into(securePorts));
    select.addExtract(into(states));
    select.addExtract(into(ownedAt));
    select.addExtract(into(updatedAt));
    select.addExtract(into(types));
    select.execute();

    std::vector<DeviceRecord> records;
    records.reserve(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
        DeviceRecord d;
        d.id = uuidFromColumn(ids[i]);
        d.name = names[i];
        d.otm = otms[i];
        d.address = addresses[i];
        d.port = portFromColumn(ports[i]);
        d.securePort = portFromColumn(securePorts[i]);
        d.state = stateFromColumn(states[i]);
        d.ownedAt = fromMillis(ownedAt[i]);
        d.updatedAt = fromMillis(updatedAt[i]);
        d.deviceTypes = typesFromColumn(types[i]);
        records.push_back(std::move(d));
    }
    return records;
}

void PocoPdm::putDevice(const DeviceRecord& d) {
    const std::string op = operation("putDevice", d.id);
    if (d.id.isNil()) throw failure(op, "the nil UUID cannot be a device");
    write(op, [&] {
        std::string id = d.id.toString();
        std::string name = d.name;
        std::string otm = d.otm;
        std::string address = d.address;
        int port = d.port;
        int securePort = d.securePort;
        std::string state(toString(d.state));
        std::string types = typesToColumn(d.deviceTypes);
        std::int64_t updatedAt = toMillis(pdmNow());
        std::int64_t ownedAt = 0;
        if (d.state == DeviceRecordState::Owned) {
            ownedAt = toMillis(d.ownedAt);
            if (ownedAt == 0) {
                std::string owned(toString(DeviceRecordState::Owned));
                session_ << "SELECT owned_at FROM devices WHERE uuid = ? AND state = ?", use(id), use(owned), into(ownedAt), now;
                if (ownedAt == 0) ownedAt = updatedAt;
            }
        }
        session_ << "INSERT INTO devices (uuid, name, otm, address, port, secure_port, state, owned_at, updated_at, device_types) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (uuid) DO UPDATE SET name = excluded.name, otm = excluded.otm, "
                    "address = excluded.address, port = excluded.port, secure_port = excluded.secure_port, "
                    "state = excluded.state, owned_at = excluded.owned_at, updated_at = excluded.updated_at, "
                    "device_types = excluded.device_types",
            use(id), use(name), use(otm), use(address), use(port), use(securePort), use(state), use(ownedAt), use(updatedAt), use(types),
            now;
    });
}

std::optional<DeviceRecord> PocoPdm::device(const Uuid& id) const {
    return read(operation("device", id), [&]() -> std::optional<DeviceRecord> {
        auto found = queryDevices("WHERE uuid = ?", {id.toString()});
        if (found.empty()) return std::nullopt;
        return std::move(found.front());
    });
}

std::vector<DeviceRecord> PocoPdm::devices() const {
    return read("devices", [&] { return queryDevices(kOrder, {}); });
}

std::vector<DeviceRecord> PocoPdm::devicesInState(DeviceRecordState s) const {
    return read("devicesInState(" + std::string(toString(s)) + ")",
                [&] { return queryDevices(std::string("WHERE state = ?") + kOrder, {std::string(toString(s))}); });
}

void PocoPdm::setDeviceState(const Uuid& id, DeviceRecordState s) {
    write("setDeviceState(" + id.toString() + ", " + std::string(toString(s)) + ")", [&] {
        std::string uuid = id.toString();
        std::string state(toString(s));
        std::int64_t nowMs = toMillis(pdmNow());
        Poco::Data::Statement update(session_);
        if (s == DeviceRecordState::Owned) {
            // SET reads the old row: a device that is already owned keeps its ownedAt.
            update << "UPDATE devices SET owned_at = CASE WHEN state = ? AND owned_at <> 0 THEN owned_at ELSE ? END, "
                      "state = ?, updated_at = ? WHERE uuid = ?",
                use(state), use(nowMs), use(state), use(nowMs), use(uuid);
        } else {
            update << "UPDATE devices SET owned_at = 0, state = ?, updated_at = ? WHERE uuid = ?", use(state), use(nowMs), use(uuid);
        }
        if (update.execute() == 0) throw std::runtime_error("no such device");
    });
}

void PocoPdm::renameDevice(const Uuid& id, const std::string& name) {
    write(operation("renameDevice", id), [&] {
        std::string uuid = id.toString();
        std::string newName = name;
        std::int64_t nowMs = toMillis(pdmNow());
        Poco::Data::Statement update(session_);
        update << "UPDATE devices SET name = ?, updated_at = ? WHERE uuid = ?", use(newName), use(nowMs), use(uuid);
        if (update.execute() == 0) throw std::runtime_error("no such device");
    });
}

bool PocoPdm::removeDevice(const Uuid& id) {
    return write(operation("removeDevice", id), [&] {
        std::string uuid = id.toString();
        // The direct links it is the client of name it only as text; the rest (links, the direct
        // links it serves, credentials and ACEs) go with it (ON DELETE CASCADE).
        session_ << "DELETE FROM direct_links WHERE client = ?", use(uuid), now;
        Poco::Data::Statement remove(session_);
        remove << "DELETE FROM devices WHERE uuid = ?", use(uuid);
        return remove.execute() > 0;
    });
}

}  // namespace steward::core::detail
