#pragma once
// Certificates as OCF credentials (ocf-security.md, cred): a trust anchor (credtype 8, credusage
// trustca, subject "*", the certificate as PEM publicdata) and a device's own identity (credtype
// 8, credusage cert, subject = the device, the chain as PEM publicdata leaf first, the key as
// PKCS#8 DER raw privatedata). Used by the SVR DB editor and by credential management.
#include <vector>

#include "steward/crypto/x509.hpp"
#include "steward/model/cred.hpp"

namespace steward::core {

// Throws CryptoError if `ca` is not a CA certificate.
Cred trustAnchorCred(const Certificate& ca);

// Throws CryptoError if the chain is empty, its first certificate is a CA, or `key` is not the
// private half of that first certificate.
Cred identityCred(const std::vector<Certificate>& chain, const PrivateKey& key, const Uuid& device);

}  // namespace steward::core
