#pragma once
// Every security resource one device holds: what its SVR database stores.

#include <optional>

#include "steward/model/acl2.hpp"
#include "steward/model/cred.hpp"
#include "steward/model/doxm.hpp"
#include "steward/model/pconf.hpp"
#include "steward/model/pstat.hpp"

namespace steward::core {

struct SecurityResources {
    Doxm doxm;
    Pstat pstat;
    CredResource cred;
    Acl2 acl;
    std::optional<Pconf> pconf;  // only on direct-pairing capable devices
    std::optional<Dpairing> dpairing;
    friend bool operator==(const SecurityResources&, const SecurityResources&) = default;
};

}  // namespace steward::core
