#include "menu.hpp"

#include "menu_parts.hpp"
#include "printing.hpp"

namespace steward::tools {
namespace {

void printMainMenu(std::ostream& out, const std::filesystem::path& file) {
    out << "\n****** Steward SVR DB Editor [" << file.string() << "] ******\n"
        << "** 1. Print all security resources\n"
        << "** 2. Edit Credential resource\n"
        << "** 3. Edit ACL resource\n"
        << "** 4. Print Doxm\n"
        << "** 5. Print Pstat\n"
        << "** 6. Reset to the reset profile\n"
        << "** 99. Exit\n";
}

void resetDevice(Editor& editor, Prompter& prompt) {
    if (!prompt.yesNo("   > Reset to the reset profile? Every owner, credential and ACE added since the database "
                      "was created is dropped (y/n): ")) {
        return;
    }
    attempt(prompt, [&] {
        editor.reset();
        prompt.out() << "   > Reset done; device " << editor.resources().doxm.deviceuuid.toString() << '\n';
    });
}

}  // namespace

void attempt(Prompter& prompt, const std::function<void()>& action) {
    try {
        action();
    } catch (const InputClosed&) {
        throw;
    } catch (const std::exception& e) {
        prompt.out() << "   > Failed: " << e.what() << '\n';
    }
}

void editMenu(std::string_view resourceName, Prompter& prompt, const EditActions& actions) {
    while (true) {
        prompt.out() << "\n****** Edit " << resourceName << " resource ******\n"
                     << "** 1. Print " << resourceName << " resource\n"
                     << "** 2. Add entity\n"
                     << "** 3. Modify entity\n"
                     << "** 4. Delete entity\n"
                     << "** 9. Back\n";
        switch (prompt.number(">> Enter Menu Number: ", 1, 9)) {
            case 1:
                actions.print();
                break;
            case 2:
                actions.add();
                break;
            case 3:
                actions.modify();
                break;
            case 4:
                actions.remove();
                break;
            case 9:
                return;
            default:
                prompt.invalid("no such menu number");
                break;
        }
    }
}

int runMenu(const std::filesystem::path& file, std::istream& in, std::ostream& out, std::ostream& err, bool terminal) {
    std::optional<Editor> editor;
    try {
        editor.emplace(file);
    } catch (const std::exception& e) {
        err << "steward-svrdb: " << e.what() << '\n';
        return 1;
    }
    Prompter prompt(in, out, terminal);
    try {
        while (true) {
            printMainMenu(out, file);
            switch (prompt.number(">> Enter Menu Number: ", 1, 99)) {
                case 1:
                    attempt(prompt, [&] {
                        const auto ownerKeys = readOwnerKeys(file);
                        printAll(out, editor->resources(), ownerKeys ? &*ownerKeys : nullptr);
                    });
                    break;
                case 2:
                    credentialMenu(*editor, prompt);
                    break;
                case 3:
                    aclMenu(*editor, prompt);
                    break;
                case 4:
                    printDoxm(out, editor->resources().doxm);
                    break;
                case 5:
                    printPstat(out, editor->resources().pstat);
                    break;
                case 6:
                    resetDevice(*editor, prompt);
                    break;
                case 99:
                    return 0;
                default:
                    prompt.invalid("no such menu number");
                    break;
            }
        }
    } catch (const InputClosed&) {
        return 0;  // end of input is how a script (or Ctrl-D) leaves the menu
    }
}

}  // namespace steward::tools
