#pragma once
// The gateway's provisioning database (PDM): the devices it owns or is taking ownership of, the
// pairwise links between them, and the credentials and ACEs it installed on each. IoTivity's
// Provisioning Manager kept the same facts in its own SQLite file.
//
// ProvisioningDatabase is the storage-neutral interface; openSqlitePdm() (sqlite_pdm.hpp) is the
// embedded implementation, and a PostgreSQL one can follow behind the same calls.
//
// Threading: every implementation is safe to use from several threads at once; calls are
// serialised per object, and a transaction() holds the object for its whole duration.
// Failure: every call throws PdmError (naming the database and the operation) when the database
// refuses or fails it; a failed write leaves nothing behind. Records are plain values: the
// caller owns what it passes in and what it gets back.
// Times are stored with millisecond precision.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "steward/model/uuid.hpp"

namespace steward::core {

// Pending: ownership transfer in progress (the owner credential is already stored).
// Owned: ownership confirmed.
enum class DeviceRecordState { Pending, Owned };

// "pending" or "owned".
std::string_view toString(DeviceRecordState state);

struct DeviceRecord {
    Uuid id;
    std::string name;
    std::string otm;      // the OTM used, e.g. "oic.sec.doxm.jw"
    std::string address;  // last known IP address, as text
    std::uint16_t port = 0;
    std::uint16_t securePort = 0;
    std::vector<std::string> deviceTypes;  // /oic/d rt as discovered, e.g. "oic.d.light" (for policies)
    DeviceRecordState state = DeviceRecordState::Pending;
    std::chrono::system_clock::time_point ownedAt{};  // the epoch (0) while pending
    std::chrono::system_clock::time_point updatedAt{};
    friend bool operator==(const DeviceRecord&, const DeviceRecord&) = default;
};

// A pairwise link between two owned devices (they share a credential and ACEs), or a direct link:
// a pairing the devices made themselves by Direct Pairing, read from the server's pconf pddev. The
// client of a direct link may be a guest device the gateway does not own (not in `devices`).
struct LinkRecord {
    Uuid a;  // pairwise: stored and returned with a < b (by bytes); callers may pass either order.
    Uuid b;  // direct: a is the server (an owned device), b the client; never reordered.
    bool direct = false;
    bool stale = false;         // the devices no longer agree with the PDM (e.g. an unlink failed)
    std::string pendingAction;  // "" or what is still to be done on the devices, e.g. "unlink"
    std::chrono::system_clock::time_point createdAt{};
    friend bool operator==(const LinkRecord&, const LinkRecord&) = default;
};

// A credential the gateway installed on `device` (the key itself is never stored here).
struct CredentialRecord {
    std::int64_t id = 0;  // assigned by the database
    Uuid device;          // the device it was installed on
    Uuid subject;         // the peer the credential authenticates
    int credtype = 1;     // OCF credtype bit field (1 = symmetric pairwise key)
    int keyBits = 0;
    std::chrono::system_clock::time_point createdAt{};  // the epoch means "now" on insertion
    std::optional<std::chrono::system_clock::time_point> revokedAt;
    friend bool operator==(const CredentialRecord&, const CredentialRecord&) = default;
};

// An ACE the gateway installed on `device`.
struct AceRecord {
    std::int64_t id = 0;  // assigned by the database
    Uuid device;
    int aceid = 0;                                      // as assigned by the device
    std::string subject;                                // "uuid:...", "conntype:anon-clear", "role:..."
    std::vector<std::string> resources;                 // hrefs or "*", "+", "-"; kept in the given order
    int permission = 0;                                 // OCF CRUDN bit mask
    std::string origin;                                 // "" added by hand, or the name of the policy
    std::chrono::system_clock::time_point createdAt{};  // the epoch means "now" on insertion
    friend bool operator==(const AceRecord&, const AceRecord&) = default;
};

// Work the gateway still owes a device it could not reach when it should have acted: revoke the
// credentials and ACEs of a removed peer ("revoke"), or reset a removed device ("reset"). Done
// when the device is seen again. Not tied to `devices`: the peer a revocation is about (and the
// device a reset is for) is already gone from the PDM.
struct PendingAction {
    std::int64_t id = 0;  // assigned by the database
    Uuid device;          // the device to act on
    Uuid peer;            // "revoke": whose credentials and ACEs go; "reset": the device itself
    std::string action;   // "revoke" or "reset"
    std::string address;  // where the device was last seen
    std::uint16_t securePort = 0;
    std::chrono::system_clock::time_point createdAt{};  // the epoch means "now" on insertion
    friend bool operator==(const PendingAction&, const PendingAction&) = default;
};

// A device the gateway must not own unasked: the user removed it, and a removed device comes back
// reset (unowned) and would otherwise be owned again by permit-join or automatic mode. Only an
// explicit request (admit, or own naming it) lifts the block. Not tied to `devices`.
struct BlockedDevice {
    Uuid id;
    std::string reason;  // why, for the user, e.g. "removed"
    std::chrono::system_clock::time_point blockedAt{};
    friend bool operator==(const BlockedDevice&, const BlockedDevice&) = default;
};

// What the gateway's policies gave a device the last time they were applied to it, so that its
// state survives a restart: the policies' names and whether the device ended up provisioned.
// Tied to `devices`: it goes with the device.
struct AppliedPolicies {
    Uuid device;
    std::vector<std::string> policies;  // names, in the order they were applied
    bool provisioned = false;           // the device is provisioned (an application succeeded)
    std::string error;                  // "" or why the last application failed
    std::chrono::system_clock::time_point appliedAt{};
    friend bool operator==(const AppliedPolicies&, const AppliedPolicies&) = default;
};

// One of the gateway's metric counters (devices owned, failures by reason, ...): `name` and
// `label` ("" for none, or e.g. the failure's reason) identify it.
struct MetricCounter {
    std::string name;
    std::string label;
    std::uint64_t value = 0;
    friend bool operator==(const MetricCounter&, const MetricCounter&) = default;
};

class PdmError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class ProvisioningDatabase {
public:
    virtual ~ProvisioningDatabase() = default;

