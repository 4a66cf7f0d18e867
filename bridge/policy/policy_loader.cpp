#include "policy/policy_loader.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include "policy/policy_limits.hpp"
#include "policy/policy_parser.hpp"

namespace steward::bridge {

namespace fs = std::filesystem;

namespace {

PolicyError fileError(const fs::path& path, const std::string& detail) { return PolicyError(path.string(), 0, 0, "", detail); }

std::string readLimited(const fs::path& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        throw fileError(path, ec ? "cannot be read: " + ec.message() : "not a regular file");
    }
    const auto size = fs::file_size(path, ec);
    if (ec) throw fileError(path, "cannot be read: " + ec.message());
    const auto tooLarge = "larger than " + std::to_string(policy_limits::kFileBytes) + " bytes";
    if (size > policy_limits::kFileBytes) throw fileError(path, tooLarge);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw fileError(path, "cannot be opened");
    std::string text;
    text.resize(static_cast<std::size_t>(policy_limits::kFileBytes) + 1);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) throw fileError(path, "cannot be read");
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > policy_limits::kFileBytes) throw fileError(path, tooLarge);  // it grew meanwhile
    return text;
}

PolicySet loadOne(const fs::path& path, const PolicySet& earlier, std::size_t& itemBudget) {
    try {
        return parsePolicyText(readLimited(path), path.string(), earlier, itemBudget);
    } catch (const PolicyError&) {
        throw;
    } catch (const std::exception& e) {
        throw fileError(path, std::string("cannot be read: ") + e.what());
    }
}

std::vector<fs::path> policyFiles(const fs::path& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const fs::path& p = it->path();
        const std::string name = p.filename().string();
        if (name.empty() || name.front() == '.') continue;
        if (p.extension() != ".yaml" && p.extension() != ".yml") continue;
        files.push_back(p);
        if (files.size() > policy_limits::kFiles) {
            throw fileError(dir, "more than " + std::to_string(policy_limits::kFiles) + " policy files");
        }
    }
    if (ec) throw fileError(dir, "cannot be listed: " + ec.message());
    std::sort(files.begin(), files.end(),
              [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });
    return files;
}

}  // namespace

PolicySet loadPolicyFile(const fs::path& file) {
    std::size_t budget = policy_limits::kItems;
    return loadOne(file, PolicySet{}, budget);
}

PolicySet loadPolicyDirectory(const fs::path& dir) {
    try {
        std::error_code ec;
        const auto status = fs::status(dir, ec);
        if (status.type() == fs::file_type::not_found) return {};
        if (ec) throw fileError(dir, "cannot be read: " + ec.message());
        if (!fs::is_directory(status)) throw fileError(dir, "not a directory");
        PolicySet set;
        std::size_t budget = policy_limits::kItems;
        for (const auto& file : policyFiles(dir)) {
            PolicySet one = loadOne(file, set, budget);
            std::move(one.policies.begin(), one.policies.end(), std::back_inserter(set.policies));
        }
        return set;
    } catch (const PolicyError&) {
        throw;
    } catch (const std::exception& e) {
        throw fileError(dir, std::string("cannot be read: ") + e.what());
    }
}

}  // namespace steward::bridge
