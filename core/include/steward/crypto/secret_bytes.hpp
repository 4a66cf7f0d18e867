#pragma once
// Key material, PINs and out-of-band secrets: bytes that are wiped (OPENSSL_cleanse, which the
// compiler may not optimise away) when they die, moved rather than copied, and never grown in
// place (a growing vector leaves copies behind in freed memory). A copy is explicit: clone().
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace steward::core {

class SecretBytes {
public:
    SecretBytes() = default;
    explicit SecretBytes(std::size_t size);  // zero-filled, to be written through data()
    explicit SecretBytes(std::span<const std::uint8_t> bytes);
    // Takes over a vector's contents and wipes the vector (for APIs that hand out vectors).
    explicit SecretBytes(std::vector<std::uint8_t>&& bytes);
    static SecretBytes fromText(std::string_view text);  // a PIN, a passphrase
    static SecretBytes adoptText(std::string&& text);    // the same, and wipes `text`
    ~SecretBytes() { wipe(); }

    SecretBytes(SecretBytes&& other) noexcept;
    SecretBytes& operator=(SecretBytes&& other) noexcept;
    SecretBytes(const SecretBytes&) = delete;
    SecretBytes& operator=(const SecretBytes&) = delete;

    SecretBytes clone() const { return SecretBytes(bytes()); }
    void wipe() noexcept;  // cleanses and empties

    std::uint8_t* data() { return data_.get(); }
    const std::uint8_t* data() const { return data_.get(); }
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    std::span<const std::uint8_t> bytes() const { return {data_.get(), size_}; }
    std::span<std::uint8_t> writable() { return {data_.get(), size_}; }
    std::string_view text() const { return {reinterpret_cast<const char*>(data_.get()), size_}; }
    const std::uint8_t* begin() const { return data_.get(); }
    const std::uint8_t* end() const { return data_.get() + size_; }

    // A view for APIs that read bytes (no copy is made).
    operator std::span<const std::uint8_t>() const { return bytes(); }  // NOLINT(google-explicit-constructor)

    // Constant time in the length; different lengths are unequal.
    bool equals(std::span<const std::uint8_t> other) const;
    friend bool operator==(const SecretBytes& a, const SecretBytes& b) { return a.equals(b.bytes()); }

private:
    std::unique_ptr<std::uint8_t[]> data_;
    std::size_t size_ = 0;
};

// Wipes a string that held a secret on its way in (a line typed, a JSON field) and empties it.
void wipeString(std::string& text) noexcept;

}  // namespace steward::core
