#include "steward/idprov/device_credentials.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "steward/idprov/messages.hpp"
#include "steward/util/atomic_file.hpp"

namespace steward::idprov {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxCaFileBytes = 4 * kMaxPemChars;

bool present(const fs::path& file) {
    std::error_code ec;
    return fs::exists(file, ec);
}

// Creates the directory (and its parents) if missing; the directory itself gets 0700. An existing
// directory is left as it is: it may be one the user chose and shares with other things.
void ensureDirectory(const fs::path& directory) {
    std::error_code ec;
    if (fs::is_directory(directory, ec)) return;
    if (directory.has_parent_path() && !directory.parent_path().empty()) {
        fs::create_directories(directory.parent_path(), ec);
        if (ec) throw core::CryptoError(directory.parent_path().string() + ": cannot create: " + ec.message());
    }
    if (::mkdir(directory.c_str(), 0700) != 0) {
        if (errno == EEXIST) return;  // made by someone else meanwhile: theirs, left as it is
        throw core::CryptoError(directory.string() + ": cannot create: " + std::strerror(errno));
    }
    // mkdir's mode is reduced by the umask; 0700 is what we want whatever it is.
    fs::permissions(directory, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) throw core::CryptoError(directory.string() + ": cannot set mode 0700: " + ec.message());
}

void writeSecret(const fs::path& file, std::string text) {
    try {
        core::writeFileAtomically(file, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, {0600, {}});
    } catch (const core::FileError& e) {
        OPENSSL_cleanse(text.data(), text.size());
        throw core::CryptoError(e.what());
    }
    OPENSSL_cleanse(text.data(), text.size());
}

void writePublic(const fs::path& file, const std::string& text) {
    try {
        core::writeFileAtomically(file, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, {0600, {}});
    } catch (const core::FileError& e) {
        throw core::CryptoError(e.what());
    }
}

fs::path staged(const fs::path& file) { return fs::path(file.string() + ".next"); }

void renameOver(const fs::path& from, const fs::path& to) {
    std::error_code ec;
    fs::rename(from, to, ec);
    if (ec) throw core::CryptoError(from.string() + ": cannot rename to " + to.string() + ": " + ec.message());
}

void syncDirectory(const fs::path& directory) {
    const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    (void)::fsync(fd);
    ::close(fd);
}

}  // namespace

DeviceCredentialStore::DeviceCredentialStore(std::filesystem::path directory) : directory_(std::move(directory)) {}

// A save() is staged as key.pem.next, ca.pem.next, cert.pem.next (each complete and synced),
// then committed by renaming the key first and the certificate last. After a crash:
//  - key.pem.next still there: the commit had not begun; the old set is intact and the staged
//    files are dropped;
//  - key.pem.next gone but cert.pem.next there: the key is already the new one; the CA and the
//    certificate are moved in to finish the commit.
// Either way a complete set (old or new) is left: a renewal never costs the device its identity.
void DeviceCredentialStore::recover() const {
    if (present(staged(keyFile()))) {
        std::error_code ec;
        for (const auto& f : {keyFile(), caFile(), certificateFile()}) fs::remove(staged(f), ec);
        return;
    }
    if (!present(staged(certificateFile()))) return;
    if (present(staged(caFile()))) renameOver(staged(caFile()), caFile());
    renameOver(staged(certificateFile()), certificateFile());
    syncDirectory(directory_);
}

std::optional<DeviceCredentials> DeviceCredentialStore::load() const {
    recover();
    // The certificate is written last: without it the set is incomplete, as if never saved.
    if (!present(certificateFile())) return std::nullopt;
    if (!present(keyFile())) throw core::CryptoError(keyFile().string() + ": missing while " + certificateFile().string() + " exists");
    auto ca = loadCaPem();
    if (!ca) throw core::CryptoError(caFile().string() + ": missing while " + certificateFile().string() + " exists");
    // The CA must be certificates (checked here so that a damaged file is found now, not at the
    // next TLS handshake).
    (void)core::Certificate::parseChain({reinterpret_cast<const std::uint8_t*>(ca->data()), ca->size()}, caFile().string());
    core::Certificate certificate = core::Certificate::load(certificateFile());
    core::PrivateKey key = core::PrivateKey::load(keyFile());
    if (!key.matches(certificate)) {
        throw core::CryptoError(keyFile().string() + ": the key does not match " + certificateFile().string());
    }
    return DeviceCredentials{std::move(key), std::move(certificate), std::move(*ca)};
}

std::optional<std::string> DeviceCredentialStore::loadCaPem() const {
    if (!present(caFile())) return std::nullopt;
    try {
        const auto bytes = core::readWholeFile(caFile(), kMaxCaFileBytes);
        return std::string(bytes.begin(), bytes.end());
    } catch (const core::FileError& e) {
        throw core::CryptoError(std::string("cannot read ") + e.what());
    }
}

void DeviceCredentialStore::save(const DeviceCredentials& credentials) const {
    if (!credentials.key.matches(credentials.certificate)) {
        throw core::CryptoError("the key to store does not match the certificate");
    }
    (void)core::Certificate::parseChain({reinterpret_cast<const std::uint8_t*>(credentials.caPem.data()), credentials.caPem.size()},
                                        "the CA to store");
    ensureDirectory(directory_);
    recover();  // a commit an earlier crash interrupted is finished (or dropped) first
    writeSecret(staged(keyFile()), credentials.key.pem());
    writePublic(staged(caFile()), credentials.caPem);
    writePublic(staged(certificateFile()), credentials.certificate.pem());
    renameOver(staged(keyFile()), keyFile());  // the commit point: from here on, roll forward
    renameOver(staged(caFile()), caFile());
    renameOver(staged(certificateFile()), certificateFile());
    syncDirectory(directory_);
}

core::PrivateKey DeviceCredentialStore::pendingKey() const {
    const fs::path file = pendingKeyFile();
    if (present(file)) return core::PrivateKey::load(file);
    ensureDirectory(directory_);
    core::PrivateKey key = core::PrivateKey::generateEcKey();
    writeSecret(file, key.pem());
    return key;
}

void DeviceCredentialStore::clearPendingKey() const {
    std::error_code ec;
    fs::remove(pendingKeyFile(), ec);
    if (ec) throw core::CryptoError((pendingKeyFile()).string() + ": cannot remove: " + ec.message());
}

}  // namespace steward::idprov