    // Runs fn inside one transaction: all or nothing. A nested call joins the outer transaction
    // (its writes become durable only when the outer one commits) and is itself all or nothing:
    // if fn throws, only its own writes are undone. fn's exception is rethrown unchanged after the
    // rollback; a failure to begin or commit throws PdmError. Other threads using this object
    // wait until the outermost transaction ends, so fn must not wait for them.
    virtual void transaction(const std::function<void()>& fn) = 0;

    // Devices.
    // Inserts or replaces the device with d.id; updatedAt becomes now. ownedAt is stored as the
    // epoch for a Pending device; an Owned device given without ownedAt keeps the one already
    // stored, or gets now. PdmError for the nil UUID.
    virtual void putDevice(const DeviceRecord& d) = 0;
    virtual std::optional<DeviceRecord> device(const Uuid& id) const = 0;
    virtual std::vector<DeviceRecord> devices() const = 0;                            // ordered by ownedAt, then UUID
    virtual std::vector<DeviceRecord> devicesInState(DeviceRecordState s) const = 0;  // same order
    // ownedAt becomes now when the device becomes Owned (an Owned device keeps its ownedAt) and
    // the epoch when it goes back to Pending; updatedAt becomes now. PdmError if id is unknown.
    virtual void setDeviceState(const Uuid& id, DeviceRecordState s) = 0;
    // updatedAt becomes now. PdmError if id is unknown.
    virtual void renameDevice(const Uuid& id, const std::string& name) = 0;
    // Removes the device with its links (direct ones on either side too), credentials and ACEs.
    // False if id is unknown.
    virtual bool removeDevice(const Uuid& id) = 0;

