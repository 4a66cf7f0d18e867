// The active policy set: reloads report what changed; a broken directory keeps the last good set.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "policy/policy_store.hpp"
#include "steward/model/ace_text.hpp"
#include "support/temp_dir.hpp"

using namespace steward::bridge;

namespace {

class PolicyStoreTest : public ::testing::Test {
protected:
    void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name, std::ios::binary) << text; }

    static std::string policy(const std::string& name, const std::string& permission = "R") {
        return "  - name: " + name + "\n    aces: [{subject: gateway, resources: [/a], permission: " + permission + "}]\n";
    }

    static std::vector<std::string> names(const PolicySet& set) {
        std::vector<std::string> out;
        for (const auto& p : set.policies) out.push_back(p.name);
        return out;
    }

    steward::test::TempDir dir_;
    PolicyStore store_;
};

TEST_F(PolicyStoreTest, StartsEmpty) {
    ASSERT_NE(store_.current(), nullptr);
    EXPECT_TRUE(store_.current()->policies.empty());
}

TEST_F(PolicyStoreTest, AGoodReloadReportsWhatChanged) {
    write("10-a.yaml", "policies:\n" + policy("keep") + policy("change") + policy("drop"));
    ReloadResult first = store_.reload(dir_.path());
    ASSERT_TRUE(first.ok) << first.error;
    EXPECT_EQ(first.added, (std::vector<std::string>{"keep", "change", "drop"}));
    EXPECT_TRUE(first.removed.empty());
    EXPECT_TRUE(first.changed.empty());
    ASSERT_NE(first.previous, nullptr);
    EXPECT_TRUE(first.previous->policies.empty());
    EXPECT_EQ(names(*store_.current()), (std::vector<std::string>{"keep", "change", "drop"}));

    // "keep" moves to another file with other comments and lines: the same rules, not a change.
    const auto before = store_.current();
    write("10-a.yaml", "policies:\n" + policy("change", "RU") + policy("new"));
    write("20-b.yaml", "# moved here\n\npolicies:\n" + policy("keep"));
    ReloadResult second = store_.reload(dir_.path());
    ASSERT_TRUE(second.ok) << second.error;
    EXPECT_EQ(second.added, std::vector<std::string>{"new"});
    EXPECT_EQ(second.removed, std::vector<std::string>{"drop"});
    EXPECT_EQ(second.changed, std::vector<std::string>{"change"});
    EXPECT_EQ(second.previous, before);
    EXPECT_EQ(names(*store_.current()), (std::vector<std::string>{"change", "new", "keep"}));

    // Nothing changed: nothing reported.
    ReloadResult third = store_.reload(dir_.path());
    ASSERT_TRUE(third.ok);
    EXPECT_TRUE(third.added.empty() && third.removed.empty() && third.changed.empty());
}

TEST_F(PolicyStoreTest, ABrokenFileKeepsTheLastGoodSet) {
    write("10-a.yaml", "policies:\n" + policy("a"));
    ASSERT_TRUE(store_.reload(dir_.path()).ok);
    const auto good = store_.current();

    write("20-b.yaml", "policies:\n" + policy("b", "RX"));
    const ReloadResult broken = store_.reload(dir_.path());
    EXPECT_FALSE(broken.ok);
    EXPECT_EQ(broken.error, (dir_ / "20-b.yaml").string() + ":3:60: policies[0].aces[0].permission: \"RX\" is not a permission (" +
                                std::string(steward::core::kPermissionSyntax) + ")");
    EXPECT_TRUE(broken.added.empty() && broken.removed.empty() && broken.changed.empty());
    EXPECT_EQ(broken.previous, good);
    EXPECT_EQ(store_.current(), good);
    EXPECT_EQ(names(*store_.current()), std::vector<std::string>{"a"});

    // A duplicate name is as broken as a bad value.
    write("20-b.yaml", "policies:\n" + policy("a"));
    EXPECT_FALSE(store_.reload(dir_.path()).ok);
    EXPECT_EQ(store_.current(), good);

    // Fixed: the new policy is added.
    write("20-b.yaml", "policies:\n" + policy("b"));
    const ReloadResult fixed = store_.reload(dir_.path());
    ASSERT_TRUE(fixed.ok) << fixed.error;
    EXPECT_EQ(fixed.added, std::vector<std::string>{"b"});
}

TEST_F(PolicyStoreTest, AMissingDirectoryRemovesEverything) {
    write("10-a.yaml", "policies:\n" + policy("a"));
    ASSERT_TRUE(store_.reload(dir_.path()).ok);
    const ReloadResult gone = store_.reload(dir_ / "nowhere");
    ASSERT_TRUE(gone.ok);
    EXPECT_EQ(gone.removed, std::vector<std::string>{"a"});
    EXPECT_TRUE(store_.current()->policies.empty());
}

TEST_F(PolicyStoreTest, ReadersSeeWholeSetsDuringReloads) {
    write("10-a.yaml", "policies:\n" + policy("a") + policy("b"));
    std::atomic<bool> stop{false};
    std::atomic<int> bad{0};
    std::thread reader([&] {
        while (!stop) {
            const auto set = store_.current();
            const auto n = set->policies.size();
            if (n != 0 && n != 2 && n != 3) ++bad;
        }
    });
    for (int i = 0; i < 50; ++i) {
        write("20-b.yaml", i % 2 == 0 ? "policies:\n" + policy("c") : std::string("policies: []\n"));
        EXPECT_TRUE(store_.reload(dir_.path()).ok);
    }
    stop = true;
    reader.join();
    EXPECT_EQ(bad, 0);
}

}  // namespace

namespace {

TEST_F(PolicyStoreTest, AChangedDirectPairingIsAChange) {
    const auto pairing = [](const std::string& pin) {
        return "policies:\n  - name: guest\n    direct_pairing: {methods: [preconfigured], pin: \"" + pin +
               "\", resources: [/a/light], permission: RU}\n";
    };
    write("20-guest.yaml", pairing("12345678"));
    ASSERT_TRUE(store_.reload(dir_.path()).ok);
    write("20-guest.yaml", pairing("87654321"));
    const ReloadResult r = store_.reload(dir_.path());
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.changed, std::vector<std::string>{"guest"});
    // A broken PIN is refused and the last good set stays.
    write("20-guest.yaml", pairing("8765432"));
    const ReloadResult bad = store_.reload(dir_.path());
    EXPECT_FALSE(bad.ok);
    EXPECT_NE(bad.error.find("20-guest.yaml:3:"), std::string::npos) << bad.error;
    EXPECT_EQ(bad.error.find("8765432"), std::string::npos) << bad.error;
    EXPECT_EQ(store_.current()->policies.at(0).directPairing->pin, "87654321");
}

}  // namespace
