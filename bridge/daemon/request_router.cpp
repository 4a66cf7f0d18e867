#include "request_router.hpp"

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <memory>

#include "gateway_sync.hpp"
#include "request_json.hpp"
#include "steward/device/device_security.hpp"
#include "steward/model/payload_json.hpp"
#include "steward/model/pconf.hpp"
#include "steward/version.hpp"

namespace steward::bridge {
namespace {

Poco::JSON::Object::Ptr object() { return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER); }

Poco::JSON::Array::Ptr array(const std::vector<std::string>& items) {
    Poco::JSON::Array::Ptr a = new Poco::JSON::Array;
    for (const auto& i : items) a->add(i);
    return a;
}

Poco::JSON::Object::Ptr outcomeJson(const core::ProvisioningOutcome& o) {
    auto j = object();
    j->set("done", array(o.done));
    j->set("deferred", array(o.deferred));
    return j;
}

// What a removal or reset did: the same object answers the request and is the device_removed event.
Poco::JSON::Object::Ptr removalJson(const core::Uuid& device, const std::string& action, const core::ProvisioningOutcome& o, bool blocked) {
    const auto uuids = [](const std::vector<core::Uuid>& ids) {
        Poco::JSON::Array::Ptr a = new Poco::JSON::Array;
        for (const auto& id : ids) a->add(id.toString());
        return a;
    };
    auto j = object();
    j->set("device", device.toString());
    j->set("action", action);
    j->set("reset", std::string(core::toString(o.removal.reset)));
    j->set("revoked_on", uuids(o.removal.revokedOn));
    j->set("revocation_pending", uuids(o.removal.revokePending));
    j->set("blocked", blocked);
    j->set("done", array(o.done));
    j->set("deferred", array(o.deferred));
    return j;
}

}  // namespace

