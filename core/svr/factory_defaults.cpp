#include "steward/svr/factory_defaults.hpp"

namespace steward::core {

SecurityResources factoryResources(const Uuid& deviceId, const DeviceProfile& profile) {
    SecurityResources r;
    r.doxm.oxms = profile.oxms;
    r.doxm.oxmsel = oxm::kSelf;  // nothing selected until an owner picks a method
    r.doxm.sct = kSctSymmetricPairwise;
    for (int m : profile.oxms) {
        if (m == oxm::kManufacturerCert) r.doxm.sct |= kSctAsymmetricSigningWithCert;
    }
    r.doxm.owned = false;
    r.doxm.deviceuuid = deviceId;

    // RFOTM forces cm=2 (TAKE_OWNER needed), tm=0, isop=false (ocf-security.md, pstat table).
    r.pstat.dos = Dos{false, DosState::Rfotm};
    r.pstat.cm = provisioning_mode::kTakeOwner;
    r.pstat.tm = 0;
    r.pstat.om = operational_mode::kMultiServiceServerDriven | operational_mode::kSingleServiceServerDriven;
    r.pstat.sm = operational_mode::kSingleServiceClientDriven;
    r.pstat.isop = false;

    if (profile.directPairing) {
        r.pconf = Pconf{};
        r.pconf->deviceuuid = deviceId;
        r.dpairing = Dpairing{};
    }
    return r;
}

}  // namespace steward::core
