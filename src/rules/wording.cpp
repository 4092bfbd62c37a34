// Finding sentences; see wording.hpp.
#include "rules/wording.hpp"

#include <algorithm>

#include "core/i18n.hpp"
#include "core/text.hpp"
#include "rules/text_util.hpp"

namespace bw::wording {
namespace {

// "Anyone on the Internet" unless the forward only accepts one source address.
std::string who(const PortForward& f) {
  if (f.remote_host.empty()) {
    return tr("Anyone on the Internet");
  }
  return fill(tr("The Internet address {address}"), {{"address", host_for_title(f.remote_host)}});
}

std::string host(const PortForward& f) {
  return host_for_title(f.internal_host);
}

// The translation of a catalogue text (a view of a literal marked N_()).
std::string trs(std::string_view msgid) {
  return tr(std::string(msgid).c_str());
}

// Joins two sentences; `second` may be empty.
std::string then(const std::string& first, const std::string& second) {
  return second.empty() ? first : first + " " + second;
}

std::string api_name(const std::string& id) {
  if (id.rfind("upnp", 0) == 0) {
    return "UPnP";  // the standard protocol's plugins, named by it
  }
  return fill(tr("the {api} interface"), {{"api", printable(id, 24)}});
}

}  // namespace

std::string ports(const PortForward& f) {
  uint16_t last = std::max(f.external_port, f.external_port_end);
  std::string protocol(to_string(f.protocol));
  std::string text = last == f.external_port
                         ? fill(tr("{protocol} port {port}"), {{"protocol", protocol}, {"port", std::to_string(f.external_port)}})
                         : fill(tr("{protocol} ports {first}-{last}"), {{"protocol", protocol},
                                {"first", std::to_string(f.external_port)}, {"last", std::to_string(last)}});
  if (f.internal_port != 0 && f.internal_port != f.external_port) {
    text = fill(tr("{ports} (sent to its port {port})"), {{"ports", text}, {"port", std::to_string(f.internal_port)}});
  }
  return text;
}

std::string data_reason(DataClass c) {
  switch (c) {
    case DataClass::health:
      return tr("Patients' health data (GDPR Art. 9) on this network could be read by strangers through the "
                "openings listed above: the law requires it to be protected (Art. 32) and a breach to be "
                "notified within 72 hours (Art. 33).");
    case DataClass::business:
      return tr("Customers' and staff's personal data (GDPR) on this network could be read by strangers through "
                "the openings listed above.");
    case DataClass::personal:
      return "";
  }
  return "";
}

std::string service_title(const PortForward& f, const Service& s, std::size_t other_services) {
  if (other_services > 0) {
    return fill(trn("{who} can connect to {service} and {n} other service on {host}, {ports}",
                    "{who} can connect to {service} and {n} other services on {host}, {ports}", other_services),
                {{"who", who(f)}, {"service", trs(s.phrase)}, {"n", std::to_string(other_services)},
                 {"host", host(f)}, {"ports", ports(f)}});
  }
  return fill(tr("{who} can connect to {service} on {host}, {ports}"),
              {{"who", who(f)}, {"service", trs(s.phrase)}, {"host", host(f)}, {"ports", ports(f)}});
}

std::string service_why(const Service& s, bool upnp) {
  std::string why = trs(s.why) + ".";
  return upnp ? then(why, tr("A device on your network opened this port itself, through UPnP.")) : why;
}

std::string port_title(const PortForward& f, const std::string& profile_name) {
  return fill(tr("{who} can connect to {host} on {ports}, which the profile '{profile}' does not allow"),
              {{"who", who(f)}, {"host", host(f)}, {"ports", ports(f)}, {"profile", printable(profile_name, 40)}});
}

std::string port_why(bool upnp) {
  std::string why =
      tr("Whatever program answers on this port can be attacked from anywhere; if it has a flaw or a weak "
         "password, the device can be taken over.");
  return upnp ? then(why, tr("A device on your network opened this port itself, through UPnP.")) : why;
}

std::string allowed_title(const PortForward& f, const AllowedForward& a) {
  if (a.purpose.empty()) {
    return fill(tr("{ports} is open to {host}, as the profile allows"), {{"ports", ports(f)}, {"host", host(f)}});
  }
  return fill(tr("{ports} is open to {host}, as the profile allows ({purpose})"),
              {{"ports", ports(f)}, {"host", host(f)}, {"purpose", printable(a.purpose, 60)}});
}

std::string allowed_why(const Service* s) {
  if (s != nullptr) {
    return fill(tr("The profile expects this opening for {service}; check that it is still needed and that the "
                   "device behind it is kept up to date."),
                {{"service", trs(s->name)}});
  }
  return tr("The profile expects this opening; check that it is still needed and that the device behind it is "
            "kept up to date.");
}

std::string foreign_title(const PortForward& f, bool is_box) {
  return fill(is_box ? tr("A UPnP mapping sends {ports} to the box itself ({host})")
                      : tr("A UPnP mapping sends {ports} to {host}, an address outside your network"),
              {{"ports", ports(f)}, {"host", host(f)}});
}

std::string foreign_why(bool is_box) {
  return is_box ? tr("No device on your network needs to open the box's own ports through UPnP: this is the mark "
                    "of an attack that turns the box into a relay for strangers (UPnProxy). Delete it, then switch "
                    "UPnP off.")
                : tr("No device on your network has a reason to send traffic outside it: this is the mark of an "
                     "attack that turns the box into a relay for strangers (UPnProxy). Delete it, then switch UPnP off.");
}

std::string dmz_title(const Dmz& d, bool allowed) {
  std::string target = d.host.empty() ? std::string(tr("one device")) : host_for_title(d.host);
  if (allowed) {
    return fill(tr("The DMZ sends every connection from the Internet to {target}, as the profile allows"),
                {{"target", target}});
  }
  return fill(tr("Every port of {target} is open to the Internet (the box's DMZ mode sends everything to it)"),
              {{"target", target}});
}

std::string dmz_why(DataClass c, bool allowed) {
  if (allowed) {
    return tr("The profile expects the DMZ (for example towards your own router); every service on that "
              "device must be protected.");
  }
  std::string why =
      tr("In DMZ mode the box sends every incoming connection to this device, so every service on it "
         "(shared files, remote desktop, medical images) can be reached by anyone.");
  if (c == DataClass::health) {
    why = then(why, tr("A French doctor exposed patients' medical images this way in 2019 and was fined by the "
                       "CNIL (SAN-2020-014)."));
  }
  return why;
}

std::string upnp_title(bool allowed) {
  if (allowed) {
    return tr("UPnP is on, as the profile allows: devices on your network may open ports themselves");
  }
  return tr("UPnP is on: any program on your network can open ports to the Internet without asking");
}

std::string upnp_why(bool allowed) {
  if (allowed) {
    return tr("Every port they open is checked as its own finding.");
  }
  return tr("Malware or a hacked device can open ports silently, and attackers have used UPnP to add "
            "forwards on hundreds of thousands of boxes (UPnProxy); switching it off does not remove "
            "mappings already made, so they are deleted first.");
}

std::string admin_title(bool allowed) {
  if (allowed) {
    return tr("The box's administration page can be reached from the Internet, as the profile allows");
  }
  return tr("The box's administration page can be reached from the Internet");
}

std::string admin_why(bool allowed) {
  if (allowed) {
    return tr("Use a long unique password and keep the box's software up to date.");
  }
  return tr("Anyone can try passwords on it or use a flaw in the box's software to take it over; the NSA "
            "and CISA advise keeping administration to the local network.");
}

std::string isp_rule_why() {
  return tr("This rule belongs to your Internet provider, which uses it to manage the box remotely (TR-069): "
            "it leads to the box itself, not to a computer of yours. boxwarden leaves it; ask your provider "
            "whether it must stay open.");
}

std::string over_ipv6(const std::string& forward_title) {
  return fill(tr("Over IPv6: {title}"), {{"title", forward_title}});
}

std::string ipv6_why(bool upnp) {
  std::string why =
      tr("With IPv6, the Internet's new addresses, every computer has its own Internet address: this hole in the "
         "box's IPv6 firewall lets strangers reach it directly, with no port forward.");
  return upnp ? then(why, tr("A program on that computer opened the hole itself, through UPnP.")) : why;
}

std::string hidden_pinhole_title(const Pinhole& p) {
  return fill(tr("Over IPv6, a device opened a hole (#{id}) in the box's firewall through UPnP; the box does not "
                 "say which device or port"),
              {{"id", printable(p.id, 20)}});
}

std::string hidden_pinhole_why() {
  return tr("With IPv6 every computer has its own Internet address, and this hole lets strangers reach one of them "
            "directly. UPnP shows what such a hole opens only to the device that opened it, so the tool cannot tell "
            "whether it exposes patients' files, a remote desktop or nothing that matters; it does not assume it "
            "is harmless.");
}

std::string all_ports_pinhole_title(const Pinhole& p) {
  return fill(tr("Over IPv6, every port of {host} is open to the Internet"), {{"host", host_for_title(p.internal_host)}});
}

std::string ipv6_firewall_title(const std::string& level, bool allowed) {
  if (level.empty()) {
    return allowed ? tr("The box's IPv6 firewall is off, as the profile allows")
                   : tr("The box's IPv6 firewall is off: every computer on your network can be reached from the "
                        "Internet over IPv6");
  }
  return fill(allowed ? tr("The box's IPv6 firewall is at its lowest level ({level}), as the profile allows")
                      : tr("The box's IPv6 firewall is at its lowest level ({level}): every computer on your "
                           "network can be reached from the Internet over IPv6"),
              {{"level", printable(level, 20)}});
}

std::string ipv6_firewall_why(bool allowed) {
  if (allowed) {
    return tr("The profile expects it; every service on every device must then be protected on its own.");
  }
  return tr("With IPv6, the Internet's new addresses, every computer has its own Internet address and no port "
            "forward is needed: only this firewall keeps strangers out. With it off, every shared folder, remote "
            "desktop and imaging server on the network is open to anyone, as if every computer were in the DMZ.");
}

std::string ipv6_host_title(const Dmz& d, bool allowed) {
  std::string target = d.host.empty() ? std::string(tr("one device")) : host_for_title(d.host);
  if (allowed) {
    return fill(tr("Over IPv6, the box opens every port of {target} (exposed host), as the profile allows"),
                {{"target", target}});
  }
  return fill(tr("Over IPv6, every port of {target} is open to the Internet (the box's exposed host setting)"),
              {{"target", target}});
}

std::string unknown_title(const std::string& field, const std::vector<std::string>& apis) {
  std::string via;
  for (const std::string& api : apis) {
    via = via.empty() ? api_name(api) : fill(tr("{first} or {second}"), {{"first", via}, {"second", api_name(api)}});
  }
  if (via.empty()) {
    via = tr("the box's interfaces");
  }
  if (field == "dmz") {
    return fill(tr("The DMZ setting could not be read through {apis}: check it in the box's web interface"),
                {{"apis", via}});
  }
  if (field == "upnp_igd") {
    return fill(tr("Whether UPnP is on could not be read through {apis}: check it in the box's web interface"),
                {{"apis", via}});
  }
  if (field == "remote_admin") {
    return fill(tr("Whether the box's administration page can be reached from the Internet could not be read "
                   "through {apis}: check it in the box's web interface"),
                {{"apis", via}});
  }
  if (field == "static_port_forwards" || field == "port_forwards") {
    return fill(tr("The port forwards set up in the box's pages could not be read through {apis}: check them in "
                   "the box's web interface"),
                {{"apis", via}});
  }
  if (field == "ipv6_firewall") {
    return fill(tr("Whether the box's IPv6 firewall is on could not be read through {apis}: check it in the "
                   "box's web interface"),
                {{"apis", via}});
  }
  if (field == "ipv6_pinholes") {
    return fill(tr("The holes opened in the box's IPv6 firewall (pinholes) could not all be read through {apis}: "
                   "check it in the box's web interface"),
                {{"apis", via}});
  }
  return fill(tr("The setting '{field}' could not be read through {apis}: check it in the box's web interface"),
              {{"field", printable(field, 40)}, {"apis", via}});
}

std::string unknown_why(const std::string& field) {
  if (field == "dmz") {
    return tr("If the DMZ is on, every port of one computer is open to the Internet; the tool cannot tell, "
              "so it does not assume it is off.");
  }
  if (field == "upnp_igd") {
    return tr("If UPnP is on, any device on the network can open ports without asking; the tool cannot "
              "tell, so it does not assume it is off.");
  }
  if (field == "remote_admin") {
    return tr("If it is on, anyone can try passwords on the box; the tool cannot tell, so it does not "
              "assume it is off.");
  }
  if (field == "static_port_forwards" || field == "port_forwards") {
    return tr("UPnP shows only the ports devices opened themselves; a forward typed into the box's pages "
              "stays invisible to it and may expose a computer.");
  }
  if (field == "ipv6_firewall") {
    return tr("With IPv6 every computer has its own Internet address; if this firewall is off, all of them can be "
              "reached from the Internet. The tool cannot tell, so it does not assume it is on.");
  }
  if (field == "ipv6_pinholes") {
    return tr("With IPv6 every computer has its own Internet address; a hole opened for one of them in the box's "
              "pages (or by a program) exposes it with no port forward, and the tool could not list them all.");
  }
  return tr("The tool cannot tell whether this setting exposes anything, so it does not assume it is safe.");
}

}  // namespace bw::wording