RequestRouter::RequestRouter(Parts parts, std::function<void(const std::string&)> log) : parts_(parts), log_(std::move(log)) {
    auto& g = parts_.gateway;
    handlers_["devices"] = [this](const auto&, const Reply& ok, const auto&) {
        Poco::JSON::Array list;
        for (const auto& v : parts_.directory.all()) {
            std::vector<core::Uuid> links;
            for (const auto& l : parts_.gateway.pdm->links(v.id)) links.push_back(l.a == v.id ? l.b : l.a);
            list.add(deviceJson(v, links));
        }
        ok(list);
    };
    handlers_["info"] = [this](const auto&, const Reply& ok, const auto&) { ok(info()); };
    handlers_["idprov/oob"] = [this](const auto& body, const Reply& ok, const auto& fail) {
        const auto deviceId = textField(body, "device_id");
        const auto secret = textField(body, "secret");
        const auto validUntil = optionalText(body, "valid_until").value_or("");
        core::OobSecretResult result;
        try {
            result = parts_.enrollment.addOobSecret(deviceId, secret, validUntil);
        } catch (const std::exception& e) {
            return fail(e.what());
        }
        if (!result.ok) return fail(result.error);
        auto data = object();
        data->set("device_id", deviceId);
        data->set("valid_until", result.validUntil);
        ok(data);
    };
    handlers_["metrics"] = [this](const auto&, const Reply& ok, const auto&) { ok(parts_.metrics.json()); };
    handlers_["discover"] = [this](const auto& body, const Reply& ok, const auto& fail) {
        const auto scopeText = optionalText(body, "scope").value_or("all");
        core::DiscoveryScope scope = core::DiscoveryScope::All;
        if (scopeText == "unowned") {
            scope = core::DiscoveryScope::Unowned;
        } else if (scopeText == "owned") {
            scope = core::DiscoveryScope::Owned;
        } else if (scopeText != "all") {
            throw RequestError("'scope' must be all, unowned or owned");
        }
        JobQueue::Job job{"discover",
                          [this, scope, ok, fail] {
                              try {
                                  Poco::JSON::Array list;
                                  for (const auto& d : parts_.onboarding.discoverNow(scope)) {
                                      if (auto v = parts_.directory.get(d.deviceId)) list.add(deviceJson(*v, {}));
                                  }
                                  ok(list);
                              } catch (const std::exception& e) {
                                  fail(std::string("discovery failed: ") + e.what());
                              }
                          },
                          [fail] { fail("the gateway is shutting down"); },
                          {}};  // every device it finds
        if (!parts_.worker.post(std::move(job))) fail("the provisioning worker is not accepting work");
    };
    handlers_["own"] = [this](const auto& body, const Reply& ok, const auto& fail) {
        const auto device = uuidField(body, "device");
        const auto method = methodField(body, "method");
        const auto error = parts_.onboarding.requestOwn(device, method, [ok, fail](Poco::JSON::Object::Ptr result) {
            if (result->getValue<std::string>("status") == "owned") {
                ok(result);
            } else {
                const auto step = result->optValue<std::string>("step", "");
                fail((step.empty() ? "" : step + ": ") + result->optValue<std::string>("error", ""));
            }
        });
        if (!error.empty()) fail(error);
    };
    handlers_["pin"] = [this](const auto& body, const Reply& ok, const auto& fail) {
        const auto device = uuidField(body, "device");
        auto pin = textField(body, "pin");
        if (!isWellFormedPin(pin)) throw RequestError("'pin' must be the 8 digits the device shows");
        if (!parts_.pins.answer(device, core::SecretBytes::adoptText(std::move(pin))))
            return fail("no pairing request is waiting for a PIN of " + device.toString());
        auto o = object();
        o->set("device", device.toString());
        ok(o);
    };
    handlers_["permit_join"] = [this](const auto& body, const Reply& ok, const auto&) {
        const auto seconds = optionalInteger(body, "time", 0, 86400).value_or(parts_.config.ownership.permitJoinDefault.count());
        const auto granted = parts_.onboarding.permitJoin(std::chrono::seconds(seconds));
        auto o = object();
        o->set("time", static_cast<std::int64_t>(granted.count()));
        ok(o);
    };
    handlers_["approve"] = [this](const auto& body, const Reply& ok, const auto& fail) {
        const auto device = uuidField(body, "device");
        const auto error = parts_.onboarding.approve(device);
        if (!error.empty()) return fail(error);
        auto o = object();
        o->set("device", device.toString());
        ok(o);
    };
    handlers_["deny"] = [this](const auto& body, const Reply& ok, const auto& fail) {
        const auto device = uuidField(body, "device");
        const auto error = parts_.onboarding.deny(device);
        if (!error.empty()) return fail(error);
        auto o = object();
        o->set("device", device.toString());
        ok(o);
    };
    // The devices' resources, on the same path as the bridged functions' commands (DeviceFunctions).
    handlers_["resource/get"] = [this](const auto& body, const Reply& ok, const auto& fail) {
        const auto device = uuidField(body, "device");
        const auto href = textField(body, "href");
        parts_.mqtt.functions().read(device, href, [ok, fail](const Poco::Dynamic::Var& value, const std::string& error) {
            if (!error.empty()) return fail(error);
            ok(value);
        });
    };
    handlers_["resource/set"] = [this](const auto& body, const Reply& ok, const auto& fail) {
        const auto device = uuidField(body, "device");
        const auto href = textField(body, "href");
        if (!body->has("value") || body->get("value").type() != typeid(Poco::JSON::Object::Ptr)) {
            throw RequestError("'value' must be an object of the properties to change, e.g. {\"value\": true}");
        }
        parts_.mqtt.functions().write(device, href, core::jsonToCbor(body->get("value")),
                                      [ok, fail](const Poco::Dynamic::Var& value, const std::string& error) {
                                          if (!error.empty()) return fail(error);
                                          ok(value);
                                      });
    };
    handlers_["acl"] = [this, &g](const auto& body, const Reply& ok, const auto& fail) {
        const auto device = uuidField(body, "device");
        core::Ace ace;
        ace.subject = subjectField(body, "subject");
        ace.resources = resourcesField(body, "resources");
        ace.permission = permissionField(body, "permission");
        onWorker("acl",
                 [&g, device, ace] {
                     auto ctx = g.provisioning();
                     return g.credentials()->provisionAcl(ctx, device, {ace}, "");
                 },
                 ok, fail, {device});
    };
    const auto pairwise = [this, &g](bool withAces) {
        return [this, &g, withAces](const Poco::JSON::Object::Ptr& body, const Reply& ok,
                                    const std::function<void(const std::string&)>& fail) {
            core::PairwiseRequest request;
            request.a = uuidField(body, "a");
            request.b = uuidField(body, "b");
            request.keyBits = static_cast<int>(optionalInteger(body, "key_bits", 1, 4096).value_or(128));
            if (withAces) {
                request.resources = resourcesField(body, "resources");
                request.permission = body->has("permission")
                                         ? permissionField(body, "permission")
                                         : (core::permission::kRead | core::permission::kUpdate | core::permission::kNotify);
            }
            onWorker(withAces ? "link" : "pair",
                     [&g, request] {
                         auto ctx = g.provisioning();
                         return g.credentials()->provisionPairwise(ctx, request);
                     },
                     ok, fail, {request.a, request.b});
        };
    };
    handlers_["pair"] = pairwise(false);
    handlers_["link"] = pairwise(true);
    handlers_["unlink"] = [this, &g](const auto& body, const Reply& ok, const auto& fail) {
        const auto a = uuidField(body, "a");
        const auto b = uuidField(body, "b");
        onWorker("unlink",
                 [&g, a, b] {
                     auto ctx = g.provisioning();
                     return g.credentials()->unlink(ctx, a, b);
                 },
                 ok, fail, {a, b});
    };
    // remove: the device is blocked first, so that no discovery round can own it again between its
    // reset and the block (a failed removal takes a new block back); reset blocks nothing. The
    // response's data and the device_removed event are one object: they say the same.
    const auto removal = [this, &g](bool reset) {
        return
            [this, &g, reset](const Poco::JSON::Object::Ptr& body, const Reply& ok, const std::function<void(const std::string&)>& fail) {
                const auto device = uuidField(body, "device");
                const std::string action = reset ? "reset" : "remove";
                JobQueue::Job job{action + " " + device.toString(),
                                  [this, &g, device, reset, action, ok, fail] {
                                      try {
                                          const bool blockedBefore = g.pdm->isBlocked(device);
                                          if (!reset) parts_.onboarding.block(device, "removed");
                                          auto ctx = g.provisioning();
                                          const auto outcome = reset ? g.credentials()->resetDevice(ctx, device)
                                                                     : g.credentials()->removeDevice(ctx, device);
                                          if (!outcome.ok) {
                                              if (!reset && !blockedBefore) g.pdm->unblockDevice(device);
                                              parts_.mqtt.deviceChanged(device);
                                              return fail(outcome.error);
                                          }
                                          parts_.directory.update(device, [](DeviceView& v) {
                                              v.status = DeviceStatus::Removed;
                                              v.policies.clear();
                                          });
                                          const auto report = removalJson(device, action, outcome, g.pdm->isBlocked(device));
                                          parts_.mqtt.deviceChanged(device);
                                          parts_.mqtt.event("device_removed", report);
                                          ok(report);
                                      } catch (const std::exception& e) {
                                          log_(action + " of " + device.toString() + " failed: " + e.what());
                                          fail(std::string("internal error: ") + e.what());
                                      }
                                  },
                                  [fail] { fail("the gateway is shutting down"); },
                                  {device}};
                if (!parts_.worker.post(std::move(job)))
                    fail("the provisioning worker is not accepting work (shutting down or overloaded)");
            };
    };
    handlers_["remove"] = removal(false);
    handlers_["reset"] = removal(true);
    handlers_["admit"] = [this](const auto& body, const Reply& ok, const auto& fail) {
        const auto device = uuidField(body, "device");
        const auto error = parts_.onboarding.admit(device);
        if (!error.empty()) return fail(error);
        auto o = object();
        o->set("device", device.toString());
        ok(o);
    };
    handlers_["cert"] = [this, &g](const auto& body, const Reply& ok, const auto& fail) {
        const auto device = uuidField(body, "device");
        const auto days = optionalInteger(body, "days", 1, 36500).value_or(365);
        onWorker("cert",
                 [&g, device, days] {
                     auto ctx = g.provisioning();
                     ctx.ca = &g.ca();
                     return g.credentials()->provisionCertificate(ctx, device, std::chrono::hours(24 * days));
                 },
                 ok, fail, {device});
    };
    handlers_["sync"] = [this, &g](const auto&, const Reply& ok, const auto& fail) {
        onWorker("sync",
                 [&g, progress = progressReporter()] {
                     auto ctx = g.provisioning([progress](const std::string& line) { progress(line); });
                     return syncGateway(g, ctx);
                 },
                 ok, fail, {});
    };
    handlers_["direct_pairing"] = [this, &g](const auto& body, const Reply& ok, const auto& fail) {
        // Shared: the worker's std::function must be copyable, the PIN inside is not.
        auto request = std::make_shared<DirectPairingRequest>(directPairingRequest(body));
        if (!g.registry.pairingProvider()) {
            return fail("no Direct Pairing plugin is loaded (none in " + g.pluginDir().string() + " provides the \"pairing\" category)");
        }
        // Pre-configured without a PIN: one is made here, so that the requester, who must give it
        // to the guest, learns it: in this response only (never logged, retained or announced).
        Reply answer = ok;
        const bool offered =
            std::find(request->methods.begin(), request->methods.end(), core::pairing_method::kPreconfiguredPin) != request->methods.end();
        if (request->enabled && !request->pin && offered) {
            request->pin = core::generatePin();
            answer = [ok, request](const Poco::Dynamic::Var& data) {
                auto o = data.extract<Poco::JSON::Object::Ptr>();
                o->set("pin", std::string(request->pin->text()));
                ok(o);
            };
        }
        const auto device = request->device;
        onWorker("direct_pairing",
                 [&g, request] {
                     auto ctx = g.provisioning();
                     const auto provider = g.registry.pairingProvider();
                     if (!request->enabled) return provider->disable(ctx, request->device);
                     core::DirectPairingConfig config;
                     config.methods = request->methods;
                     if (request->pin) config.pin = request->pin->clone();
                     config.pdacl.push_back(core::PdAce{request->resources, request->permission, {}, {}});
                     return provider->configure(ctx, request->device, config);
                 },
                 answer, fail, {device});
    };
    handlers_["links"] = [this](const auto& body, const Reply& ok, const auto&) {
        Poco::JSON::Array links;
        std::vector<core::LinkRecord> records;
        if (body->has("device")) {
            records = parts_.gateway.pdm->links(uuidField(body, "device"));
        } else {
            for (const auto& d : parts_.gateway.pdm->devices()) {
                for (const auto& l : parts_.gateway.pdm->links(d.id)) {
                    if (l.a == d.id) records.push_back(l);
                }
            }
        }
        for (const auto& l : records) {
            auto o = object();
            o->set("a", l.a.toString());
            o->set("b", l.b.toString());
            o->set("stale", l.stale);
            o->set("pending", l.pendingAction);
            // Made by the gateway (pair, link, a policy) or by the devices themselves (Direct Pairing).
            o->set("kind", l.direct ? "direct" : "pairwise");
            links.add(o);
        }
        auto o = object();
        o->set("links", links);
        ok(o);
    };
    handlers_["rename"] = [this](const auto& body, const Reply& ok, const auto& fail) {
        const auto device = uuidField(body, "device");
        const auto name = textField(body, "name");
        if (name.size() > 64) throw RequestError("'name' is at most 64 characters");
        if (!parts_.gateway.pdm->device(device)) return fail("unknown device " + device.toString() + " (not owned)");
        parts_.gateway.pdm->renameDevice(device, name);
        parts_.directory.update(device, [&](DeviceView& v) { v.name = name; });
        parts_.mqtt.deviceChanged(device);
        auto o = object();
        o->set("device", device.toString());
        o->set("name", name);
        ok(o);
    };
    // Answered once the policies are applied again to every owned device (progress events in
    // between), so that the requester sees the outcome, not just the files' diff.
    handlers_["policy_reload"] = [this](const auto&, const Reply& ok, const auto& fail) {
        const auto report = countedProgressReporter();
        const auto result = reloadPolicies(
            [ok](const ReloadResult& r) {
                auto o = object();
                o->set("added", array(r.added));
                o->set("removed", array(r.removed));
                o->set("changed", array(r.changed));
                ok(o);
            },
            [report](std::size_t done, std::size_t total, const core::Uuid& device) {
                report(done, total, "applying the policies to " + device.toString());
            });
        if (!result.ok) fail(result.error);
    };
}

