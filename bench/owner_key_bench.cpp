// What storing one owner credential costs with N already stored (the ownership path's
// GatewayIdentity::storeOwnerCredential): the owner-key log (one append, one fdatasync) against
// the baseline, measured in the same run, of how it was stored before: SvrDatabase::modify adding
// the credential to a store holding N, which re-encodes and rewrites the whole file. Each sample
// starts from N (the baseline's addition and the log's are undone, untimed), so N stays N.
//
//   steward_owner_key_bench [--dir DIR] [--sizes 25,1000,10000] [--samples S] [--baseline-samples S] [--json]
//
// DIR decides what is measured: tmpfs (/dev/shm) shows the CPU cost, a disk adds its fsyncs.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "percentile.hpp"
#include "steward/crypto/random.hpp"
#include "steward/onboarding/gateway_identity.hpp"
#include "steward/svr/factory_defaults.hpp"
#include "steward/version.hpp"
#include "util/id_allocator.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace steward;

double msSince(Clock::time_point start) { return std::chrono::duration<double, std::milli>(Clock::now() - start).count(); }

// A fresh directory below `parent`, removed at the end.
class BenchDir {
public:
    explicit BenchDir(const std::filesystem::path& parent) {
        std::string tmpl = (parent / "steward-owner-key-bench-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("cannot create a directory in " + parent.string());
        path_ = tmpl;
    }
    ~BenchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    BenchDir(const BenchDir&) = delete;
    BenchDir& operator=(const BenchDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

std::vector<std::uint8_t> psk() { return core::randomBytes(16); }

core::Cred ownerCred(int credid, const core::Uuid& device, std::vector<std::uint8_t> key) {
    core::Cred c;
    c.credid = credid;
    c.credtype = core::credtype::kSymmetricPairwise;
    c.subjectuuid = core::CredSubject{device, false};
    c.privatedata = core::EncodedData{std::move(key), core::encoding::kRaw};
    return c;
}

// What storeOwnerCredential did before the log: the whole store copied, edited, rewritten.
void storeTheOldWay(core::SvrDatabase& db, const core::Uuid& device, const std::vector<std::uint8_t>& key) {
    db.modify([&](core::SecurityResources& r) {
        auto& creds = r.cred.creds;
        std::erase_if(creds, [&](const core::Cred& c) {
            return c.credtype == core::credtype::kSymmetricPairwise && !c.subjectuuid.wildcard && c.subjectuuid.uuid == device;
        });
        core::detail::IdAllocator ids;
        for (const auto& c : creds) ids.markUsed(c.credid.value_or(0));
        creds.push_back(ownerCred(ids.next().value(), device, key));
    });
}

std::vector<double> baseline(const std::filesystem::path& dir, std::size_t n, int samples) {
    const auto file = dir / "old.svrdb";
    auto db = core::SvrDatabase::create(file, core::factoryResources(core::Uuid::randomPskUsable(), core::DeviceProfile{}));
    db.modify([&](core::SecurityResources& r) {
        for (std::size_t i = 0; i < n; ++i)
            r.cred.creds.push_back(ownerCred(static_cast<int>(i + 1), core::Uuid::randomPskUsable(), psk()));
    });
    const core::SecurityResources holdingN = db.resources();
    std::vector<double> ms;
    for (int s = 0; s < samples; ++s) {
        const auto key = psk();
        const auto start = Clock::now();
        storeTheOldWay(db, core::Uuid::randomPskUsable(), key);
        ms.push_back(msSince(start));
        db.replace(holdingN);
    }
    return ms;
}

struct LogRun {
    std::vector<double> storeMs;
    double openMs = 0;  // opening the identity with N keys (the log's replay)
};

LogRun withTheLog(const std::filesystem::path& dir, std::size_t n, int samples) {
    const auto file = dir / "gateway.svrdb";
    { core::GatewayIdentity::openOrCreate(file); }
    {
        // Filled in one append: N stores would take N fsyncs before the measurement starts.
        std::vector<std::vector<std::uint8_t>> keys(n);
        std::vector<core::OwnerKey> entries;
        for (auto& k : keys) {
            k = psk();
            entries.push_back({core::Uuid::randomPskUsable(), k});
        }
        core::OwnerKeyLog::open(core::OwnerKeyLog::pathFor(file)).putAll(entries);
    }
    LogRun run;
    const auto opening = Clock::now();
    auto identity = core::GatewayIdentity::openOrCreate(file);
    run.openMs = msSince(opening);
    if (identity.devicesWithCredentials().size() != n) throw std::runtime_error("the log lost keys");
    for (int s = 0; s < samples; ++s) {
        const auto device = core::Uuid::randomPskUsable();
        const auto key = psk();
        const auto start = Clock::now();
        identity.storeOwnerCredential(device, key);
        run.storeMs.push_back(msSince(start));
        identity.removeOwnerCredential(device);
    }
    return run;
}

struct Row {
    std::size_t n = 0;
    double oldP50 = 0, oldP99 = 0, newP50 = 0, newP99 = 0, openMs = 0;
};

std::vector<std::size_t> parseSizes(const std::string& text) {
    std::vector<std::size_t> sizes;
    std::istringstream in(text);
    for (std::string part; std::getline(in, part, ',');) sizes.push_back(std::stoul(part));
    if (sizes.empty()) throw std::invalid_argument("--sizes: none given");
    return sizes;
}

std::string fixed(double v, int decimals = 3) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

}  // namespace

int main(int argc, char** argv) {
    std::filesystem::path dir = std::filesystem::temp_directory_path();
    std::vector<std::size_t> sizes{25, 1000, 10000};
    int samples = 500;
    int baselineSamples = 50;
    bool json = false;
    try {
        for (int i = 1; i < argc; ++i) {
            const std::string a = argv[i];
            if (a == "--dir" && i + 1 < argc) {
                dir = argv[++i];
            } else if (a == "--sizes" && i + 1 < argc) {
                sizes = parseSizes(argv[++i]);
            } else if (a == "--samples" && i + 1 < argc) {
                samples = std::max(1, std::stoi(argv[++i]));
            } else if (a == "--baseline-samples" && i + 1 < argc) {
                baselineSamples = std::max(1, std::stoi(argv[++i]));
            } else if (a == "--json") {
                json = true;
            } else if (a == "--version") {
                std::cout << "steward_owner_key_bench " << core::versionText() << '\n';
                return 0;
            } else {
                std::cout << "usage: steward_owner_key_bench [--dir DIR] [--sizes 25,1000,10000] [--samples S] [--baseline-samples S] "
                             "[--json]\n"
                             "       steward_owner_key_bench --version\n"
                             "Time to store one owner credential with N stored: the owner-key log against rewriting the store.\n";
                return a == "--help" ? 0 : 2;
            }
        }
    } catch (const std::exception& e) {
        std::cerr << "steward_owner_key_bench: " << e.what() << '\n';
        return 2;
    }

    std::vector<Row> rows;
    try {
        for (const std::size_t n : sizes) {
            BenchDir where(dir);
            Row row;
            row.n = n;
            const auto old = baseline(where.path(), n, baselineSamples);
            row.oldP50 = bench::percentile(old, 0.5);
            row.oldP99 = bench::percentile(old, 0.99);
            const auto run = withTheLog(where.path(), n, samples);
            row.newP50 = bench::percentile(run.storeMs, 0.5);
            row.newP99 = bench::percentile(run.storeMs, 0.99);
            row.openMs = run.openMs;
            rows.push_back(row);
            if (!json) std::cerr << "N=" << n << " done\n";
        }
    } catch (const std::exception& e) {
        std::cerr << "steward_owner_key_bench: " << e.what() << '\n';
        return 1;
    }

    if (json) {
        Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
        o.set("dir", dir.string());
        o.set("samples", samples);
        o.set("baseline_samples", baselineSamples);
        Poco::JSON::Array results;
        for (const auto& r : rows) {
            Poco::JSON::Object e(Poco::JSON_PRESERVE_KEY_ORDER);
            e.set("n", r.n);
            e.set("baseline_p50_ms", r.oldP50);
            e.set("baseline_p99_ms", r.oldP99);
            e.set("log_p50_ms", r.newP50);
            e.set("log_p99_ms", r.newP99);
            e.set("speedup_p50", r.oldP50 / r.newP50);
            e.set("speedup_p99", r.oldP99 / r.newP99);
            e.set("log_open_ms", r.openMs);
            results.add(e);
        }
        o.set("results", results);
        o.stringify(std::cout);
        std::cout << '\n';
        return 0;
    }
    std::cout << "storeOwnerCredential with N stored, in " << dir.string() << " (" << samples << " samples; baseline " << baselineSamples
              << ")\n"
              << "       N   baseline p50/p99 ms    log p50/p99 ms      speedup p50/p99    log open ms\n";
    for (const auto& r : rows) {
        char line[160];
        std::snprintf(line, sizeof line, "%8zu  %8s / %-8s  %7s / %-7s  %8s / %-8s  %8s\n", r.n, fixed(r.oldP50).c_str(),
                      fixed(r.oldP99).c_str(), fixed(r.newP50).c_str(), fixed(r.newP99).c_str(),
                      (fixed(r.oldP50 / r.newP50, 1) + "x").c_str(), (fixed(r.oldP99 / r.newP99, 1) + "x").c_str(),
                      fixed(r.openMs, 1).c_str());
        std::cout << line;
    }
    return 0;
}
