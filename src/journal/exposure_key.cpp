#include "journal/exposure_key.hpp"

#include "core/text.hpp"

namespace bw {

namespace {

// Text from the box, bounded and made printable: a key is written to the journal and shown.
std::string part(const std::string& s) {
  return printable(s, 100);
}

}  // namespace

std::string exposure_key(const std::string& rule, const Subject& s) {
  std::string key = rule + "|" + std::string(to_string(s.kind));
  switch (s.kind) {
    case SubjectKind::port_forward:
      if (s.forward) {
        key += "|" + s.forward->key() + "|" + part(s.forward->internal_host);
      }
      break;
    case SubjectKind::dmz:
    case SubjectKind::ipv6_exposed_host:
      if (s.dmz) {
        key += "|" + part(s.dmz->host);
      }
      break;
    case SubjectKind::ipv6_pinhole:
      if (s.pinhole) {
        key += "|" + part(s.pinhole->key());
      }
      break;
    case SubjectKind::unknown_field:
      key += "|" + part(s.field);
      break;
    case SubjectKind::upnp_igd:
    case SubjectKind::remote_admin:
    case SubjectKind::ipv6_firewall:
      break;
  }
  return key;
}

std::string exposure_key(const Finding& f) {
  return exposure_key(f.rule, f.subject);
}

std::string machine_of_key(const std::string& key) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t bar = key.find('|', start);
    parts.push_back(key.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (bar == std::string::npos) {
      break;
    }
    start = bar + 1;
  }
  if (parts.size() >= 4 && parts[1] == "port_forward") {
    return parts[3];
  }
  if (parts.size() >= 3 && (parts[1] == "dmz" || parts[1] == "ipv6_exposed_host")) {
    return parts[2];
  }
  return "";
}

}  // namespace bw
