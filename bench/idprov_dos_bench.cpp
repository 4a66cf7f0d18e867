// Denial of service from the LAN against the real IDProv plugin (issue 20), started in this
// process on loopback with its shipped limits (defaultSettings(): the default hash cost, a 5 s
// request deadline, 64 handlers, 4 connections per address). Per attack, a legitimate device
// enrols M times from 127.0.0.1 with Steward's IdprovClient (a fresh deviceID and secret each
// time: directory GET, provisioning request, four KDF runs) while the attackers run from
// 127.0.0.2..; its success rate and latency are reported against a baseline without attack
// measured in the same run (before and after the attacks; the reference is their mean):
//  - slow HTTP: 10 hosts x 6 connections, TLS done, then an HTTP request 1 byte / 500 ms;
//  - slow TLS: 10 hosts x 6 connections dripping a ClientHello 1 byte / 500 ms;
//  - costly hash: 4 hosts posting provreqs whose hashes ask for 5M PBKDF2 iterations or Argon2id
//    at 64 MiB x 10 passes x 8 lanes (refused before hashing);
//  - wrong hashes: 16 hosts posting wrong hashes at the accepted cost for the device being
//    enrolled (KDF slots, per-address budget, lock-outs).
// An attack phase lasts at least the deadline + 1 s, so that its drips meet the deadline.
//
//   steward_idprov_dos_bench [--enrolments M] [--json]
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "hostile_clients.hpp"
#include "idprov_server_fixture.hpp"
#include "percentile.hpp"
#include "steward/crypto/certificate_authority.hpp"
#include "steward/idprov/idprov_client.hpp"
#include "steward/idprov/messages.hpp"
#include "steward/idprov/oob_hash.hpp"
#include "steward/idprov/oob_hash_policy.hpp"
#include "steward/version.hpp"
#include "support/temp_dir.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace steward;
namespace proto = steward::idprov;

using bench::percentile;

std::vector<std::string> hosts(int n) {
    std::vector<std::string> v;
    for (int i = 0; i < n; ++i) v.push_back(test::attackerAddress(i));
    return v;
}

struct Phase {
    std::string name;
    int attempts = 0;
    int approved = 0;
    std::vector<double> ms;
    std::string attack;  // what the attack met, in a line
};

class Bench {
public:
    Bench() : server_(test::IdprovServer::defaultSettings()) {}

    // M enrolments while `attack` (started first, stopped after) runs; at least `minimum` long.
    Phase run(const std::string& name, int enrolments, Clock::duration minimum,
              const std::function<std::function<std::string()>()>& attack) {
        Phase p;
        p.name = name;
        const auto started = Clock::now();
        std::function<std::string()> report;
        if (attack) {
            report = attack();
            std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the attack settles in
        }
        for (int i = 0; i < enrolments; ++i) {
            const std::string id = name + "-" + std::to_string(i);
            const std::string secret = "secret of " + id + " " + std::to_string(counter_++);
            server_.service().addOobSecret(id, secret, "");
            {
                const std::lock_guard<std::mutex> hold(mutex_);
                enrolling_ = id;
            }
            proto::IdprovClientOptions o;
            o.directoryUrl = server_.service().directoryUrl();
            o.deviceId = id;
            o.oobSecret = secret;
            o.storeDirectory = stores_.path() / (id + std::to_string(counter_));
            ++p.attempts;
            const auto t = Clock::now();
            try {
                proto::IdprovClient client(o);
                auto r = client.enroll();
                // A device told to come back (busy) does, as steward-enroll --wait and the agent do.
                for (int tries = 0; r.status == proto::ProvisionStatus::Waiting && tries < 3; ++tries) {
                    std::this_thread::sleep_for(std::chrono::seconds(std::clamp(r.retrySec, 1, 5)));
                    r = client.enroll();
                }
                if (r.status == proto::ProvisionStatus::Approved)
                    ++p.approved;
                else
                    std::cerr << name << ": " << id << " not approved: " << r.message << '\n';
            } catch (const std::exception& e) {
                std::cerr << name << ": " << id << ": " << e.what() << '\n';
            }
            p.ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t).count());
        }
        while (Clock::now() - started < minimum) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (report) p.attack = report();
        return p;
    }

    std::uint16_t port() { return server_.service().port(); }
    std::string enrolling() const {
        const std::lock_guard<std::mutex> hold(mutex_);
        return enrolling_;
    }

