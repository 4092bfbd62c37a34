#include "vendors/vendor.hpp"

#include "core/error.hpp"
#include "core/i18n.hpp"

namespace bw {

Secret Session::vpn_peer_config(const std::string&) {
  throw Error(ErrorKind::unsupported, tr("this box has no VPN server of its own"));
}

}  // namespace bw
