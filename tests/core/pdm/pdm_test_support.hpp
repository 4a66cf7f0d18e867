#pragma once
// Shared set-up of the PDM tests: a fresh SQLite PDM in a temporary directory, sample records,
// and direct access to the file through SQLite's C API.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "steward/pdm/sqlite_pdm.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {

// A UUID whose first byte orders it: uuidNo(1) < uuidNo(2).
inline core::Uuid uuidNo(std::uint8_t n) {
    core::Uuid::Bytes b{};
    b.fill(0x5a);
    b[0] = n;
    return core::Uuid(b);
}

inline std::chrono::system_clock::time_point atMillis(std::int64_t ms) {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

// What the PDM keeps of a time: whole milliseconds.
inline std::chrono::system_clock::time_point toStoredPrecision(std::chrono::system_clock::time_point t) {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(t);
}

inline core::DeviceRecord sampleDevice(std::uint8_t n, const std::string& name = "light") {
    core::DeviceRecord d;
    d.id = uuidNo(n);
    d.name = name;
    d.otm = "oic.sec.doxm.jw";
    d.address = "192.168.1." + std::to_string(n);
    d.port = 5683;
    d.securePort = static_cast<std::uint16_t>(40000 + n);
    d.deviceTypes = {"oic.d.light", "x.example.dimmer"};
    return d;
}

inline std::vector<char> fileBytes(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// One connection of SQLite's own, beside the PDM's.
class RawSqlite {
public:
    explicit RawSqlite(const std::filesystem::path& file) {
        if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
            const std::string message = sqlite3_errmsg(db_);
            sqlite3_close(db_);
            throw std::runtime_error("sqlite3_open_v2: " + message);
        }
    }
    ~RawSqlite() { sqlite3_close(db_); }
    RawSqlite(const RawSqlite&) = delete;
    RawSqlite& operator=(const RawSqlite&) = delete;

    void exec(const std::string& sql) { query(sql); }
    // The first column of every row, as text ("" for NULL).
    std::vector<std::string> query(const std::string& sql) {
        std::vector<std::string> rows;
        char* error = nullptr;
        const auto collect = [](void* out, int columns, char** values, char**) -> int {
            auto* list = static_cast<std::vector<std::string>*>(out);
            list->emplace_back(columns > 0 && values[0] != nullptr ? values[0] : "");
            return 0;
        };
        if (sqlite3_exec(db_, sql.c_str(), collect, &rows, &error) != SQLITE_OK) {
            const std::string message = error != nullptr ? error : "unknown error";
            sqlite3_free(error);
            throw std::runtime_error(sql + ": " + message);
        }
        return rows;
    }
    std::string scalar(const std::string& sql) {
        const auto rows = query(sql);
        return rows.empty() ? std::string() : rows.front();
    }

private:
    sqlite3* db_ = nullptr;
};

// Leaves a database as a build with schema version `version` (2 or later) made it: what the later
// migrations added is dropped. A new migration adds its undo here.
inline void downgradeTo(RawSqlite& raw, int version) {
    if (version < 6) {
        raw.exec("DROP TABLE applied_policies");
        raw.exec("DROP TABLE metric_counters");
        raw.exec("DROP TABLE metric_samples");
    }
    if (version < 5) raw.exec("DROP TABLE blocked_devices");
    if (version < 4) raw.exec("DROP TABLE direct_links");
    if (version < 3) raw.exec("ALTER TABLE devices DROP COLUMN device_types");
    raw.exec("DELETE FROM schema_version WHERE version > " + std::to_string(version));
}

class PdmFixture : public ::testing::Test {
protected:
    std::unique_ptr<core::ProvisioningDatabase> reopen() { return core::openSqlitePdm(file_); }

    TempDir dir_;
    std::filesystem::path file_ = dir_ / "pdm.db";
    std::unique_ptr<core::ProvisioningDatabase> db_ = core::openSqlitePdm(file_);
};

}  // namespace steward::test