void RequestRouter::onWorker(const std::string& name, const std::function<core::ProvisioningOutcome()>& op, const Reply& ok,
                             const std::function<void(const std::string&)>& fail, const std::vector<core::Uuid>& touched) {
    JobQueue::Job job{name,
                      [this, op, ok, fail, touched] {
                          const auto outcome = op();
                          for (const auto& id : touched) parts_.mqtt.deviceChanged(id);
                          if (outcome.ok) {
                              ok(outcomeJson(outcome));
                          } else {
                              fail(outcome.error);
                          }
                      },
                      [fail] { fail("the gateway is shutting down"); }, touched};
    if (!parts_.worker.post(std::move(job))) fail("the provisioning worker is not accepting work (shutting down or overloaded)");
}

void RequestRouter::handle(const std::string& action, const std::string& payload) {
    Poco::Dynamic::Var transaction;
    Poco::JSON::Object::Ptr body;
    const auto fail = [this, action, &transaction](const std::string& error) {
        // Copied: the reply may come later, from the worker.
        parts_.mqtt.respondError(action, transaction, error);
    };
    try {
        body = parseRequestBody(payload);
        if (body->has("transaction")) transaction = body->get("transaction");
    } catch (const RequestError& e) {
        // Unparsable: the transaction is still given back if it can be read, so that the
        // requester sees the error (a typo in a hand-written request, a truncated message).
        if (const auto salvaged = salvageTransaction(payload)) transaction = *salvaged;
        parts_.mqtt.respondError(action, transaction, e.what());
        return;
    }
    const auto it = handlers_.find(action);
    if (it == handlers_.end()) {
        parts_.mqtt.respondError(action, transaction, "unknown action '" + action + "'");
        return;
    }
    const Reply ok = [this, action, transaction](const Poco::Dynamic::Var& data) { parts_.mqtt.respondOk(action, transaction, data); };
    const std::function<void(const std::string&)> failLater = [this, action, transaction](const std::string& error) {
        parts_.mqtt.respondError(action, transaction, error);
    };
    current_ = {action, transaction};
    try {
        it->second(body, ok, failLater);
    } catch (const RequestError& e) {
        fail(e.what());
    } catch (const std::exception& e) {
        log_("request " + action + " failed: " + e.what());
        fail(std::string("internal error: ") + e.what());
    }
}

