#include "mqtt/topic.hpp"

#include <gtest/gtest.h>

#include <string>

using steward::bridge::isValidTopicFilter;
using steward::bridge::isValidTopicName;
using steward::bridge::topicMatches;

TEST(TopicMatches, ExactLevels) {
    EXPECT_TRUE(topicMatches("steward/bridge/state", "steward/bridge/state"));
    EXPECT_FALSE(topicMatches("steward/bridge/state", "steward/bridge/stat"));
    EXPECT_FALSE(topicMatches("steward/bridge", "steward/bridge/state"));
    EXPECT_FALSE(topicMatches("steward/bridge/state", "steward/bridge"));
    EXPECT_FALSE(topicMatches("Steward/x", "steward/x"));  // case matters
}

TEST(TopicMatches, PlusMatchesExactlyOneLevel) {
    EXPECT_TRUE(topicMatches("steward/bridge/request/+", "steward/bridge/request/own"));
    EXPECT_FALSE(topicMatches("steward/bridge/request/+", "steward/bridge/request/own/extra"));
    EXPECT_FALSE(topicMatches("steward/bridge/request/+", "steward/bridge/request"));
    EXPECT_TRUE(topicMatches("steward/+/state", "steward/bridge/state"));
    EXPECT_TRUE(topicMatches("+/+", "a/b"));
    EXPECT_TRUE(topicMatches("a/+", "a/"));  // an empty level is a level
    EXPECT_TRUE(topicMatches("+/a", "/a"));
    EXPECT_TRUE(topicMatches("+", "a"));
    EXPECT_FALSE(topicMatches("+", "a/b"));
    EXPECT_FALSE(topicMatches("+", "/a"));
}

TEST(TopicMatches, HashMatchesTheParentAndEverythingBelow) {
    EXPECT_TRUE(topicMatches("#", "a"));
    EXPECT_TRUE(topicMatches("#", "a/b/c"));
    EXPECT_TRUE(topicMatches("#", "/"));
    EXPECT_TRUE(topicMatches("steward/#", "steward"));
    EXPECT_TRUE(topicMatches("steward/#", "steward/devices/1234"));
    EXPECT_TRUE(topicMatches("steward/#", "steward/"));
    EXPECT_FALSE(topicMatches("steward/#", "stewardx/devices"));
    EXPECT_TRUE(topicMatches("steward/+/#", "steward/devices"));
    EXPECT_TRUE(topicMatches("steward/+/#", "steward/devices/1/2"));
    EXPECT_FALSE(topicMatches("steward/+/#", "steward"));
}

TEST(TopicMatches, WildcardsAtTheStartSkipDollarTopics) {
    EXPECT_FALSE(topicMatches("#", "$SYS/broker/uptime"));
    EXPECT_FALSE(topicMatches("+/broker/uptime", "$SYS/broker/uptime"));
    EXPECT_TRUE(topicMatches("$SYS/#", "$SYS/broker/uptime"));
    EXPECT_TRUE(topicMatches("$SYS/+/uptime", "$SYS/broker/uptime"));
    EXPECT_TRUE(topicMatches("a/#", "a/$b"));  // only the first level is special
}

TEST(TopicMatches, InvalidFiltersAndTopicsMatchNothing) {
    EXPECT_FALSE(topicMatches("", "a"));
    EXPECT_FALSE(topicMatches("a", ""));
    EXPECT_FALSE(topicMatches("a/#/b", "a/x/b"));
    EXPECT_FALSE(topicMatches("a#", "a"));
    EXPECT_FALSE(topicMatches("a/b+", "a/b+"));
    EXPECT_FALSE(topicMatches("a/+", "a/+"));  // a topic name holds no wildcard
    EXPECT_FALSE(topicMatches("#", "a/#"));
    EXPECT_FALSE(topicMatches(std::string("a\0b", 3), std::string("a\0b", 3)));
}

TEST(TopicValidation, Names) {
    EXPECT_TRUE(isValidTopicName("steward/devices/1234"));
    EXPECT_TRUE(isValidTopicName("/"));
    EXPECT_TRUE(isValidTopicName("a//b"));
    EXPECT_FALSE(isValidTopicName(""));
    EXPECT_FALSE(isValidTopicName("a/+/b"));
    EXPECT_FALSE(isValidTopicName("a/#"));
    EXPECT_FALSE(isValidTopicName(std::string(65536, 'a')));
    EXPECT_TRUE(isValidTopicName(std::string(65535, 'a')));
}

TEST(TopicValidation, Filters) {
    EXPECT_TRUE(isValidTopicFilter("#"));
    EXPECT_TRUE(isValidTopicFilter("+"));
    EXPECT_TRUE(isValidTopicFilter("+/+/#"));
    EXPECT_TRUE(isValidTopicFilter("a//+"));
    EXPECT_FALSE(isValidTopicFilter(""));
    EXPECT_FALSE(isValidTopicFilter("#/a"));
    EXPECT_FALSE(isValidTopicFilter("a/##"));
    EXPECT_FALSE(isValidTopicFilter("a/++"));
    EXPECT_FALSE(isValidTopicFilter("a+/b"));
}
