#include "menu_credmgmt.hpp"

#include "credmgmt_commands.hpp"
#include "errors.hpp"
#include "input_parsing.hpp"
#include "link_status.hpp"
#include "pairing_commands.hpp"
#include "steward/device/device_security.hpp"
#include "steward/model/ace_text.hpp"

namespace steward::tools {
namespace {

// A prompt's answer; InputError at the end of input (the menu then stops that item).
std::string ask(std::istream& in, std::ostream& out, const std::string& prompt) {
    out << prompt << std::flush;
    std::string line;
    if (!std::getline(in, line)) throw InputError("end of input");
    return line;
}

std::vector<core::DeviceRecord> ownedDevices(const LocalContext& ctx) { return ctx.pdm->devicesInState(core::DeviceRecordState::Owned); }

core::Uuid chooseDevice(const std::vector<core::DeviceRecord>& devices, std::istream& in, std::ostream& out, const std::string& prompt) {
    const auto answer = ask(in, out, prompt);
    std::size_t n = 0;
    try {
        n = std::stoul(answer);
    } catch (const std::exception&) {
        n = 0;
    }
    if (n < 1 || n > devices.size())
        throw InputError("\"" + answer + "\" is not a device number (1-" + std::to_string(devices.size()) + ")");
    return devices[n - 1].id;
}

void listDevices(const std::vector<core::DeviceRecord>& devices, std::ostream& out) {
    out << "> Owned Devices\n";
    for (std::size_t i = 0; i < devices.size(); ++i) {
        out << "     [" << i + 1 << "] " << devices[i].id.toString() << "  \"" << devices[i].name << "\"\n";
    }
}

int askPermission(std::istream& in, std::ostream& out) {
    int bits = 0;
    const char* names[] = {"CREATE", "READ", "WRITE", "DELETE", "NOTIFY"};
    for (int i = 0; i < 5; ++i) {
        const auto a = ask(in, out, std::string("         Enter ") + names[i] + " Permission (y/n): ");
        if (a == "y" || a == "Y") bits |= 1 << i;
    }
    const auto checked = core::permissionFromBits(bits);  // none at all is refused, as everywhere
    if (!checked.ok()) throw InputError(checked.error());
    return checked.value();
}

core::Ace askAce(const std::vector<core::DeviceRecord>& devices, std::istream& in, std::ostream& out) {
    core::Ace ace;
    ace.subject = chooseDevice(devices, in, out, "   > [A] Enter Subject Device Number: ");
    const auto count = ask(in, out, "   > [B] Enter Number of Accessed Resources (under 16): ");
    int n = 0;
    try {
        n = std::stoi(count);
    } catch (const std::exception&) {
        n = 0;
    }
    if (n < 1 || n > 15) throw InputError("\"" + count + "\" is not a number of resources (1-15)");
    out << "         Enter Each Accessed Resource Name (each under 128 char)\n";
    for (int i = 1; i <= n; ++i) {
        auto name = ask(in, out, "         Enter Accessed Resource[" + std::to_string(i) + "] Name: ");
        if (name.size() >= 128) throw InputError("a resource name is under 128 characters");
        // The seed accepts a bare name ("door"); an OCF href starts with '/'.
        if (!name.empty() && name != "*" && name != "+" && name != "-" && name.front() != '/') name = "/" + name;
        ace.resources.push_back(parseAceResource(name));
    }
    out << "   > [C] Enter Permission for This Access\n";
    ace.permission = askPermission(in, out);
    return ace;
}

// Menu 33's questions after the device: methods, PIN, what a paired client may access.
core::DirectPairingConfig askPairingConfig(std::istream& in, std::ostream& out, bool& pinMade) {
    core::DirectPairingConfig config;
    const auto method =
        ask(in, out, "\tSelect Direct-Pairing Method..\n   1 - Pre-configured PIN(Default)\n   2 - Random PIN\n   3 - Both\n");
    if (method.empty() || method == "1") {
        config.methods = {core::pairing_method::kPreconfiguredPin};
    } else if (method == "2") {
        config.methods = {core::pairing_method::kRandomPin};
    } else if (method == "3") {
        config.methods = {core::pairing_method::kPreconfiguredPin, core::pairing_method::kRandomPin};
    } else {
        throw InputError("\"" + method + "\" is not a pairing method (1-3)");
    }
    if (config.methods.front() == core::pairing_method::kPreconfiguredPin) {
        auto pin = ask(in, out, "   > Enter Pre-configured PIN (8 digits, empty: a random one): ");
        if (pin.empty()) {
            config.pin = core::generatePin();
            pinMade = true;
        } else {
            config.pin = parsePairingPin(std::move(pin));
        }
    }
    // Wildcards never reach the security resources (the device's rule), so "*" is a safe default.
    auto resources = ask(in, out, "   > Enter Resource(s) a Paired Client May Access, comma-separated (default *): ");
    if (resources.empty()) resources = "*";
    core::PdAce entry;
    for (auto name : splitList(resources)) {
        name.erase(0, name.find_first_not_of(' '));
        name.erase(name.find_last_not_of(' ') + 1);
        if (name.empty()) continue;
        if (name != "*" && name != "+" && name != "-" && name.front() != '/') name = "/" + name;  // the seed's bare names
        entry.resources.push_back(parseAceResource(name));
    }
    if (entry.resources.empty()) throw InputError("no resource given");
    auto perm = ask(in, out, std::string("   > Enter Permission, CRUDN letters (default ") + kDefaultPairingPermission + "): ");
    entry.permission = parsePermission(perm.empty() ? kDefaultPairingPermission : perm);
    config.pdacl.push_back(std::move(entry));
    return config;
}

// Menu 33: the seed's prompt, then the configuration; the PIN made here is shown once on success.
void provisionDirectPairing(const std::vector<core::DeviceRecord>& devices, LocalContext& ctx, core::ProvisioningContext& pc,
                            std::istream& in, std::ostream& out) {
    const auto device = chooseDevice(devices, in, out, "   > Enter Device Number, for Provisioning Direct-Pairing: ");
    bool pinMade = false;
    const auto config = askPairingConfig(in, out, pinMade);
    core::ProvisioningOutcome outcome;
    try {
        outcome = ctx.pairing()->configure(pc, device, config);
    } catch (const std::exception& e) {  // no Direct Pairing plugin
        outcome.error = e.what();
    }
    for (const auto& d : outcome.done) out << d << '\n';
    if (!outcome.ok) {
        out << "   > FAILED to provision Direct-Pairing: " << outcome.error << '\n';
        return;
    }
    out << "   > SUCCESS to provision Direct-Pairing !!\n";
    if (pinMade) out << "   > pre-configured PIN: " << config.pin.text() << '\n';
}

}  // namespace

bool runCredentialMenuItem(const std::string& item, LocalContext& ctx, std::istream& in, std::ostream& out) {
    static const std::vector<std::string> items{"30", "31", "32", "33", "34", "40", "50"};
    if (std::find(items.begin(), items.end(), item) == items.end()) return false;
    const auto devices = ownedDevices(ctx);
    if (devices.empty()) {
        out << "> No owned device in the provisioning database: own some first (menu item 20)\n";
        return true;
    }
    listDevices(devices, out);
    auto pc = ctx.provisioning();
    core::ProvisioningOutcome outcome;
    try {
        if (item == "30" || item == "31") {
            core::PairwiseRequest request;
            const std::string what = item == "30" ? "Linking" : "Linking CRED(s)";
            request.a = chooseDevice(devices, in, out, "> Enter Device[1] Number, for " + what + ": ");
            request.b = chooseDevice(devices, in, out, "> Enter Device[2] Number, for " + what + ": ");
            const auto len = ask(in, out, "\tSelect PSK length..\n   1 - 128bit(Default)\n   2 - 256bit\n");
            request.keyBits = len == "2" ? 256 : 128;
            if (item == "30") {
                out << "   **** Create ACL for the Pairwise Devices\n";
                const auto ace = askAce(devices, in, out);
                request.resources = ace.resources;
                request.permission = ace.permission;
            }
            outcome = ctx.credentials()->provisionPairwise(pc, request);
            if (outcome.ok)
                out << (item == "30" ? "> Provisioned Selected Pairwise Devices\n" : "> Provisioned Selected Pairwise Credentials\n");
        } else if (item == "32") {
            const auto device = chooseDevice(devices, in, out, "   > Enter Device Number, for Provisioning ACL: ");
            out << "   **** Create ACL for the Selected Device\n";
            const auto ace = askAce(devices, in, out);
            outcome = ctx.credentials()->provisionAcl(pc, device, {ace}, "");
            if (outcome.ok) out << "> Provisioned Selected ACL\n";
        } else if (item == "33") {
            provisionDirectPairing(devices, ctx, pc, in, out);
            return true;
        } else if (item == "34") {
            const auto device = chooseDevice(devices, in, out, "> Enter Device Number, for Checking Linked Status on PRVN DB: ");
            out << "Checking Selected Link Status on PRVN DB..\n> Checked Selected Link Status on PRVN DB\n";
            const auto links = ctx.pdm->links(device);
            for (std::size_t i = 0; i < links.size(); ++i) {
                const auto& link = links[i];
                const auto& peer = link.a == device ? link.b : link.a;
                std::string kind;
                if (link.direct)
                    kind = link.a == device ? "  (direct pairing: paired client)" : "  (direct pairing: paired with it as client)";
                out << " [" << i + 1 << "] " << peer.toString() << kind
                    << (link.stale ? "  (stale: " + link.pendingAction + " pending)" : "") << '\n';
            }
            return true;
        } else if (item == "40") {
            const auto a = chooseDevice(devices, in, out, "> Enter Device[1] Number, for Unlinking Devices: ");
            const auto b = chooseDevice(devices, in, out, "> Enter Device[2] Number, for Unlinking Devices: ");
            outcome = ctx.credentials()->unlink(pc, a, b);
            if (outcome.ok)
                out << "> Unlinked Selected Pairwise Devices\n> Please Check Device's Status for the Unlinked Result, with [34] Menu\n";
        } else {
            const auto device = chooseDevice(devices, in, out, "> Enter Device Number, for Removing Device: ");
            out << "   Removing Selected Owned Device..\n";
            outcome = removeAndBlock(*ctx.credentials(), pc, device);
            if (outcome.ok)
                out << "> Removed Selected Owned Device\n > Please Discover Owned Devices for the Registered Result, with [10|12] Menu\n";
        }
    } catch (const InputError& e) {
        out << "> " << e.what() << ": nothing done\n";
        return true;
    }
    printOutcome(outcome, false, out, out);
    return true;
}

}  // namespace steward::tools