std::function<void(std::size_t, std::size_t, const std::string&)> RequestRouter::countedProgressReporter() const {
    return [this, request = current_](std::size_t done, std::size_t total, const std::string& message) {
        auto o = object();
        o->set("action", request.action);
        if (!request.transaction.isEmpty()) o->set("transaction", request.transaction);
        o->set("done", static_cast<std::uint64_t>(done));
        o->set("total", static_cast<std::uint64_t>(total));
        o->set("message", message);
        parts_.mqtt.event("progress", o);
    };
}

std::function<void(const std::string&)> RequestRouter::progressReporter() const {
    return [this, request = current_](const std::string& message) {
        auto o = object();
        o->set("action", request.action);
        if (!request.transaction.isEmpty()) o->set("transaction", request.transaction);
        o->set("message", message);
        parts_.mqtt.event("progress", o);
    };
}

ReloadResult RequestRouter::reloadPolicies(std::function<void(const ReloadResult&)> applied, PolicyApplier::Progress progress) {
    auto result = parts_.policies.reload(parts_.config.policyDir);
    if (!result.ok) {
        log_("policy reload refused, the last good policies stay active: " + result.error);
        auto e = object();
        e->set("status", "error");
        e->set("error", result.error);
        parts_.mqtt.event("policy_reload", e);
        return result;
    }
    log_("policies reloaded: " + std::to_string(parts_.policies.current()->policies.size()) + " active");
    auto e = object();
    e->set("status", "ok");
    e->set("added", array(result.added));
    e->set("removed", array(result.removed));
    e->set("changed", array(result.changed));
    parts_.mqtt.event("policy_reload", e);
    if (result.added.empty() && result.changed.empty()) {
        if (applied) applied(result);
        return result;
    }
    const auto done = [applied, result] {
        if (applied) applied(result);
    };
    JobQueue::Job job{"re-apply policies",
                      [this, progress, done] {
                          parts_.applier.applyAll(progress);
                          done();
                      },
                      done,
                      {}};  // every device
    if (!parts_.worker.post(std::move(job))) done();
    return result;
}

