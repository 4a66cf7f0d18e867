#include "tools/svrdb_fixture.hpp"

#include <Poco/JSON/Parser.h>

#include <fstream>

#include "steward/util/atomic_file.hpp"

namespace steward::test {
namespace {

void openssl(const std::vector<std::string>& args) {
    static const std::string program = findOnPath("openssl");
    const ProcessResult r = runProcess(program, args);
    if (r.exitCode != 0) throw std::runtime_error("openssl failed: " + r.err);
}

void writeText(const std::filesystem::path& file, const std::string& text) { std::ofstream(file) << text; }

std::string readText(const std::filesystem::path& file) {
    const auto bytes = fileBytes(file);
    return std::string(bytes.begin(), bytes.end());
}

void makeKey(const std::filesystem::path& key) {
    openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.string()});
}

}  // namespace

ProcessResult runSvrdb(const std::vector<std::string>& args, const std::string& input) {
    return runProcess(STEWARD_SVRDB_BIN, args, input);
}

std::vector<std::uint8_t> fileBytes(const std::filesystem::path& file) { return core::readWholeFile(file, 64u << 20); }

Poco::JSON::Object::Ptr parseJson(const std::string& text) {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

TestPki makeTestPki(const std::filesystem::path& dir) {
    TestPki p;
    p.rootKey = dir / "root.key";
    p.rootPem = dir / "root.pem";
    p.rootDer = dir / "root.der";
    p.intermediatePem = dir / "intermediate.pem";
    p.caChainPem = dir / "ca-chain.pem";
    p.devicePem = dir / "device.pem";
    p.deviceKey = dir / "device.key";
    p.deviceKeyDer = dir / "device.key.der";
    p.deviceChainPem = dir / "device-chain.pem";
    p.otherKey = dir / "other.key";
    const auto intermediateKey = dir / "intermediate.key";
    const auto caExt = dir / "ca.ext";
    const auto leafExt = dir / "leaf.ext";
    writeText(caExt, "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n");
    writeText(leafExt, "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n");

    for (const auto& key : {p.rootKey, intermediateKey, p.deviceKey, p.otherKey}) makeKey(key);
    openssl({"req", "-x509", "-new", "-key", p.rootKey.string(), "-subj", "/CN=Steward Test Root CA", "-days", "30", "-addext",
             "basicConstraints=critical,CA:TRUE", "-out", p.rootPem.string()});
    openssl({"x509", "-in", p.rootPem.string(), "-outform", "DER", "-out", p.rootDer.string()});

    const auto intermediateCsr = dir / "intermediate.csr";
    openssl(
        {"req", "-new", "-key", intermediateKey.string(), "-subj", "/CN=Steward Test Intermediate CA", "-out", intermediateCsr.string()});
    openssl({"x509", "-req", "-in", intermediateCsr.string(), "-CA", p.rootPem.string(), "-CAkey", p.rootKey.string(), "-set_serial", "2",
             "-days", "30", "-extfile", caExt.string(), "-out", p.intermediatePem.string()});

    const auto deviceCsr = dir / "device.csr";
    openssl({"req", "-new", "-key", p.deviceKey.string(), "-subj", "/CN=steward-device", "-out", deviceCsr.string()});
    openssl({"x509", "-req", "-in", deviceCsr.string(), "-CA", p.intermediatePem.string(), "-CAkey", intermediateKey.string(),
             "-set_serial", "3", "-days", "30", "-extfile", leafExt.string(), "-out", p.devicePem.string()});
    openssl({"pkey", "-in", p.deviceKey.string(), "-outform", "DER", "-out", p.deviceKeyDer.string()});

    writeText(p.caChainPem, readText(p.intermediatePem) + readText(p.rootPem));
    writeText(p.deviceChainPem, readText(p.devicePem) + readText(p.intermediatePem));
    return p;
}

void SvrdbTest::initDatabase(const std::vector<std::string>& extra) {
    std::vector<std::string> args{"init", db(), "--uuid-seed", kSeed};
    args.insert(args.end(), extra.begin(), extra.end());
    const ProcessResult r = runSvrdb(args);
    ASSERT_EQ(r.exitCode, 0) << r.err;
}

Poco::JSON::Object::Ptr SvrdbTest::showJson(const std::string& what) {
    const ProcessResult r = runSvrdb({"show", db(), what, "--json"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    return parseJson(r.out);
}

ProcessResult SvrdbTest::expectRefusedUnchanged(const std::vector<std::string>& args) {
    const auto before = fileBytes(db_);
    const ProcessResult r = runSvrdb(args);
    EXPECT_EQ(r.exitCode, 1) << "stdout: " << r.out << "\nstderr: " << r.err;
    EXPECT_FALSE(r.err.empty()) << "a refusal must say why on stderr";
    EXPECT_EQ(fileBytes(db_), before) << "the database changed although the command failed";
    return r;
}

}  // namespace steward::test