    // Links; a and b in either order. Unless said otherwise a call covers both kinds: pairwise
    // links and direct links (in either direction between the two devices).
    // A pairwise link: both devices must be in the database and differ, else PdmError and nothing
    // is written. Idempotent: an existing link is left as it is.
    virtual void putLink(const Uuid& a, const Uuid& b) = 0;
    // A direct link (Direct Pairing): `server` must be in the database, `client` need not be (a
    // guest); they differ. Else PdmError and nothing is written. Idempotent: an existing direct
    // link (with its stale flag) is left as it is.
    virtual void putDirectLink(const Uuid& server, const Uuid& client) = 0;
    // Sets every link between a and b. PdmError if there is none.
    virtual void setLinkStale(const Uuid& a, const Uuid& b, bool stale, const std::string& pendingAction) = 0;
    // Removes every link between a and b; false if there was none.
    virtual bool removeLink(const Uuid& a, const Uuid& b) = 0;
    // Removes only the direct link of `server` to `client` (a pairwise link or the reverse direct
    // link between them stays); false if there was none.
    virtual bool removeDirectLink(const Uuid& server, const Uuid& client) = 0;
    // The link between a and b: the pairwise one if there is one, else the direct one with a as
    // server, else the direct one with b as server.
    virtual std::optional<LinkRecord> link(const Uuid& a, const Uuid& b) const = 0;
    // Every link with `device` on either side (also a guest client's direct links), oldest first.
    virtual std::vector<LinkRecord> links(const Uuid& device) const = 0;
    virtual std::vector<LinkRecord> staleLinks() const = 0;  // oldest first

    // Credentials.
    // Returns the new id (c.id is ignored). c.device must be in the database, else PdmError.
    virtual std::int64_t addCredential(const CredentialRecord& c) = 0;
    // Sets revokedAt to now; a revoked credential keeps its first revocation time. PdmError if
    // id is unknown.
    virtual void revokeCredential(std::int64_t id) = 0;
    // Every credential installed on `device`, revoked ones included, in insertion order.
    virtual std::vector<CredentialRecord> credentials(const Uuid& device) const = 0;

    // ACEs.
    // Returns the new id (a.id is ignored). Idempotent: if an ACE with the same device, subject,
    // set of resources (order and repetition do not matter) and permission is stored, returns its
    // id and changes nothing. a.device must be in the database, else PdmError.
    virtual std::int64_t addAce(const AceRecord& a) = 0;
    virtual bool removeAce(std::int64_t id) = 0;                        // false if id is unknown
    virtual std::vector<AceRecord> aces(const Uuid& device) const = 0;  // insertion order

    // Pending actions.
    // Returns the id; idempotent on (device, peer, action): an existing row keeps its id and time
    // and gets the new address. PdmError for an action other than "revoke"/"reset".
    virtual std::int64_t addPendingAction(const PendingAction& p) = 0;
    virtual std::vector<PendingAction> pendingActions() const = 0;  // oldest first
    virtual bool removePendingAction(std::int64_t id) = 0;          // false if id is unknown

    // Blocked devices.
    // Blocks `id` with `reason`; blockedAt becomes now. Idempotent: a device already blocked keeps
    // its time and gets the new reason. PdmError for the nil UUID.
    virtual void blockDevice(const Uuid& id, const std::string& reason) = 0;
    virtual bool unblockDevice(const Uuid& id) = 0;                 // false if it was not blocked
    virtual std::vector<BlockedDevice> blockedDevices() const = 0;  // oldest first, then by UUID
    virtual bool isBlocked(const Uuid& id) const = 0;

    // Applied policies.
    // Records what the policies gave a.device (a.appliedAt is ignored: now), replacing what was
    // recorded. a.device must be in the database, else PdmError.
    virtual void setAppliedPolicies(const AppliedPolicies& a) = 0;
    // What was recorded for `device`; nullopt if nothing (never applied, or an unknown device).
    virtual std::optional<AppliedPolicies> appliedPolicies(const Uuid& device) const = 0;

    // Metrics: counters and windows of the latest samples, kept across restarts. Each call is one
    // small write; several in a transaction() are one.
    // Adds `delta` to the counter (name, label); a counter not stored yet starts at 0. PdmError
    // for an empty name.
    virtual void addToCounter(const std::string& name, const std::string& label, std::uint64_t delta) = 0;
    virtual std::vector<MetricCounter> counters() const = 0;  // ordered by name, then label
    // Appends `value` to the series `series` and keeps only its newest `keep` values. PdmError for
    // an empty series name or keep 0.
    virtual void addSample(const std::string& series, std::int64_t value, std::size_t keep) = 0;
    virtual std::vector<std::int64_t> samples(const std::string& series) const = 0;  // oldest first

    // The version of the schema the database is at (the newest this build knows once opened).
    virtual int schemaVersion() const = 0;
};

}  // namespace steward::core