private:
    test::IdprovServer server_;
    test::TempDir stores_;
    int counter_ = 0;
    mutable std::mutex mutex_;
    std::string enrolling_;
};

}  // namespace

int main(int argc, char** argv) {
    int enrolments = 8;
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--enrolments" && i + 1 < argc) {
            enrolments = std::max(1, std::stoi(argv[++i]));
        } else if (a == "--json") {
            json = true;
        } else if (a == "--version") {
            std::cout << "steward_idprov_dos_bench " << steward::core::versionText() << '\n';
            return 0;
        } else {
            std::cout << "usage: steward_idprov_dos_bench [--enrolments M] [--json]\n       steward_idprov_dos_bench --version\n";
            return a == "--help" ? 0 : 2;
        }
    }
    double load[1] = {0};
    ::getloadavg(load, 1);

    Bench bench;
    const auto settings = test::IdprovServer::defaultSettings();
    const auto attackPhase = settings.requestDeadline + std::chrono::seconds(1);
    const std::uint16_t port = bench.port();

    const auto drip = [&](test::SlowDrip::Kind kind) {
        return [&, kind]() -> std::function<std::string()> {
            auto d = std::make_shared<test::SlowDrip>(kind, port, hosts(10), 6, std::chrono::milliseconds(500));
            return [d] {
                const auto s = d->stats();
                return std::to_string(s.connections) + " connections: " + std::to_string(s.closedAtOnce) + " refused at once, " +
                       std::to_string(s.closedLater) + " cut, longest held " + std::to_string(static_cast<int>(s.longestHeldMs)) + " ms";
            };
        };
    };
    const auto floodReport = [](const std::shared_ptr<test::RequestFlood>& f) {
        return [f] {
            std::string line = "answers by status:";
            for (const auto& [status, n] : f->statusCounts()) line += " " + std::to_string(status) + "x" + std::to_string(n);
            return line + ", slowest " + std::to_string(static_cast<int>(f->slowestAnswerMs())) + " ms";
        };
    };
    const auto provreq = [](const std::string& id, const std::string& hash, proto::OobHashAlgorithm alg) {
        proto::ProvisionRequest r;
        r.deviceId = id;
        r.publicKeyPem = core::PrivateKey::generateEcKey().publicKey().pem();
        r.oobsHash = hash;
        r.oobsHashAlg = std::string(proto::algorithmName(alg));
        return proto::toJson(r);
    };
    const proto::OobHashCost accepted{settings.argon2MemoryKiB, settings.argon2Passes, settings.argon2Lanes, settings.pbkdf2Iterations};
    // Forged from one hash at the accepted cost: the parameters ask for far more.
    const std::string cheapPbkdf2 = proto::hashOobSecret("x", proto::OobHashAlgorithm::Pbkdf2Sha256, accepted);
    const std::string cheapArgon2 = proto::hashOobSecret("x", proto::OobHashAlgorithm::Argon2id, accepted);
    const auto replaced = [](std::string h, const std::string& from, const std::string& to) {
        return h.replace(h.find(from), from.size(), to);
    };
    const std::string costlyPbkdf2 =
        replaced(cheapPbkdf2, proto::costParameters(proto::OobHashAlgorithm::Pbkdf2Sha256, accepted), "i=5000000");
    const std::string costlyArgon2 =
        replaced(cheapArgon2, proto::costParameters(proto::OobHashAlgorithm::Argon2id, accepted), "m=65536,t=10,p=8");
    const std::string wrongHash = proto::hashOobSecret("a wrong guess", proto::OobHashAlgorithm::Argon2id, accepted);

    std::vector<Phase> phases;
    phases.push_back(bench.run("baseline", enrolments, {}, nullptr));
    phases.push_back(bench.run("slow-http", enrolments, attackPhase, drip(test::SlowDrip::Kind::HttpAfterHandshake)));
    phases.push_back(bench.run("slow-tls", enrolments, attackPhase, drip(test::SlowDrip::Kind::TlsClientHello)));
    phases.push_back(bench.run("costly-hash", enrolments, attackPhase, [&]() -> std::function<std::string()> {
        auto f = std::make_shared<test::RequestFlood>(port, hosts(4), "/idprov/provreq", [&](int n) {
            return n % 2 ? provreq(bench.enrolling(), costlyArgon2, proto::OobHashAlgorithm::Argon2id)
                         : provreq(bench.enrolling(), costlyPbkdf2, proto::OobHashAlgorithm::Pbkdf2Sha256);
        });
        return floodReport(f);
    }));
    phases.push_back(bench.run("wrong-hash", enrolments, attackPhase, [&]() -> std::function<std::string()> {
        auto f = std::make_shared<test::RequestFlood>(port, hosts(16), "/idprov/provreq", [&](int) {
            return provreq(bench.enrolling(), wrongHash, proto::OobHashAlgorithm::Argon2id);
        });
        return floodReport(f);
    }));
    phases.push_back(bench.run("baseline-again", enrolments, {}, nullptr));

    const double baseMedian = (percentile(phases.front().ms, 0.5) + percentile(phases.back().ms, 0.5)) / 2;
    const double baseRate = static_cast<double>(phases.front().approved + phases.back().approved) /
                            std::max(1, phases.front().attempts + phases.back().attempts);
    if (json) {
        Poco::JSON::Object out;
        out.set("benchmark", "idprov_dos");
        out.set("version", steward::core::versionText());
        out.set("loadavg", load[0]);
        out.set("enrolments_per_phase", enrolments);
        Poco::JSON::Array list;
        for (const auto& p : phases) {
            Poco::JSON::Object o;
            o.set("phase", p.name);
            o.set("success_rate", static_cast<double>(p.approved) / std::max(1, p.attempts));
            o.set("success_ratio", baseRate > 0 ? static_cast<double>(p.approved) / std::max(1, p.attempts) / baseRate : 0);
            o.set("median_ms", percentile(p.ms, 0.5));
            o.set("p95_ms", percentile(p.ms, 0.95));
            o.set("median_ratio", baseMedian > 0 ? percentile(p.ms, 0.5) / baseMedian : 0);
            o.set("attack", p.attack);
            list.add(o);
        }
        out.set("phases", list);
        out.stringify(std::cout, 2);
        std::cout << '\n';
    } else {
        std::cout << "IDProv under attack: " << enrolments << " enrolments per phase, shipped limits (deadline "
                  << settings.requestDeadline.count() << " ms, " << settings.handlerThreads << " handlers, "
                  << settings.maxConnectionsPerAddress << " connections per address), load " << load[0] << "\n";
        for (const auto& p : phases) {
            std::printf("  %-15s success %2d/%-2d (ratio %.2f)  median %7.1f ms (ratio %5.2f)  p95 %7.1f ms\n", p.name.c_str(), p.approved,
                        p.attempts, baseRate > 0 ? static_cast<double>(p.approved) / std::max(1, p.attempts) / baseRate : 0,
                        percentile(p.ms, 0.5), baseMedian > 0 ? percentile(p.ms, 0.5) / baseMedian : 0, percentile(p.ms, 0.95));
            if (!p.attack.empty()) std::cout << "                  attack: " << p.attack << '\n';
        }
    }
    for (const auto& p : phases) {
        if (p.approved < p.attempts) return 1;
    }
    return 0;
}
