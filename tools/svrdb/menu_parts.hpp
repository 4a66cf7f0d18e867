#pragma once
// The edit submenus, shared between menu.cpp and their own files.

#include <functional>
#include <string_view>

#include "editor.hpp"
#include "prompt.hpp"

namespace steward::tools {

void credentialMenu(Editor& editor, Prompter& prompt);
void aclMenu(Editor& editor, Prompter& prompt);

// The submenu loop: "1. Print 2. Add entity 3. Modify entity 4. Delete entity 9. Back".
struct EditActions {
    std::function<void()> print;
    std::function<void()> add;
    std::function<void()> modify;
    std::function<void()> remove;
};
void editMenu(std::string_view resourceName, Prompter& prompt, const EditActions& actions);

// Runs an edit; an operational failure (unknown id, bad file, database error) is reported and the
// menu carries on. End of input passes through.
void attempt(Prompter& prompt, const std::function<void()>& action);

}  // namespace steward::tools
