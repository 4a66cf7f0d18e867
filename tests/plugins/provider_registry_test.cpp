// The registry on its own: names are unique per category, a plugin's batch is all or nothing.
#include <gtest/gtest.h>

#include "steward/plugin/provider_registry.hpp"

namespace steward::core {
namespace {

class Dummy final : public Provider {};

ProviderInfo info(std::string category, std::string name) { return {std::move(category), std::move(name), "1.0", "", ""}; }

TEST(ProviderRegistry, NamesAreUniquePerCategory) {
    ProviderRegistry r;
    r.add(info("pairing", "a"), std::make_shared<Dummy>());
    r.add(info("enrollment", "a"), std::make_shared<Dummy>());  // another category: fine
    EXPECT_THROW(r.add(info("pairing", "a"), std::make_shared<Dummy>()), DuplicateProviderError);
    EXPECT_EQ(r.list().size(), 2U);
    EXPECT_TRUE(r.contains("pairing", "a"));
    EXPECT_FALSE(r.contains("pairing", "b"));
}

TEST(ProviderRegistry, ABatchIsAllOrNothing) {
    ProviderRegistry r;
    r.add(info("pairing", "taken"), std::make_shared<Dummy>());
    std::vector<std::pair<ProviderInfo, std::shared_ptr<Provider>>> batch;
    batch.emplace_back(info("pairing", "fresh"), std::make_shared<Dummy>());
    batch.emplace_back(info("pairing", "taken"), std::make_shared<Dummy>());
    EXPECT_THROW(r.addAll(batch), DuplicateProviderError);
    EXPECT_FALSE(r.contains("pairing", "fresh"));

    std::vector<std::pair<ProviderInfo, std::shared_ptr<Provider>>> twice;
    twice.emplace_back(info("pairing", "x"), std::make_shared<Dummy>());
    twice.emplace_back(info("pairing", "x"), std::make_shared<Dummy>());
    EXPECT_THROW(r.addAll(twice), DuplicateProviderError);
    EXPECT_FALSE(r.contains("pairing", "x"));
}

TEST(ProviderRegistry, RefusesEmptyNamesAndNullProviders) {
    ProviderRegistry r;
    EXPECT_THROW(r.add(info("", "a"), std::make_shared<Dummy>()), std::invalid_argument);
    EXPECT_THROW(r.add(info("otm", "a"), nullptr), std::invalid_argument);
}

TEST(ProviderRegistry, AnOtmEntryThatIsNotAnOwnershipProviderIsNotOffered) {
    ProviderRegistry r;
    r.add(info("otm", "x.bogus"), std::make_shared<Dummy>());
    EXPECT_FALSE(r.ownershipProvider("x.bogus"));
}

}  // namespace
}  // namespace steward::core
