#pragma once
// Building credential entries from what the user supplies (a key, certificate and key files),
// with the checks that keep a wrong file out of the database. credids are assigned by the editor.

#include <cstdint>
#include <filesystem>
#include <vector>

#include "steward/model/cred.hpp"

namespace steward::tools {

// OCF pairwise keys are 128 or 256 bits.
bool validPskLength(std::size_t bytes);

// credtype 1, raw privatedata. Throws InputError unless the key is 16 or 32 bytes.
core::Cred makePskCred(const core::CredSubject& subject, std::vector<std::uint8_t> key);

// One trust-anchor credential per certificate of the file (credtype 8, credusage trustca,
// subject "*", the certificate's PEM as publicdata). Throws InputError if any certificate is not
// a CA, and CryptoError if the file is not certificates.
std::vector<core::Cred> makeTrustCaCreds(const std::filesystem::path& chainFile);

// The device's own certificate and key (credtype 8, credusage cert, subject = the device): the
// file's chain as PEM publicdata (leaf first) and the key as PKCS#8 DER raw privatedata. Throws
// InputError if the leaf is a CA or the key is not the leaf's.
core::Cred makeCertCred(const std::filesystem::path& certFile, const std::filesystem::path& keyFile, const core::Uuid& device);

// SHA-256 fingerprints of the certificates a credential's publicdata holds (none if it holds
// none), to tell whether a trust anchor is already present.
std::vector<std::string> certificateFingerprints(const core::Cred& cred);

}  // namespace steward::tools
