#include "steward/crypto/secret_bytes.hpp"

#include <openssl/crypto.h>

#include <algorithm>

namespace steward::core {

SecretBytes::SecretBytes(std::size_t size) : data_(size > 0 ? new std::uint8_t[size]() : nullptr), size_(size) {}

SecretBytes::SecretBytes(std::span<const std::uint8_t> bytes) : SecretBytes(bytes.size()) {
    std::copy(bytes.begin(), bytes.end(), data_.get());
}

SecretBytes::SecretBytes(std::vector<std::uint8_t>&& bytes) : SecretBytes(std::span<const std::uint8_t>(bytes)) {
    if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
    bytes.clear();
}

SecretBytes SecretBytes::fromText(std::string_view text) {
    SecretBytes out(text.size());
    std::copy(text.begin(), text.end(), reinterpret_cast<char*>(out.data_.get()));
    return out;
}

SecretBytes SecretBytes::adoptText(std::string&& text) {
    auto out = fromText(text);
    wipeString(text);
    return out;
}

void wipeString(std::string& text) noexcept {
    if (!text.empty()) OPENSSL_cleanse(text.data(), text.size());
    text.clear();
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept : data_(std::move(other.data_)), size_(other.size_) { other.size_ = 0; }

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
        wipe();
        data_ = std::move(other.data_);
        size_ = other.size_;
        other.size_ = 0;
    }
    return *this;
}

void SecretBytes::wipe() noexcept {
    if (data_ && size_ > 0) OPENSSL_cleanse(data_.get(), size_);
    data_.reset();
    size_ = 0;
}

bool SecretBytes::equals(std::span<const std::uint8_t> other) const {
    if (other.size() != size_) return false;
    return size_ == 0 || CRYPTO_memcmp(data_.get(), other.data(), size_) == 0;
}

}  // namespace steward::core
