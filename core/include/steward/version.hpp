#pragma once
// The build's version, one source for every program and for what stewardd publishes: the CMake
// project version, plus `git describe --always --dirty` when built from a git checkout (nothing
// more from a source tarball). Generated at build time into one source file (core/version/), so
// that a new commit recompiles that file alone.
#include <string_view>

namespace steward::core {

// "0.1.0 (git f403a6c)", "0.1.0 (git f403a6c-dirty)", or "0.1.0" outside a git checkout.
// Static storage; callable from any thread; never fails.
std::string_view versionText();

// The project version alone, "0.1.0" (CMake's project(VERSION)).
std::string_view projectVersion();

}  // namespace steward::core
