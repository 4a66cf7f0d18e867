// The ACL submenu: the questions the provisioning client asks for an ACE.
#include <algorithm>

#include "input_parsing.hpp"
#include "menu_parts.hpp"
#include "printing.hpp"
#include "steward/model/ace_text.hpp"

namespace steward::tools {
namespace {

constexpr int kMaxResources = 16;

core::AceSubject askSubject(Prompter& prompt, std::string_view label) {
    return prompt.until(label, [](const std::string& s) { return parseAceSubject(s); });
}

std::vector<core::AceResource> askResources(Prompter& prompt) {
    const int count =
        prompt.number("   > [B] Enter Number of Accessed Resources (1.." + std::to_string(kMaxResources) + "): ", 1, kMaxResources);
    prompt.out() << "         Enter Each Accessed Resource: an href like /a/light, or * (all), + (all secured), - (all "
                    "public)\n";
    std::vector<core::AceResource> resources;
    for (int i = 1; i <= count; ++i) {
        resources.push_back(prompt.until("         Enter Accessed Resource[" + std::to_string(i) + "]: ",
                                         [](const std::string& s) { return parseAceResource(s); }));
    }
    return resources;
}

// Asks the five questions again until at least one right is granted (0 is refused, as everywhere).
int askPermission(Prompter& prompt) {
    static constexpr std::pair<const char*, int> kBits[] = {{"CREATE", core::permission::kCreate},
                                                            {"READ", core::permission::kRead},
                                                            {"UPDATE", core::permission::kUpdate},
                                                            {"DELETE", core::permission::kDelete},
                                                            {"NOTIFY", core::permission::kNotify}};
    while (true) {
        prompt.out() << "   > [C] Enter Permission for This Access\n";
        int bits = 0;
        for (const auto& [name, bit] : kBits) {
            if (prompt.yesNo(std::string("         Enter ") + name + " Permission (y/n): ")) bits |= bit;
        }
        const auto checked = core::permissionFromBits(bits);
        if (checked.ok()) return checked.value();
        prompt.invalid(checked.error());
    }
}

// Empty answer: `empty`; "-" (when allowed): no validity at all.
std::optional<std::vector<core::Validity>> askValidity(Prompter& prompt, std::string_view label, bool allowClear) {
    return prompt.until(label, [&](const std::string& s) -> std::optional<std::vector<core::Validity>> {
        if (s.empty()) return std::nullopt;
        if (allowClear && s == "-") return std::vector<core::Validity>{};
        return std::vector<core::Validity>{parseValidity(s)};
    });
}

void addAce(Editor& editor, Prompter& prompt) {
    prompt.out() << "   **** Create ACE\n";
    core::Ace ace;
    ace.subject = askSubject(prompt,
                             "   > [A] Enter Subject (uuid/role/conntype): uuid:<UUID>, role:<ROLE>[@<AUTHORITY>], "
                             "conntype:auth-crypt or conntype:anon-clear: ");
    ace.resources = askResources(prompt);
    ace.permission = askPermission(prompt);
    ace.validity =
        askValidity(prompt, "   > [D] Enter Validity PERIOD[;RRULE...] (empty for none): ", false).value_or(std::vector<core::Validity>{});
    attempt(prompt, [&] { prompt.out() << "   > Added ACE " << editor.addAce(ace) << '\n'; });
}

std::optional<int> askExistingAce(Editor& editor, Prompter& prompt, std::string_view verb) {
    const int aceid =
        prompt.until("   > Enter ACE ID to " + std::string(verb) + ": ", [](const std::string& s) { return parseId(s, "aceid"); });
    const auto& aces = editor.resources().acl.aclist2;
    if (std::none_of(aces.begin(), aces.end(), [&](const core::Ace& a) { return a.aceid == aceid; })) {
        prompt.out() << "   > Failed: no ACE with aceid " << aceid << '\n';
        return std::nullopt;
    }
    return aceid;
}

void modifyAce(Editor& editor, Prompter& prompt) {
    const auto aceid = askExistingAce(editor, prompt, "modify");
    if (!aceid) return;
    AcePatch patch;
    patch.subject =
        prompt.until("   > [A] Enter new Subject (empty to keep): ", [](const std::string& s) -> std::optional<core::AceSubject> {
            if (s.empty()) return std::nullopt;
            return parseAceSubject(s);
        });
    if (prompt.yesNo("   > [B] Change Accessed Resources (y/n): ")) patch.resources = askResources(prompt);
    if (prompt.yesNo("   > [C] Change Permission (y/n): ")) patch.permission = askPermission(prompt);
    patch.validity = askValidity(prompt, "   > [D] Enter new Validity PERIOD[;RRULE...] (empty to keep, - to remove): ", true);
    if (!patch.subject && !patch.resources && !patch.permission && !patch.validity) {
        prompt.out() << "   > Nothing changed\n";
        return;
    }
    attempt(prompt, [&] {
        editor.modifyAce(*aceid, patch);
        prompt.out() << "   > Modified ACE " << *aceid << '\n';
    });
}

void deleteAce(Editor& editor, Prompter& prompt) {
    const auto aceid = askExistingAce(editor, prompt, "delete");
    if (!aceid) return;
    attempt(prompt, [&] {
        editor.deleteAce(*aceid);
        prompt.out() << "   > Deleted ACE " << *aceid << '\n';
    });
}

}  // namespace

void aclMenu(Editor& editor, Prompter& prompt) {
    editMenu("ACL", prompt,
             {[&] { printAcl(prompt.out(), editor.resources().acl); }, [&] { addAce(editor, prompt); }, [&] { modifyAce(editor, prompt); },
              [&] { deleteAce(editor, prompt); }});
}

}  // namespace steward::tools
