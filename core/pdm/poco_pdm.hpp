#pragma once
// The ProvisioningDatabase on one Poco::Data session. The SQL here is the part SQLite and
// PostgreSQL share (upserts with ON CONFLICT, RETURNING, savepoints); what differs per back-end
// (opening, pragmas, the schema's DDL) stays with the back-end's factory, e.g. sqlite_pdm.cpp.
//
// One recursive mutex serialises every call; a transaction holds it until the outermost one
// ends, so a thread never sees another thread's uncommitted writes through this object.

#include <Poco/Data/Session.h>
#include <Poco/Exception.h>

#include <mutex>
#include <string>
#include <type_traits>

#include "steward/pdm/provisioning_database.hpp"

namespace steward::core::detail {

struct SqlDialect {
    std::string beginTransaction;  // "BEGIN IMMEDIATE" (SQLite: take the write lock up front), "BEGIN"
};

class PocoPdm final : public ProvisioningDatabase {
public:
    // `label` names the database in every error (the file, or the server and database name).
    PocoPdm(Poco::Data::Session session, std::string label, SqlDialect dialect);
    ~PocoPdm() override;
    PocoPdm(const PocoPdm&) = delete;
    PocoPdm& operator=(const PocoPdm&) = delete;

    void transaction(const std::function<void()>& fn) override;

    void putDevice(const DeviceRecord& d) override;
    std::optional<DeviceRecord> device(const Uuid& id) const override;
    std::vector<DeviceRecord> devices() const override;
    std::vector<DeviceRecord> devicesInState(DeviceRecordState s) const override;
    void setDeviceState(const Uuid& id, DeviceRecordState s) override;
    void renameDevice(const Uuid& id, const std::string& name) override;
    bool removeDevice(const Uuid& id) override;

    void putLink(const Uuid& a, const Uuid& b) override;
    void putDirectLink(const Uuid& server, const Uuid& client) override;
    void setLinkStale(const Uuid& a, const Uuid& b, bool stale, const std::string& pendingAction) override;
    bool removeLink(const Uuid& a, const Uuid& b) override;
    bool removeDirectLink(const Uuid& server, const Uuid& client) override;
    std::optional<LinkRecord> link(const Uuid& a, const Uuid& b) const override;
    std::vector<LinkRecord> links(const Uuid& device) const override;
    std::vector<LinkRecord> staleLinks() const override;

    std::int64_t addCredential(const CredentialRecord& c) override;
    void revokeCredential(std::int64_t id) override;
    std::vector<CredentialRecord> credentials(const Uuid& device) const override;

    std::int64_t addAce(const AceRecord& a) override;
    bool removeAce(std::int64_t id) override;
    std::vector<AceRecord> aces(const Uuid& device) const override;

    std::int64_t addPendingAction(const PendingAction& p) override;
    std::vector<PendingAction> pendingActions() const override;
    bool removePendingAction(std::int64_t id) override;

    void blockDevice(const Uuid& id, const std::string& reason) override;
    bool unblockDevice(const Uuid& id) override;
    std::vector<BlockedDevice> blockedDevices() const override;
    bool isBlocked(const Uuid& id) const override;

    void setAppliedPolicies(const AppliedPolicies& a) override;
    std::optional<AppliedPolicies> appliedPolicies(const Uuid& device) const override;

    void addToCounter(const std::string& name, const std::string& label, std::uint64_t delta) override;
    std::vector<MetricCounter> counters() const override;
    void addSample(const std::string& series, std::int64_t value, std::size_t keep) override;
    std::vector<std::int64_t> samples(const std::string& series) const override;

    int schemaVersion() const override;

private:
    PdmError failure(const std::string& op, const std::string& reason) const;
    void execute(const std::string& op, const std::string& sql);
    void rollbackQuietly(bool outermost, const std::string& savepoint);

    // Runs f() with the object locked; database failures become PdmError naming `op`.
    template <class F>
    auto read(const std::string& op, F&& f) const -> decltype(f());
    // As read(), with f() inside a transaction (a savepoint when one is already open).
    template <class F>
    auto write(const std::string& op, F&& f) -> decltype(f());

    // SELECTs with `tail` (WHERE/ORDER BY, with ? for each of `params`) after the FROM clause.
    std::vector<DeviceRecord> queryDevices(const std::string& tail, std::vector<std::string> params) const;
    std::vector<LinkRecord> queryLinks(const std::string& tail, std::vector<std::string> params) const;

    mutable std::recursive_mutex mutex_;
    mutable Poco::Data::Session session_;
    std::string label_;
    SqlDialect dialect_;
    int depth_ = 0;  // open transaction levels, guarded by mutex_
};

template <class F>
auto PocoPdm::read(const std::string& op, F&& f) const -> decltype(f()) {
    std::lock_guard lock(mutex_);
    try {
        return f();
    } catch (const PdmError&) {
        throw;
    } catch (const Poco::Exception& e) {
        throw failure(op, e.displayText());
    } catch (const std::exception& e) {
        throw failure(op, e.what());
    }
}

template <class F>
auto PocoPdm::write(const std::string& op, F&& f) -> decltype(f()) {
    using Result = decltype(f());
    return read(op, [&]() -> Result {
        if constexpr (std::is_void_v<Result>) {
            transaction(f);
        } else {
            Result result{};
            transaction([&] { result = f(); });
            return result;
        }
    });
}

}  // namespace steward::core::detail
