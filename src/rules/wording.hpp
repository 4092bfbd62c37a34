// The sentences of findings, in plain words for a practitioner who is not a network
// expert. Internal to src/rules (the evaluator decides, this file words it).
// Every value a box or a LAN device chose goes through host_for_title() or
// printable() first; mapping descriptions are never used.
#pragma once

#include <string>
#include <vector>

#include "core/router_state.hpp"
#include "rules/catalogue.hpp"
#include "rules/profile.hpp"

namespace bw::wording {

// "TCP port 11112", "UDP ports 27015-27016", "TCP port 8443 (sent to its port 3389)".
std::string ports(const PortForward& f);

// The data-class reason appended to exposure whys ("" for personal data).
std::string data_reason(DataClass c);

std::string service_title(const PortForward& f, const Service& s, std::size_t other_services);
std::string service_why(const Service& s, bool upnp);

std::string port_title(const PortForward& f, const std::string& profile_name);
std::string port_why(bool upnp);

std::string allowed_title(const PortForward& f, const AllowedForward& a);
std::string allowed_why(const Service* s);

std::string foreign_title(const PortForward& f, bool is_box);
std::string foreign_why(bool is_box);

std::string dmz_title(const Dmz& d, bool allowed);
std::string dmz_why(DataClass c, bool allowed);  // without data_reason(): said once by the report

std::string upnp_title(bool allowed);
std::string upnp_why(bool allowed);

std::string admin_title(bool allowed);
std::string admin_why(bool allowed);
// A forward the ISP manages the box through (TR-069): not the site's data.
std::string isp_rule_why();

// IPv6. over_ipv6() turns a forward's title into the same for a pinhole ("Over IPv6, anyone
// on the Internet can connect to ..."); ipv6_why() is what a pinhole adds to its why.
std::string over_ipv6(const std::string& forward_title);
std::string ipv6_why(bool upnp);
std::string hidden_pinhole_title(const Pinhole& p);
std::string hidden_pinhole_why();
std::string all_ports_pinhole_title(const Pinhole& p);
std::string ipv6_firewall_title(const std::string& level, bool allowed);
std::string ipv6_firewall_why(bool allowed);  // without data_reason(), as dmz_why
std::string ipv6_host_title(const Dmz& d, bool allowed);

// `apis` are the ids of the APIs that were used (the generic UPnP plugin's, a vendor's).
std::string unknown_title(const std::string& field, const std::vector<std::string>& apis);
std::string unknown_why(const std::string& field);

}  // namespace bw::wording
