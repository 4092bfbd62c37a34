// Finding sentences; see wording.hpp.
#include "rules/wording.hpp"

#include <algorithm>

#include "core/text.hpp"
#include "rules/text_util.hpp"

namespace bw::wording {
namespace {

// "Anyone on the Internet" unless the forward only accepts one source address.
std::string who(const PortForward& f) {
  if (f.remote_host.empty()) {
    return "Anyone on the Internet";
  }
  return "The Internet address " + host_for_title(f.remote_host);
}

std::string host(const PortForward& f) {
  return host_for_title(f.internal_host);
}

// Joins two sentences; `second` may be empty.
std::string then(const std::string& first, const std::string& second) {
  return second.empty() ? first : first + " " + second;
}

std::string api_name(const std::string& id) {
  if (id.rfind("upnp", 0) == 0) {
    return "UPnP";  // the standard protocol's plugins, named by it
  }
  return "the " + printable(id, 24) + " interface";
}

}  // namespace

std::string ports(const PortForward& f) {
  uint16_t last = std::max(f.external_port, f.external_port_end);
  std::string text = std::string(to_string(f.protocol));
  text += last == f.external_port ? " port " + std::to_string(f.external_port)
                                  : " ports " + std::to_string(f.external_port) + "-" + std::to_string(last);
  if (f.internal_port != 0 && f.internal_port != f.external_port) {
    text += " (sent to its port " + std::to_string(f.internal_port) + ")";
  }
  return text;
}

std::string data_reason(DataClass c) {
  switch (c) {
    case DataClass::health:
      return "Patients' health data (GDPR Art. 9) on this network could be read by strangers: the law "
             "requires it to be protected (Art. 32) and a breach to be notified within 72 hours (Art. 33).";
    case DataClass::business:
      return "Customers' and staff's personal data (GDPR) on this network could be read by strangers.";
    case DataClass::personal:
      return "";
  }
  return "";
}

std::string service_title(const PortForward& f, const Service& s, std::size_t other_services) {
  std::string title = who(f) + " can connect to " + std::string(s.phrase);
  if (other_services > 0) {
    title += " and " + std::to_string(other_services) + " other service" + (other_services > 1 ? "s" : "");
  }
  return title + " on " + host(f) + ", " + ports(f);
}

std::string service_why(const Service& s, bool upnp) {
  std::string why = std::string(s.why) + ".";
  return upnp ? then(why, "A device on your network opened this port itself, through UPnP.") : why;
}

std::string port_title(const PortForward& f, const std::string& profile_name) {
  return who(f) + " can connect to " + host(f) + " on " + ports(f) + ", which the profile '" +
         printable(profile_name, 40) + "' does not allow";
}

std::string port_why(bool upnp) {
  std::string why =
      "Whatever program answers on this port can be attacked from anywhere; if it has a flaw or a weak "
      "password, the device can be taken over.";
  return upnp ? then(why, "A device on your network opened this port itself, through UPnP.") : why;
}

std::string allowed_title(const PortForward& f, const AllowedForward& a) {
  std::string title = ports(f) + " is open to " + host(f) + ", as the profile allows";
  return a.purpose.empty() ? title : title + " (" + printable(a.purpose, 60) + ")";
}

std::string allowed_why(const Service* s) {
  std::string why = "The profile expects this opening";
  if (s != nullptr) {
    why += " for " + std::string(s->name);
  }
  return why + "; check that it is still needed and that the device behind it is kept up to date.";
}

std::string foreign_title(const PortForward& f, bool is_box) {
  std::string target = is_box ? "the box itself (" + host(f) + ")" : host(f) + ", an address outside your network";
  return "A UPnP mapping sends " + ports(f) + " to " + target;
}

std::string foreign_why(bool is_box) {
  return std::string(is_box ? "No device on your network needs to open the box's own ports through UPnP: "
                            : "No device on your network has a reason to send traffic outside it: ") +
         "this is the mark of an attack that turns the box into a relay for strangers (UPnProxy). "
         "Delete it, then switch UPnP off.";
}

std::string dmz_title(const Dmz& d, bool allowed) {
  std::string target = d.host.empty() ? "one device" : host_for_title(d.host);
  if (allowed) {
    return "The DMZ sends every connection from the Internet to " + target + ", as the profile allows";
  }
  return "Every port of " + target + " is open to the Internet (the box's DMZ mode sends everything to it)";
}

std::string dmz_why(DataClass c, bool allowed) {
  if (allowed) {
    return "The profile expects the DMZ (for example towards your own router); every service on that "
           "device must be protected.";
  }
  std::string why =
      "In DMZ mode the box sends every incoming connection to this device, so every service on it "
      "(shared files, remote desktop, medical images) can be reached by anyone.";
  if (c == DataClass::health) {
    why += " A French doctor exposed patients' medical images this way in 2019 and was fined by the "
           "CNIL (SAN-2020-014).";
  }
  return then(why, data_reason(c));
}

std::string upnp_title(bool allowed) {
  if (allowed) {
    return "UPnP is on, as the profile allows: devices on your network may open ports themselves";
  }
  return "UPnP is on: any program on your network can open ports to the Internet without asking";
}

std::string upnp_why(bool allowed) {
  if (allowed) {
    return "Every port they open is checked as its own finding.";
  }
  return "Malware or a hacked device can open ports silently, and attackers have used UPnP to add "
         "forwards on hundreds of thousands of boxes (UPnProxy); switching it off does not remove "
         "mappings already made, so they are deleted first.";
}

std::string admin_title(bool allowed) {
  if (allowed) {
    return "The box's administration page can be reached from the Internet, as the profile allows";
  }
  return "The box's administration page can be reached from the Internet";
}

std::string admin_why(bool allowed) {
  if (allowed) {
    return "Use a long unique password and keep the box's software up to date.";
  }
  return "Anyone can try passwords on it or use a flaw in the box's software to take it over; the NSA "
         "and CISA advise keeping administration to the local network.";
}

std::string over_ipv6(const std::string& forward_title) {
  std::string t = forward_title;
  if (t.rfind("Anyone", 0) == 0 || t.rfind("The Internet", 0) == 0) {
    t[0] = static_cast<char>(t[0] - 'A' + 'a');
  }
  return "Over IPv6, " + t;
}

std::string ipv6_why(bool upnp) {
  std::string why =
      "With IPv6, the Internet's new addresses, every computer has its own Internet address: this hole in the "
      "box's IPv6 firewall lets strangers reach it directly, with no port forward.";
  return upnp ? then(why, "A program on that computer opened the hole itself, through UPnP.") : why;
}

std::string hidden_pinhole_title(const Pinhole& p) {
  return "Over IPv6, a device opened a hole (#" + printable(p.id, 20) +
         ") in the box's firewall through UPnP; the box does not say which device or port";
}

std::string hidden_pinhole_why() {
  return "With IPv6 every computer has its own Internet address, and this hole lets strangers reach one of them "
         "directly. UPnP shows what such a hole opens only to the device that opened it, so the tool cannot tell "
         "whether it exposes patients' files, a remote desktop or nothing that matters; it does not assume it "
         "is harmless.";
}

std::string all_ports_pinhole_title(const Pinhole& p) {
  return "Over IPv6, every port of " + host_for_title(p.internal_host) + " is open to the Internet";
}

std::string ipv6_firewall_title(const std::string& level, bool allowed) {
  std::string state = level.empty() ? "off" : "at its lowest level (" + printable(level, 20) + ")";
  if (allowed) {
    return "The box's IPv6 firewall is " + state + ", as the profile allows";
  }
  return "The box's IPv6 firewall is " + state + ": every computer on your network can be reached from the "
         "Internet over IPv6";
}

std::string ipv6_firewall_why(DataClass c, bool allowed) {
  if (allowed) {
    return "The profile expects it; every service on every device must then be protected on its own.";
  }
  std::string why =
      "With IPv6, the Internet's new addresses, every computer has its own Internet address and no port forward "
      "is needed: only this firewall keeps strangers out. With it off, every shared folder, remote desktop and "
      "imaging server on the network is open to anyone, as if every computer were in the DMZ.";
  return then(why, data_reason(c));
}

std::string ipv6_host_title(const Dmz& d, bool allowed) {
  std::string target = d.host.empty() ? "one device" : host_for_title(d.host);
  if (allowed) {
    return "Over IPv6, the box opens every port of " + target + " (exposed host), as the profile allows";
  }
  return "Over IPv6, every port of " + target + " is open to the Internet (the box's exposed host setting)";
}

std::string unknown_title(const std::string& field, const std::vector<std::string>& apis) {
  std::string through;
  for (const std::string& api : apis) {
    through += (through.empty() ? " through " : " or ") + api_name(api);
  }
  std::string check = ": check it in the box's web interface";
  if (field == "dmz") {
    return "The DMZ setting could not be read" + through + check;
  }
  if (field == "upnp_igd") {
    return "Whether UPnP is on could not be read" + through + check;
  }
  if (field == "remote_admin") {
    return "Whether the box's administration page can be reached from the Internet could not be read" +
           through + check;
  }
  if (field == "static_port_forwards" || field == "port_forwards") {
    return "The port forwards set up in the box's pages could not be read" + through +
           ": check them in the box's web interface";
  }
  if (field == "ipv6_firewall") {
    return "Whether the box's IPv6 firewall is on could not be read" + through + check;
  }
  if (field == "ipv6_pinholes") {
    return "The holes opened in the box's IPv6 firewall (pinholes) could not all be read" + through + check;
  }
  return "The setting '" + printable(field, 40) + "' could not be read" + through + check;
}

std::string unknown_why(const std::string& field) {
  if (field == "dmz") {
    return "If the DMZ is on, every port of one computer is open to the Internet; the tool cannot tell, "
           "so it does not assume it is off.";
  }
  if (field == "upnp_igd") {
    return "If UPnP is on, any device on the network can open ports without asking; the tool cannot "
           "tell, so it does not assume it is off.";
  }
  if (field == "remote_admin") {
    return "If it is on, anyone can try passwords on the box; the tool cannot tell, so it does not "
           "assume it is off.";
  }
  if (field == "static_port_forwards" || field == "port_forwards") {
    return "UPnP shows only the ports devices opened themselves; a forward typed into the box's pages "
           "stays invisible to it and may expose a computer.";
  }
  if (field == "ipv6_firewall") {
    return "With IPv6 every computer has its own Internet address; if this firewall is off, all of them can be "
           "reached from the Internet. The tool cannot tell, so it does not assume it is on.";
  }
  if (field == "ipv6_pinholes") {
    return "With IPv6 every computer has its own Internet address; a hole opened for one of them in the box's "
           "pages (or by a program) exposes it with no port forward, and the tool could not list them all.";
  }
  return "The tool cannot tell whether this setting exposes anything, so it does not assume it is safe.";
}

}  // namespace bw::wording
