#pragma once
// The hash cost an IDProv server accepts, and how it tells its clients (issue 20). Before this, a
// request's own PHC parameters set the server's KDF cost (up to 5,000,000 PBKDF2 iterations or 64
// MiB x 10 passes of Argon2id per request, before any authentication). Now the server accepts
// exactly one cost per algorithm, advertises it in its directory as "oobsHashParams" (algorithm
// name -> PHC parameter string, e.g. {"Argon2id": "m=19456,t=2,p=1", "PBKDF2": "i=600000"}), and
// refuses any other hash before running a KDF. A client hashes with what the directory says.
// Pure functions, thread-safe, no KDF work.
#include <string>
#include <string_view>

#include "steward/idprov/oob_hash.hpp"

namespace steward::idprov {

// A PBKDF2-SHA256 tag longer than one SHA-256 block costs a whole run of the iterations again per
// block, so the server accepts at most this many hash bytes for PBKDF2.
inline constexpr std::size_t kMaxPbkdf2HashBytesAccepted = 32;

// The PHC parameter string of `cost` for `algorithm`: "m=<KiB>,t=<passes>,p=<lanes>" (Argon2id)
// or "i=<iterations>" (PBKDF2). No range checks.
std::string costParameters(OobHashAlgorithm algorithm, const OobHashCost& cost);

// `base` with the fields of `algorithm` set from an advertised parameter string (the form
// costParameters() writes). Throws IdprovError("oobsHashParams: ...") if it is malformed or
// outside the limits of oob_hash.hpp (a hostile directory cannot make the client spin either).
OobHashCost parseCostParameters(OobHashAlgorithm algorithm, std::string_view parameters, OobHashCost base = {});

// Whether a received hash (its parameters from oobHashParameters()) asks for exactly the cost the
// server accepts: "" if so, otherwise why not, naming the accepted parameters.
std::string costProblem(const OobHashParameters& received, const OobHashCost& accepted);

}  // namespace steward::idprov
