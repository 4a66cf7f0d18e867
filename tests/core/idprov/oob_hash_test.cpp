// OOB secret hashes (core/idprov/oob_hash.cpp): both algorithms round-trip, fixed vectors made by
// independent tools, and every malformed or out-of-bounds PHC string refused before any KDF runs.
#include <gtest/gtest.h>

#include <string>

#include "steward/idprov/idprov_error.hpp"
#include "steward/idprov/oob_hash.hpp"
#include "steward/idprov/oob_hash_policy.hpp"

namespace steward::idprov {
namespace {

// Cheap costs, inside the limits, so the tests stay fast.
OobHashCost cheapCost() {
    OobHashCost cost;
    cost.argon2MemoryKiB = kMinArgon2MemoryKiB;
    cost.argon2Passes = 1;
    cost.argon2Lanes = 1;
    cost.pbkdf2Iterations = kMinPbkdf2Iterations;
    return cost;
}

constexpr std::string_view kSecret = "correct horse battery staple";
// base64("steward-idprov-salt!"), a 20-byte salt.
constexpr std::string_view kSalt = "c3Rld2FyZC1pZHByb3Ytc2FsdCE";
constexpr std::string_view kHash32 = "RtZy6fjISjC1i7C/pxw1KKHdj0OseNuk1mtsBRYORjY";

std::string argon2(std::string_view params, std::string_view salt = kSalt, std::string_view hash = kHash32) {
    return "$argon2id$v=19$" + std::string(params) + "$" + std::string(salt) + "$" + std::string(hash);
}

std::string pbkdf2(std::string_view params, std::string_view salt = kSalt, std::string_view hash = kHash32) {
    return "$pbkdf2-sha256$" + std::string(params) + "$" + std::string(salt) + "$" + std::string(hash);
}

TEST(OobHashTest, AlgorithmNames) {
    EXPECT_EQ(algorithmName(OobHashAlgorithm::Argon2id), "Argon2id");
    EXPECT_EQ(algorithmName(OobHashAlgorithm::Pbkdf2Sha256), "PBKDF2");
    EXPECT_EQ(parseAlgorithm("Argon2id"), OobHashAlgorithm::Argon2id);
    EXPECT_EQ(parseAlgorithm("ARGON2ID"), OobHashAlgorithm::Argon2id);
    EXPECT_EQ(parseAlgorithm("pbkdf2"), OobHashAlgorithm::Pbkdf2Sha256);
    EXPECT_EQ(parseAlgorithm("PBKDF2-SHA256"), OobHashAlgorithm::Pbkdf2Sha256);
    EXPECT_FALSE(parseAlgorithm("bcrypt"));
    EXPECT_FALSE(parseAlgorithm("scrypt"));
    EXPECT_FALSE(parseAlgorithm(""));
    EXPECT_FALSE(parseAlgorithm("Argon2i"));
    ASSERT_EQ(supportedAlgorithms().size(), 2u);
    EXPECT_EQ(supportedAlgorithms().front(), OobHashAlgorithm::Argon2id);
}

class OobHashRoundTripTest : public ::testing::TestWithParam<OobHashAlgorithm> {};

TEST_P(OobHashRoundTripTest, HashVerifiesAgainstTheSecretOnly) {
    const std::string hash = hashOobSecret(kSecret, GetParam(), cheapCost());
    EXPECT_EQ(algorithmOfHash(hash), GetParam());
    EXPECT_TRUE(verifyOobHash(hash, kSecret, GetParam()));
    EXPECT_FALSE(verifyOobHash(hash, "correct horse battery stapler", GetParam()));
    EXPECT_FALSE(verifyOobHash(hash, "x", GetParam()));
}

TEST_P(OobHashRoundTripTest, SameSecretTwiceGivesDifferentStrings) {
    const std::string a = hashOobSecret(kSecret, GetParam(), cheapCost());
    const std::string b = hashOobSecret(kSecret, GetParam(), cheapCost());
    EXPECT_NE(a, b);
    EXPECT_TRUE(verifyOobHash(a, kSecret, GetParam()));
    EXPECT_TRUE(verifyOobHash(b, kSecret, GetParam()));
}

TEST_P(OobHashRoundTripTest, ParametersAreReported) {
    const std::string hash = hashOobSecret(kSecret, GetParam(), cheapCost());
    const OobHashParameters p = oobHashParameters(hash);
    EXPECT_EQ(p.algorithm, GetParam());
    EXPECT_EQ(p.saltBytes, 16u);
    EXPECT_EQ(p.hashBytes, 32u);
    if (GetParam() == OobHashAlgorithm::Argon2id) {
        EXPECT_EQ(p.argon2MemoryKiB, kMinArgon2MemoryKiB);
        EXPECT_EQ(p.argon2Passes, 1u);
        EXPECT_EQ(p.argon2Lanes, 1u);
        EXPECT_EQ(p.pbkdf2Iterations, 0u);
        EXPECT_TRUE(hash.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"));
    } else {
        EXPECT_EQ(p.pbkdf2Iterations, kMinPbkdf2Iterations);
        EXPECT_EQ(p.argon2MemoryKiB, 0u);
        EXPECT_TRUE(hash.starts_with("$pbkdf2-sha256$i=10000$"));
    }
}

TEST_P(OobHashRoundTripTest, BadSecretsAreRefused) {
    EXPECT_THROW(hashOobSecret("", GetParam(), cheapCost()), IdprovError);
    EXPECT_THROW(hashOobSecret(std::string(kMaxOobSecretBytes + 1, 'a'), GetParam(), cheapCost()), IdprovError);
    EXPECT_NO_THROW(hashOobSecret(std::string(kMaxOobSecretBytes, 'a'), GetParam(), cheapCost()));
    const std::string hash = hashOobSecret(kSecret, GetParam(), cheapCost());
    EXPECT_THROW(verifyOobHash(hash, "", GetParam()), IdprovError);
    EXPECT_THROW(verifyOobHash(hash, std::string(kMaxOobSecretBytes + 1, 'a'), GetParam()), IdprovError);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, OobHashRoundTripTest, ::testing::Values(OobHashAlgorithm::Argon2id, OobHashAlgorithm::Pbkdf2Sha256),
                         [](const auto& param) { return std::string(algorithmName(param.param)); });

TEST(OobHashTest, CostOutsideTheLimitsIsRefused) {
    OobHashCost cost = cheapCost();
    cost.argon2MemoryKiB = kMaxArgon2MemoryKiB + 1;
    EXPECT_THROW(hashOobSecret(kSecret, OobHashAlgorithm::Argon2id, cost), IdprovError);
    cost = cheapCost();
    cost.argon2MemoryKiB = kMinArgon2MemoryKiB - 1;
    EXPECT_THROW(hashOobSecret(kSecret, OobHashAlgorithm::Argon2id, cost), IdprovError);
    cost = cheapCost();
    cost.argon2Passes = 0;
    EXPECT_THROW(hashOobSecret(kSecret, OobHashAlgorithm::Argon2id, cost), IdprovError);
    cost = cheapCost();
    cost.argon2Lanes = kMaxArgon2Lanes + 1;
    EXPECT_THROW(hashOobSecret(kSecret, OobHashAlgorithm::Argon2id, cost), IdprovError);
    cost = cheapCost();
    cost.pbkdf2Iterations = kMaxPbkdf2Iterations + 1;
    EXPECT_THROW(hashOobSecret(kSecret, OobHashAlgorithm::Pbkdf2Sha256, cost), IdprovError);
    cost = cheapCost();
    cost.pbkdf2Iterations = kMinPbkdf2Iterations - 1;
    EXPECT_THROW(hashOobSecret(kSecret, OobHashAlgorithm::Pbkdf2Sha256, cost), IdprovError);
}

// Made with the argon2 CLI (phc-winner-argon2 20171227):
//   echo -n "correct horse battery staple" | argon2 "steward-idprov-salt!" -id -t 1 -k 1024 -p 1 -l 32
//   echo -n "correct horse battery staple" | argon2 "steward-idprov-salt!" -id -t 2 -k 2048 -p 2 -l 32
TEST(OobHashTest, Argon2idFixedVectors) {
    const std::string one = "$argon2id$v=19$m=1024,t=1,p=1$c3Rld2FyZC1pZHByb3Ytc2FsdCE$RtZy6fjISjC1i7C/pxw1KKHdj0OseNuk1mtsBRYORjY";
    const std::string two = "$argon2id$v=19$m=2048,t=2,p=2$c3Rld2FyZC1pZHByb3Ytc2FsdCE$YoBJWsx/Bpo6UPO0uAeN0pPo7fyEZF/rbSydR4Mm5Mg";
    EXPECT_TRUE(verifyOobHash(one, kSecret, OobHashAlgorithm::Argon2id));
    EXPECT_TRUE(verifyOobHash(two, kSecret, OobHashAlgorithm::Argon2id));
    EXPECT_FALSE(verifyOobHash(one, "correct horse battery stapl", OobHashAlgorithm::Argon2id));
    // The same tag under other parameters is no longer a match.
    EXPECT_FALSE(verifyOobHash(argon2("m=1024,t=2,p=1"), kSecret, OobHashAlgorithm::Argon2id));
}

// The reference implementation's own Argon2id test vector (src/test.c): its 8-byte salt is below
// what we accept, so it is refused, not miscomputed.
TEST(OobHashTest, ReferenceVectorWithShortSaltIsRefused) {
    EXPECT_THROW(verifyOobHash("$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "password",
                               OobHashAlgorithm::Argon2id),
                 IdprovError);
}

// PBKDF2-HMAC-SHA256 of the same secret and salt, 10000 iterations, 32 bytes, computed with a
// plain-Python HMAC loop (which also reproduces RFC 7914's P="password", S="salt", c=1 vector
// 120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b).
TEST(OobHashTest, Pbkdf2FixedVector) {
    const std::string vector = pbkdf2("i=10000", kSalt, "KEXvjbVIqBn40/WPZ6lbvqAx/pgMN5NOBSVp9PUVu4Q");
    EXPECT_TRUE(verifyOobHash(vector, kSecret, OobHashAlgorithm::Pbkdf2Sha256));
    EXPECT_FALSE(verifyOobHash(vector, "Correct horse battery staple", OobHashAlgorithm::Pbkdf2Sha256));
    EXPECT_FALSE(
        verifyOobHash(pbkdf2("i=10001", kSalt, "KEXvjbVIqBn40/WPZ6lbvqAx/pgMN5NOBSVp9PUVu4Q"), kSecret, OobHashAlgorithm::Pbkdf2Sha256));
}

// RFC 7914 §11's PBKDF2 vector as a PHC string: a real hash, but 1 iteration and a 4-byte salt are
// far outside what a peer may send.
TEST(OobHashTest, Rfc7914VectorIsOutsideTheBounds) {
    const std::string rfc = "$pbkdf2-sha256$i=1$c2FsdA$Eg+2z/z4syxD5yJSVsT4N6hlSMkszDVICAWYfLcL4Xs";
    EXPECT_THROW(verifyOobHash(rfc, "password", OobHashAlgorithm::Pbkdf2Sha256), IdprovError);
    EXPECT_THROW(
        verifyOobHash(pbkdf2("i=1", "c2FsdA", "Eg+2z/z4syxD5yJSVsT4N6hlSMkszDVICAWYfLcL4Xs"), "password", OobHashAlgorithm::Pbkdf2Sha256),
        IdprovError);
}

struct Malformed {
    const char* name;
    std::string encoded;
};

class MalformedHashTest : public ::testing::TestWithParam<Malformed> {};

TEST_P(MalformedHashTest, IsRefusedWithoutRunningTheKdf) {
    const std::string& encoded = GetParam().encoded;
    EXPECT_THROW(algorithmOfHash(encoded), IdprovError);
    EXPECT_THROW(oobHashParameters(encoded), IdprovError);
    for (const auto algorithm : supportedAlgorithms()) {
        try {
            (void)verifyOobHash(encoded, kSecret, algorithm);
            ADD_FAILURE() << "accepted: " << encoded;
        } catch (const IdprovError& e) {
            EXPECT_TRUE(std::string(e.what()).starts_with("oobsHash: ")) << e.what();
        }
    }
}

INSTANTIATE_TEST_SUITE_P(
    Strings, MalformedHashTest,
    ::testing::Values(Malformed{"Empty", ""}, Malformed{"TooLong", argon2("m=1024,t=1,p=1") + std::string(kMaxOobHashChars, 'A')},
                      Malformed{"UnknownAlgorithm", "$scrypt$ln=16,r=8,p=1$c29tZXNhbHQ$aGFzaA"},
                      Malformed{"Argon2i", "$argon2i$v=19$m=1024,t=1,p=1$" + std::string(kSalt) + "$" + std::string(kHash32)},
                      Malformed{"Argon2d", "$argon2d$v=19$m=1024,t=1,p=1$" + std::string(kSalt) + "$" + std::string(kHash32)},
                      Malformed{"Bcrypt", "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"},
                      Malformed{"Pbkdf2Sha1", "$pbkdf2-sha1$i=10000$" + std::string(kSalt) + "$" + std::string(kHash32)},
                      Malformed{"NoDollar", "argon2id$v=19$m=1024,t=1,p=1$" + std::string(kSalt) + "$" + std::string(kHash32)},
                      Malformed{"PlainText", "correct horse battery staple"}, Malformed{"HugeMemory", argon2("m=4294967295,t=1,p=1")},
                      Malformed{"MemoryJustAboveLimit", argon2("m=" + std::to_string(kMaxArgon2MemoryKiB + 1) + ",t=1,p=1")},
                      Malformed{"MemoryOverflowsUint32", argon2("m=99999999999,t=1,p=1")},
                      Malformed{"MemoryTooSmall", argon2("m=" + std::to_string(kMinArgon2MemoryKiB - 1) + ",t=1,p=1")},
                      Malformed{"HugePasses", argon2("m=1024,t=4294967295,p=1")},
                      Malformed{"PassesJustAboveLimit", argon2("m=1024,t=" + std::to_string(kMaxArgon2Passes + 1) + ",p=1")},
                      Malformed{"ZeroPasses", argon2("m=1024,t=0,p=1")}, Malformed{"HugeLanes", argon2("m=1024,t=1,p=16777215")},
                      Malformed{"LanesJustAboveLimit", argon2("m=1024,t=1,p=" + std::to_string(kMaxArgon2Lanes + 1))},
                      Malformed{"ZeroLanes", argon2("m=1024,t=1,p=0")}, Malformed{"ParametersOutOfOrder", argon2("t=1,m=1024,p=1")},
                      Malformed{"MissingParameter", argon2("m=1024,t=1")}, Malformed{"ExtraParameter", argon2("m=1024,t=1,p=1,keyid=abc")},
                      Malformed{"LeadingZero", argon2("m=01024,t=1,p=1")}, Malformed{"SignedNumber", argon2("m=+1024,t=1,p=1")},
                      Malformed{"NegativeNumber", argon2("m=1024,t=-1,p=1")}, Malformed{"EmptyNumber", argon2("m=,t=1,p=1")},
                      Malformed{"WrongVersion", "$argon2id$v=16$m=1024,t=1,p=1$" + std::string(kSalt) + "$" + std::string(kHash32)},
                      Malformed{"NoVersion", "$argon2id$m=1024,t=1,p=1$" + std::string(kSalt) + "$" + std::string(kHash32)},
                      Malformed{"MissingHash", "$argon2id$v=19$m=1024,t=1,p=1$" + std::string(kSalt)},
                      Malformed{"ExtraField", argon2("m=1024,t=1,p=1") + "$abcd"},
                      Malformed{"SaltNotBase64", argon2("m=1024,t=1,p=1", "c3Rld2FyZC1p!HByb3Ytc2FsdCE")},
                      Malformed{"SaltPadded", argon2("m=1024,t=1,p=1", "c3Rld2FyZC1pZHByb3Ytc2FsdCE=")},
                      Malformed{"SaltUrlSafeAlphabet", argon2("m=1024,t=1,p=1", "c3Rld2FyZC1pZHByb3Ytc2FsdC_-")},
                      Malformed{"SaltImpossibleLength", argon2("m=1024,t=1,p=1", "c3Rld2FyZC1pZHByb3Ytc2FsdCEAA")},
                      Malformed{"SaltNonCanonicalBits", argon2("m=1024,t=1,p=1", "c3Rld2FyZC1pZHByb3Ytc2FsdCF")},
                      Malformed{"SaltTooShort", argon2("m=1024,t=1,p=1", "c29tZXNhbHQ")},  // 8 bytes
                      Malformed{"SaltEmpty", argon2("m=1024,t=1,p=1", "")},
                      Malformed{"SaltTooLong", argon2("m=1024,t=1,p=1", std::string(88, 'A'))},  // 66 bytes
                      Malformed{"HashNotBase64", argon2("m=1024,t=1,p=1", kSalt, "RtZy6fjISjC1i7C/pxw1KKHdj0OseNuk1mtsBRYORj*")},
                      Malformed{"HashTooShort", argon2("m=1024,t=1,p=1", kSalt, "RtZy6fjISjC1i7C")},  // 11 bytes
                      Malformed{"HashTooLong", argon2("m=1024,t=1,p=1", kSalt, std::string(88, 'A'))},
                      Malformed{"HashWithSpace", argon2("m=1024,t=1,p=1", kSalt, "RtZy6fjISjC1i7C/pxw1KKHd j0OseNuk1mtsBRYORjY")},
                      Malformed{"HugeIterations", pbkdf2("i=4294967295")},
                      Malformed{"IterationsJustAboveLimit", pbkdf2("i=" + std::to_string(kMaxPbkdf2Iterations + 1))},
                      Malformed{"IterationsBelowMinimum", pbkdf2("i=" + std::to_string(kMinPbkdf2Iterations - 1))},
                      Malformed{"IterationsNotNumber", pbkdf2("i=ten")}, Malformed{"IterationsWrongName", pbkdf2("rounds=10000")},
                      Malformed{"Pbkdf2SaltNotBase64", pbkdf2("i=10000", "c3Rld2FyZC1pZHByb3Ytc2FsdC$")},
                      Malformed{"Pbkdf2SaltTooShort", pbkdf2("i=10000", "c2FsdA")},
                      Malformed{"Pbkdf2MissingHash", "$pbkdf2-sha256$i=10000$" + std::string(kSalt)}),
    [](const auto& param) { return std::string(param.param.name); });

TEST(OobHashTest, AlgorithmMismatchIsAnError) {
    const std::string argon = hashOobSecret(kSecret, OobHashAlgorithm::Argon2id, cheapCost());
    const std::string pbk = hashOobSecret(kSecret, OobHashAlgorithm::Pbkdf2Sha256, cheapCost());
    EXPECT_THROW(verifyOobHash(argon, kSecret, OobHashAlgorithm::Pbkdf2Sha256), IdprovError);
    EXPECT_THROW(verifyOobHash(pbk, kSecret, OobHashAlgorithm::Argon2id), IdprovError);
    try {
        (void)verifyOobHash(argon, kSecret, OobHashAlgorithm::Pbkdf2Sha256);
    } catch (const IdprovError& e) {
        EXPECT_NE(std::string(e.what()).find("Argon2id"), std::string::npos) << e.what();
    }
}

TEST(OobHashTest, LimitsThemselvesAreAccepted) {
    // Parameters at the edges parse (no KDF run: parsing only).
    const std::string atMax = argon2("m=" + std::to_string(kMaxArgon2MemoryKiB) + ",t=" + std::to_string(kMaxArgon2Passes) +
                                     ",p=" + std::to_string(kMaxArgon2Lanes));
    EXPECT_EQ(algorithmOfHash(atMax), OobHashAlgorithm::Argon2id);
    EXPECT_EQ(algorithmOfHash(argon2("m=" + std::to_string(kMinArgon2MemoryKiB) + ",t=1,p=1")), OobHashAlgorithm::Argon2id);
    EXPECT_EQ(algorithmOfHash(pbkdf2("i=" + std::to_string(kMaxPbkdf2Iterations))), OobHashAlgorithm::Pbkdf2Sha256);
    EXPECT_EQ(algorithmOfHash(pbkdf2("i=10000", std::string(86, 'A'), std::string(86, 'A'))), OobHashAlgorithm::Pbkdf2Sha256);
    const auto p = oobHashParameters(atMax);
    EXPECT_EQ(p.argon2MemoryKiB, kMaxArgon2MemoryKiB);
    EXPECT_EQ(p.argon2Passes, kMaxArgon2Passes);
    EXPECT_EQ(p.argon2Lanes, kMaxArgon2Lanes);
    EXPECT_EQ(p.saltBytes, 20u);
    EXPECT_EQ(p.hashBytes, 32u);
}

TEST(OobHashTest, ErrorsNeverQuoteTheSecret) {
    try {
        (void)hashOobSecret(std::string(kMaxOobSecretBytes + 1, 's'), OobHashAlgorithm::Pbkdf2Sha256, cheapCost());
        FAIL();
    } catch (const IdprovError& e) {
        EXPECT_EQ(std::string(e.what()).find("sss"), std::string::npos);
    }
}

// The server's accepted cost, as its directory advertises it and a client reads it back.
TEST(OobHashPolicyTest, AdvertisedCostRoundTripsAndIsBounded) {
    const OobHashCost cost{19456, 2, 1, 600000};
    EXPECT_EQ(costParameters(OobHashAlgorithm::Argon2id, cost), "m=19456,t=2,p=1");
    EXPECT_EQ(costParameters(OobHashAlgorithm::Pbkdf2Sha256, cost), "i=600000");
    const OobHashCost read = parseCostParameters(OobHashAlgorithm::Argon2id, "m=19456,t=2,p=1", OobHashCost{1024, 1, 1, 10000});
    EXPECT_EQ(read.argon2MemoryKiB, 19456u);
    EXPECT_EQ(read.argon2Passes, 2u);
    EXPECT_EQ(read.pbkdf2Iterations, 10000u) << "the other algorithm's fields are kept";
    EXPECT_EQ(parseCostParameters(OobHashAlgorithm::Pbkdf2Sha256, "i=600000").pbkdf2Iterations, 600000u);
    // A hostile directory cannot make the client spin or allocate beyond the protocol's limits.
    for (const char* bad :
         {"m=1048576,t=2,p=1", "m=19456,t=2", "m=19456,t=2,p=1,x=1", "m=019456,t=2,p=1", "m=-1,t=2,p=1", "t=2,m=1,p=1", ""}) {
        EXPECT_THROW(parseCostParameters(OobHashAlgorithm::Argon2id, bad), IdprovError) << bad;
    }
    for (const char* bad : {"i=50000000", "i=", "i=1e6", "iterations=600000", "i=600000,i=1"}) {
        EXPECT_THROW(parseCostParameters(OobHashAlgorithm::Pbkdf2Sha256, bad), IdprovError) << bad;
    }
}

TEST(OobHashPolicyTest, OnlyTheAcceptedCostPasses) {
    const OobHashCost accepted{8192, 1, 1, 10000};
    const auto params = [](OobHashAlgorithm a, const OobHashCost& c) { return oobHashParameters(hashOobSecret("s", a, c)); };
    EXPECT_EQ(costProblem(params(OobHashAlgorithm::Argon2id, accepted), accepted), "");
    EXPECT_EQ(costProblem(params(OobHashAlgorithm::Pbkdf2Sha256, accepted), accepted), "");
    EXPECT_NE(costProblem(params(OobHashAlgorithm::Argon2id, {8192, 2, 1, 10000}), accepted).find("m=8192,t=1,p=1 only"),
              std::string::npos);
    EXPECT_NE(costProblem(params(OobHashAlgorithm::Argon2id, {4096, 1, 1, 10000}), accepted), "") << "cheaper is refused too";
    EXPECT_NE(costProblem(params(OobHashAlgorithm::Pbkdf2Sha256, {8192, 1, 1, 20000}), accepted).find("i=10000 only"), std::string::npos);
}

}  // namespace
}  // namespace steward::idprov
