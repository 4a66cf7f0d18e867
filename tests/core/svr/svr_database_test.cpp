#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/model/sample_resources.hpp"
#include "steward/svr/svr_database.hpp"
#include "support/temp_dir.hpp"

using namespace steward::core;
using steward::test::TempDir;

namespace {

DeviceProfile randomPinProfile() { return DeviceProfile{{oxm::kRandomPin}, false}; }

Ace lightAce(const Uuid& subject) { return Ace{1, subject, {AceResource{"/a/light", {}, {}, std::nullopt}}, permission::kRead, {}}; }

TEST(SvrDatabase, FirstRunCreatesAnUnownedDeviceInRfotm) {
    TempDir dir;
    DeviceIdSource ids;
    ids.setSeed("00:11:22:33:44:55");
    auto db = SvrDatabase::openOrCreate(dir / "svr.dat", randomPinProfile(), ids);
    EXPECT_TRUE(db.created());
    const auto& r = db.resources();
    EXPECT_EQ(r.doxm.deviceuuid.toString(), "66fd6ef8-31e4-ec98-9570-30be94189a78");
    EXPECT_EQ(r.doxm.oxms, std::vector<int>{oxm::kRandomPin});
    EXPECT_FALSE(r.doxm.owned);
    EXPECT_TRUE(r.doxm.devowneruuid.isNil());
    EXPECT_EQ(r.pstat.dos.state, DosState::Rfotm);
    EXPECT_EQ(r.pstat.cm, provisioning_mode::kTakeOwner);
    EXPECT_EQ(r.pstat.tm, 0);
    EXPECT_FALSE(r.pstat.isop);
    EXPECT_TRUE(r.cred.creds.empty());
    EXPECT_TRUE(r.acl.aclist2.empty());
    EXPECT_FALSE(r.pconf);
    EXPECT_EQ(db.resetProfile(), r);

    struct stat st {};
    ASSERT_EQ(::stat((dir / "svr.dat").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(SvrDatabase, DirectPairingProfileHostsPconfAndDpairing) {
    TempDir dir;
    DeviceIdSource ids;
    auto db = SvrDatabase::openOrCreate(dir / "svr.dat", DeviceProfile{{oxm::kJustWorks}, true}, ids);
    ASSERT_TRUE(db.resources().pconf);
    EXPECT_EQ(db.resources().pconf->deviceuuid, db.resources().doxm.deviceuuid);
    EXPECT_TRUE(db.resources().dpairing);
}

TEST(SvrDatabase, ChangesAndUuidSurviveRestart) {
    TempDir dir;
    Uuid id;
    const Uuid peer = steward::test::uuidOf("11111111-2222-3333-4444-555555555555");
    {
        DeviceIdSource ids;
        auto db = SvrDatabase::openOrCreate(dir / "svr.dat", randomPinProfile(), ids);
        id = db.resources().doxm.deviceuuid;
        db.modify([&](SecurityResources& r) { r.acl.aclist2.push_back(lightAce(peer)); });
    }
    DeviceIdSource ids;
    ids.setSeed("a different seed than before");  // ignored: the device already has its UUID
    auto db = SvrDatabase::openOrCreate(dir / "svr.dat", randomPinProfile(), ids);
    EXPECT_FALSE(db.created());
    EXPECT_EQ(db.resources().doxm.deviceuuid, id);
    ASSERT_EQ(db.resources().acl.aclist2.size(), 1u);
    EXPECT_EQ(db.resources().acl.aclist2[0], lightAce(peer));
}

TEST(SvrDatabase, ResetRestoresTheProfileExactlyAndKeepsTheUuid) {
    TempDir dir;
    DeviceIdSource ids;
    auto db = SvrDatabase::openOrCreate(dir / "svr.dat", randomPinProfile(), ids);
    const SecurityResources factory = db.resources();
    db.replace(steward::test::sampleResources());  // owned, credentials, ACEs, pconf...
    db.modify([&](SecurityResources& r) { r.doxm.deviceuuid = steward::test::uuidOf("99999999-2222-3333-4444-555555555555"); });
    ASSERT_NE(db.resources(), factory);
    EXPECT_EQ(db.resetProfile(), factory);  // never overwritten by edits

    db.reset();
    EXPECT_EQ(db.resources(), factory);
    EXPECT_EQ(db.resources().doxm.deviceuuid, factory.doxm.deviceuuid);

    // and on disk
    const std::filesystem::path file = db.file();
    db = SvrDatabase::create(dir / "other.dat", factory);  // releases the first lock
    auto reopened = SvrDatabase::open(file);
    EXPECT_EQ(reopened.resources(), factory);
    EXPECT_EQ(reopened.resetProfile(), factory);
}

TEST(SvrDatabase, EveryResourceRoundTripsThroughTheFile) {
    TempDir dir;
    const SecurityResources full = steward::test::sampleResources();
    { auto db = SvrDatabase::create(dir / "svr.dat", full); }
    auto db = SvrDatabase::open(dir / "svr.dat", SvrAccess::ReadOnly);
    EXPECT_EQ(db.resources(), full);
    EXPECT_EQ(db.resetProfile(), full);
}

TEST(SvrDatabase, FileLayoutIsAMapOfByteStringsWithResetpf) {
    const SecurityResources full = steward::test::sampleResources();
    const Bytes bytes = encodeSvrDocument(SvrDocument{full, full});
    const CborValue top = parseCbor(bytes, "t");
    for (const char* key : {"acl", "cred", "doxm", "pstat", "pconf", "dpairing"}) {
        ASSERT_NE(top.find(key), nullptr) << key;
        EXPECT_EQ(top.find(key)->type(), CborValue::Type::Bytes) << key;
    }
    EXPECT_EQ(decodeDoxm(top.find("doxm")->byteValue()), full.doxm);
    ASSERT_NE(top.find("resetpf"), nullptr);
    EXPECT_EQ(top.find("resetpf")->type(), CborValue::Type::Map);
    EXPECT_EQ(decodePstat(top.find("resetpf")->find("pstat")->byteValue()), full.pstat);
}

class CorruptFiles : public ::testing::Test {
protected:
    void expectRefusedAndUntouched(const Bytes& content, const std::string& expectInMessage) {
        const auto file = dir / "svr.dat";
        writeFileAtomically(file, content);
        try {
            DeviceIdSource ids;
            SvrDatabase::openOrCreate(file, randomPinProfile(), ids);
            FAIL() << "accepted a corrupt database";
        } catch (const SvrDbError& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find(file.string()), std::string::npos) << msg;
            EXPECT_NE(msg.find(expectInMessage), std::string::npos) << msg;
            EXPECT_NE(msg.find("leaving the file as it is"), std::string::npos) << msg;
        }
        EXPECT_EQ(readWholeFile(file, 1 << 24), content);
    }
    TempDir dir;
    Bytes good = encodeSvrDocument(SvrDocument{steward::test::sampleResources(), steward::test::sampleResources()});
};

TEST_F(CorruptFiles, EmptyFile) { expectRefusedAndUntouched({}, "empty"); }

TEST_F(CorruptFiles, TruncatedAtEveryLength) {
    for (std::size_t n = 1; n < good.size(); n += 37) {
        SCOPED_TRACE(n);
        expectRefusedAndUntouched(Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n)), "truncated");
    }
}

TEST_F(CorruptFiles, GarbageAndWrongShape) {
    expectRefusedAndUntouched({'h', 'e', 'l', 'l', 'o'}, "svrdb");
    expectRefusedAndUntouched(encodeCbor(CborValue::map()), "svrdb.acl");
}

TEST_F(CorruptFiles, BadInnerResourceNamesIt) {
    CborValue top = parseCbor(good, "t");
    for (auto& [k, v] : top.entries()) {
        if (k.textValue() == "pstat") v = CborValue::bytes({0xa1, 0x63, 'd', 'o', 's', 0x01});
    }
    expectRefusedAndUntouched(encodeCbor(top), "svrdb.pstat.dos");
}

TEST_F(CorruptFiles, MissingResetProfile) {
    CborValue top = parseCbor(good, "t");
    top.entries().pop_back();  // resetpf is last
    expectRefusedAndUntouched(encodeCbor(top), "svrdb.resetpf");
}

TEST(SvrDatabase, MissingFileIsAClearErrorForOpen) {
    TempDir dir;
    try {
        SvrDatabase::open(dir / "nope.dat");
        FAIL();
    } catch (const SvrDbError& e) {
        EXPECT_NE(std::string(e.what()).find("nope.dat"), std::string::npos) << e.what();
    }
}

TEST(SvrDatabase, CreateNeverOverwrites) {
    TempDir dir;
    { auto db = SvrDatabase::create(dir / "svr.dat", steward::test::sampleResources()); }
    const Bytes before = readWholeFile(dir / "svr.dat", 1 << 24);
    EXPECT_THROW(SvrDatabase::create(dir / "svr.dat", SecurityResources{}), SvrDbError);
    EXPECT_EQ(readWholeFile(dir / "svr.dat", 1 << 24), before);
}

TEST(SvrDatabase, OneWriterAtATimeReadersAlways) {
    TempDir dir;
    DeviceIdSource ids;
    auto writer = SvrDatabase::openOrCreate(dir / "svr.dat", randomPinProfile(), ids);
    // flock is per open file description, so a second writer in this process is refused too.
    EXPECT_THROW(SvrDatabase::open(dir / "svr.dat"), SvrDbError);
    auto reader = SvrDatabase::open(dir / "svr.dat", SvrAccess::ReadOnly);
    EXPECT_EQ(reader.resources(), writer.resources());
    EXPECT_THROW(reader.modify([](SecurityResources&) {}), SvrDbError);
}

TEST(SvrDatabase, FailedWriteChangesNothingInMemoryOrOnDisk) {
    TempDir dir;
    DeviceIdSource ids;
    auto db = SvrDatabase::openOrCreate(dir / "svr.dat", randomPinProfile(), ids);
    const SecurityResources before = db.resources();
    const Bytes onDisk = readWholeFile(db.file(), 1 << 24);
    AtomicWriteOptions opts;
    opts.beforeRename = [](const std::filesystem::path&) { throw FileError("disk full"); };
    db.setWriteOptions(opts);
    EXPECT_THROW(db.modify([](SecurityResources& r) { r.doxm.owned = true; }), SvrDbError);
    EXPECT_EQ(db.resources(), before);
    EXPECT_EQ(readWholeFile(db.file(), 1 << 24), onDisk);
}

TEST(SvrDatabase, KilledMidWriteLeavesTheLastGoodDatabase) {
    TempDir dir;
    const auto file = dir / "svr.dat";
    {
        DeviceIdSource ids;
        auto db = SvrDatabase::openOrCreate(file, randomPinProfile(), ids);
    }
    const Bytes before = readWholeFile(file, 1 << 24);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto db = SvrDatabase::open(file);
        AtomicWriteOptions opts;
        opts.beforeRename = [](const std::filesystem::path&) { ::_exit(9); };
        db.setWriteOptions(opts);
        db.modify([](SecurityResources& r) { r.doxm.owned = true; });
        ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_EQ(WEXITSTATUS(status), 9);
    EXPECT_EQ(readWholeFile(file, 1 << 24), before);
    auto db = SvrDatabase::open(file);  // the dead writer's lock is gone with it
    EXPECT_FALSE(db.resources().doxm.owned);
}

}  // namespace
