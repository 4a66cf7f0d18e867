#pragma once
// The one exception type of the IDProv library: a request or response that breaks the protocol
// (missing or malformed field, unknown algorithm, oversize value), or a server the client will not
// trust. The message names the field or the reason and never contains a secret.
#include <stdexcept>

namespace steward::idprov {

class IdprovError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace steward::idprov