Poco::JSON::Object::Ptr RequestRouter::info() const {
    auto o = object();
    o->set("version", std::string(core::versionText()));
    o->set("gateway", parts_.gateway.identity.id().toString());
    Poco::JSON::Array plugins;
    for (const auto& r : parts_.gateway.pluginReports) {
        auto p = object();
        p->set("path", r.path);
        p->set("loaded", r.loaded);
        if (r.loaded) {
            p->set("name", r.name);
            p->set("version", r.version);
        } else {
            p->set("reason", r.reason);
        }
        plugins.add(p);
    }
    o->set("plugins", plugins);
    o->set("idprov", parts_.enrollment.info());
    auto cfg = object();
    cfg->set("ownership_mode", std::string(toString(parts_.config.ownership.mode)));
    cfg->set("allow_justworks", parts_.config.ownership.allowJustWorks);
    cfg->set("approval", parts_.config.ownership.approval);
    cfg->set("permit_join_remaining", static_cast<std::int64_t>(parts_.onboarding.permitJoinRemaining().count()));
    cfg->set("policies", static_cast<std::uint64_t>(parts_.policies.current()->policies.size()));
    cfg->set("discovery_interfaces", array(parts_.config.discovery.interfaces));
    cfg->set("discovery_unicast", array(parts_.config.discovery.unicast));
    o->set("config", cfg);
    return o;
}

}  // namespace steward::bridge
