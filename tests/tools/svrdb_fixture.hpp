#pragma once
// What the steward-svrdb tests share: a temp dir per test with a database path, running the
// real binary, reading its JSON, comparing the file's bytes, and a small PKI made with the
// openssl command (a root CA, an intermediate CA, a device certificate, keys) as a user would.

#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>

#include <filesystem>
#include <string>
#include <vector>

#include "process_runner.hpp"
#include "support/temp_dir.hpp"

namespace steward::test {

// The seeded UUID from ocf-security.md's test vectors.
inline constexpr const char* kSeed = "00:11:22:33:44:55";
inline constexpr const char* kSeededUuid = "66fd6ef8-31e4-ec98-9570-30be94189a78";
inline constexpr const char* kPeer = "11111111-2222-3333-4444-555555555555";

ProcessResult runSvrdb(const std::vector<std::string>& args, const std::string& input = "");

std::vector<std::uint8_t> fileBytes(const std::filesystem::path& file);
Poco::JSON::Object::Ptr parseJson(const std::string& text);

// Files of a small PKI, made by `openssl` in `dir`.
struct TestPki {
    std::filesystem::path rootPem, rootDer, rootKey;
    std::filesystem::path intermediatePem, caChainPem;                         // caChainPem: intermediate then root
    std::filesystem::path devicePem, deviceKey, deviceKeyDer, deviceChainPem;  // chain: device then intermediate
    std::filesystem::path otherKey;                                            // matches none of the certificates
};
TestPki makeTestPki(const std::filesystem::path& dir);

class SvrdbTest : public ::testing::Test {
protected:
    // Creates the database with the seeded UUID; fails the test if that does not work.
    void initDatabase(const std::vector<std::string>& extra = {});
    Poco::JSON::Object::Ptr showJson(const std::string& what = "all");
    // Runs the editor with args, expecting failure with exit code 1 and the file unchanged.
    ProcessResult expectRefusedUnchanged(const std::vector<std::string>& args);

    TempDir dir_;
    std::filesystem::path db_ = dir_ / "device.svrdb";
    std::string db() const { return db_.string(); }
};

// Suite names carry "svrdb" in lower case so that `ctest -R svrdb` selects every one of them.
class svrdb_cli : public SvrdbTest {};
class svrdb_menu : public SvrdbTest {};

}  // namespace steward::test
