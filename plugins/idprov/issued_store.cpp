#include "issued_store.hpp"

#include <system_error>

#include "steward/util/atomic_file.hpp"

namespace steward::plugins::idprov {

IssuedStore::IssuedStore(std::filesystem::path directory) : directory_(std::move(directory)) {
    // The service's own directory (its parent) and this one: 0700, whatever the umask (issue 20;
    // create_directories made the parent 0755).
    for (const auto& dir : {directory_.parent_path(), directory_}) {
        if (dir.empty()) continue;
        std::filesystem::create_directories(dir);
        std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
    }
}

void IssuedStore::record(const std::string& deviceId, const core::Certificate& certificate) {
    const std::string pem = certificate.pem();
    core::AtomicWriteOptions options;
    options.mode = 0600;  // public, but whom we certified is the gateway's business (state dir: 0600 files)
    const std::lock_guard<std::mutex> hold(mutex_);
    core::writeFileAtomically(directory_ / (deviceId + ".pem"), std::span(reinterpret_cast<const std::uint8_t*>(pem.data()), pem.size()),
                              options);
}

std::optional<core::Certificate> IssuedStore::latest(const std::string& deviceId) const {
    const std::lock_guard<std::mutex> hold(mutex_);
    const auto file = directory_ / (deviceId + ".pem");
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return std::nullopt;
    return core::Certificate::load(file);
}

std::size_t IssuedStore::count() const {
    const std::lock_guard<std::mutex> hold(mutex_);
    std::size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(directory_)) n += entry.path().extension() == ".pem";
    return n;
}

}  // namespace steward::plugins::idprov
