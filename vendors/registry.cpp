#include "vendors/registry.hpp"

#include <array>

#if BOXWARDEN_VENDOR_UPNP_IGD
#include "vendors/upnp_igd/upnp_igd.hpp"
#endif
#if BOXWARDEN_VENDOR_LIVEBOX
#include "vendors/livebox/livebox.hpp"
#endif
#if BOXWARDEN_VENDOR_FREEBOX
#include "vendors/freebox/freebox.hpp"
#endif
#if BOXWARDEN_VENDOR_BBOX
#include "vendors/bbox/bbox.hpp"
#endif
#if BOXWARDEN_VENDOR_SFR
#include "vendors/sfr/sfr.hpp"
#endif
#if BOXWARDEN_VENDOR_FRITZBOX
#include "vendors/fritzbox/fritzbox.hpp"
#endif
#if BOXWARDEN_VENDOR_OPENWRT
#include "vendors/openwrt/openwrt.hpp"
#endif

namespace bw {

namespace {

// Order matters: vendor plugins first (they see more), the generic IGD last.
const auto k_plugins = std::to_array<const VendorPlugin*>({
#if BOXWARDEN_VENDOR_LIVEBOX
    &livebox_plugin(),
#endif
#if BOXWARDEN_VENDOR_FREEBOX
    &freebox_plugin(),
#endif
#if BOXWARDEN_VENDOR_BBOX
    &bbox_plugin(),
#endif
#if BOXWARDEN_VENDOR_SFR
    &sfr_plugin(),
#endif
#if BOXWARDEN_VENDOR_FRITZBOX
    &fritzbox_plugin(),
#endif
#if BOXWARDEN_VENDOR_OPENWRT
    &openwrt_plugin(),
#endif
#if BOXWARDEN_VENDOR_UPNP_IGD
    &upnp_igd_plugin(),
#endif
});

}  // namespace

std::span<const VendorPlugin* const> all_plugins() {
  return k_plugins;
}

const VendorPlugin* find_plugin(std::string_view id) {
  for (const VendorPlugin* p : k_plugins) {
    if (p->id() == id) {
      return p;
    }
  }
  return nullptr;
}

}  // namespace bw
