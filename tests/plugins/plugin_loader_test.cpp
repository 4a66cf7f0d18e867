// The plugin loader against the real OTM plugins and one broken plugin per failure kind: each is
// reported with its path and reason, and the host keeps running with the rest.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "steward/pdm/sqlite_pdm.hpp"
#include "steward/plugin/plugin_abi.hpp"
#include "steward/plugin/plugin_loader.hpp"
#include "support/temp_dir.hpp"

namespace steward::core {
namespace {

using ::testing::HasSubstr;

const std::filesystem::path kBroken = STEWARD_BROKEN_PLUGIN_DIR;
const std::filesystem::path kPlugins = STEWARD_PLUGIN_DIR;

class PluginLoading : public ::testing::Test {
protected:
    ProviderRegistry registry;
    PluginLoader loader{registry};
};

TEST_F(PluginLoading, LoadsTheInTreePlugins) {
    const auto reports = loader.loadDirectory(kPlugins);
    ASSERT_EQ(reports.size(), 5U);
    for (const auto& r : reports) EXPECT_TRUE(r.loaded) << r.path << ": " << r.reason;
    const auto otms = registry.list(provider_category::kOwnershipTransfer);
    ASSERT_EQ(otms.size(), 2U);
    EXPECT_EQ(otms[0].name, "oic.sec.doxm.jw");
    EXPECT_EQ(otms[0].plugin, "otm-justworks");
    EXPECT_EQ(otms[0].origin, (kPlugins / "otm-justworks.so").string());
    EXPECT_EQ(otms[1].name, "oic.sec.doxm.rdp");
    const auto jw = registry.ownershipProvider(0);
    ASSERT_TRUE(jw);
    EXPECT_EQ(jw->label(), "oic.sec.doxm.jw");
    EXPECT_FALSE(jw->needsPin());
    const auto rdp = registry.ownershipProvider(1);
    ASSERT_TRUE(rdp);
    EXPECT_TRUE(rdp->needsPin());
    const auto credmgmt = registry.list(provider_category::kCredentialManagement);
    ASSERT_EQ(credmgmt.size(), 1U);
    EXPECT_EQ(credmgmt[0].name, "steward.credmgmt");
    EXPECT_EQ(credmgmt[0].origin, (kPlugins / "credmgmt.so").string());
    EXPECT_TRUE(registry.credentialProvider());
    EXPECT_FALSE(registry.ownershipProvider(2));  // nobody provides manufacturer certificates
    const auto enrollment = registry.list(provider_category::kEnrollment);
    ASSERT_EQ(enrollment.size(), 1U);
    EXPECT_EQ(enrollment[0].name, "idprov");
    EXPECT_EQ(enrollment[0].origin, (kPlugins / "idprov.so").string());
    const auto pairing = registry.list(provider_category::kPairing);
    ASSERT_EQ(pairing.size(), 1U);
    EXPECT_EQ(pairing[0].name, "steward.directpairing");
    EXPECT_EQ(pairing[0].plugin, "directpairing");
    EXPECT_EQ(pairing[0].origin, (kPlugins / "directpairing.so").string());
    EXPECT_TRUE(registry.pairingProvider());
}

struct BrokenCase {
    const char* file;
    const char* reason;
};

// broken/wrong_abi.cpp declares this host's version + 998, so the test follows ABI bumps.
const std::string kWrongAbiReason = "plugin ABI version " + std::to_string(STEWARD_PLUGIN_ABI_VERSION + 998);

class BrokenPlugin : public PluginLoading, public ::testing::WithParamInterface<BrokenCase> {};

TEST_P(BrokenPlugin, IsReportedAndSkipped) {
    ASSERT_TRUE(loader.load(kPlugins / "otm-justworks.so").loaded);
    const auto report = loader.load(kBroken / GetParam().file);
    EXPECT_FALSE(report.loaded);
    EXPECT_EQ(report.path, (kBroken / GetParam().file).string());
    EXPECT_THAT(report.reason, HasSubstr(GetParam().reason));
    // Nothing of it was registered, and what was there still works.
    const auto all = registry.list();
    ASSERT_EQ(all.size(), 1U);
    EXPECT_EQ(all[0].plugin, "otm-justworks");
    EXPECT_TRUE(registry.ownershipProvider(0));
}

INSTANTIATE_TEST_SUITE_P(EveryFailureKind, BrokenPlugin,
                         ::testing::Values(BrokenCase{"not_a_library.so", "not loadable"},
                                           BrokenCase{"no_entry_points.so", "not a Steward plugin: it does not export steward_plugin_abi"},
                                           BrokenCase{"wrong_abi.so", kWrongAbiReason.c_str()},
                                           BrokenCase{"wrong_build_key.so", "built as steward-0/msvc-19/msvcprt-14"},
                                           BrokenCase{"missing_dependency.so", "libsteward_vanishing.so"},
                                           BrokenCase{"unresolved_symbol.so", "steward_function_nobody_defines"},
                                           BrokenCase{"throws_on_register.so", "failed while registering: cannot find my configuration"},
                                           BrokenCase{"duplicate_name.so", "otm/oic.sec.doxm.jw is already registered"}),
                         [](const ::testing::TestParamInfo<BrokenCase>& param) {
                             std::string name = param.param.file;
                             return name.substr(0, name.find('.'));
                         });

TEST_F(PluginLoading, ADirectoryWithBrokenPluginsStillLoadsTheGoodOnes) {
    ASSERT_TRUE(loader.load(kPlugins / "otm-justworks.so").loaded);
    const auto reports = loader.loadDirectory(kBroken);
    std::size_t loaded = 0;
    for (const auto& r : reports) {
        if (r.loaded) {
            ++loaded;
            EXPECT_THAT(r.name, ::testing::AnyOf("throws-on-transfer", "throws-in-credmgmt"));
        } else {
            EXPECT_FALSE(r.reason.empty()) << r.path;
        }
    }
    EXPECT_EQ(reports.size(), 10U);
    EXPECT_EQ(loaded, 2U);
}

TEST_F(PluginLoading, AnExceptionFromAPluginNeverReachesTheHost) {
    ASSERT_TRUE(loader.load(kBroken / "throws_on_transfer.so").loaded);
    const auto provider = registry.ownershipProvider("x.test.throws");
    ASSERT_TRUE(provider);
    EndpointOptions options;
    options.udpPort = std::nullopt;
    CoapEndpoint endpoint(options);
    OwnershipResult result;
    EXPECT_NO_THROW(result = provider->transfer(endpoint, OwnershipRequest{}));
    EXPECT_FALSE(result.ok);
    EXPECT_THAT(result.error, HasSubstr("vendor method exploded"));
    EXPECT_THAT(result.failedStep, HasSubstr("throws_on_transfer.so"));
}

TEST_F(PluginLoading, ACredentialPluginThatThrowsGivesFailedOutcomes) {
    ASSERT_TRUE(loader.load(kBroken / "throws_in_credmgmt.so").loaded);
    const auto provider = registry.credentialProvider();
    ASSERT_TRUE(provider);
    EXPECT_FALSE(registry.credentialProvider("no.such.name"));
    steward::test::TempDir dir;
    auto identity = GatewayIdentity::openOrCreate(dir / "gw.svrdb");
    auto pdm = openSqlitePdm(dir / "pdm.sqlite");
    EndpointOptions options;
    options.udpPort = std::nullopt;
    CoapEndpoint endpoint(options);
    ProvisioningContext ctx(identity, *pdm, endpoint);
    ProvisioningOutcome outcome;
    EXPECT_NO_THROW(outcome = provider->unlink(ctx, Uuid::random(), Uuid::random()));
    EXPECT_FALSE(outcome.ok);
    EXPECT_THAT(outcome.error, HasSubstr("credmgmt exploded"));
    EXPECT_THAT(outcome.error, HasSubstr("throws_in_credmgmt.so"));
    EXPECT_NO_THROW(outcome = provider->removeDevice(ctx, Uuid::random()));
    EXPECT_FALSE(outcome.ok);
    EXPECT_THAT(outcome.error, HasSubstr("non-standard exception"));
}

TEST_F(PluginLoading, MissingDirectoryIsOneFailedReport) {
    const auto reports = loader.loadDirectory(kBroken / "nowhere");
    ASSERT_EQ(reports.size(), 1U);
    EXPECT_FALSE(reports[0].loaded);
    EXPECT_THAT(reports[0].reason, HasSubstr("no such plugin directory"));
}

}  // namespace
}  // namespace steward::core
