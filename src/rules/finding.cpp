// Findings as JSON, and counts over them. Field names are part of the JSON report
// contract (DESIGN.md): add fields, never rename or remove them.
#include "rules/finding.hpp"

#include "core/text.hpp"

namespace bw {

std::string_view to_string(SubjectKind k) {
  switch (k) {
    case SubjectKind::port_forward: return "port_forward";
    case SubjectKind::dmz: return "dmz";
    case SubjectKind::upnp_igd: return "upnp_igd";
    case SubjectKind::remote_admin: return "remote_admin";
    case SubjectKind::unknown_field: return "unknown_field";
    case SubjectKind::ipv6_pinhole: return "ipv6_pinhole";
    case SubjectKind::ipv6_firewall: return "ipv6_firewall";
    case SubjectKind::ipv6_exposed_host: return "ipv6_exposed_host";
  }
  return "unknown";
}

std::optional<SubjectKind> subject_kind_from_name(std::string_view name) {
  for (SubjectKind k : {SubjectKind::port_forward, SubjectKind::dmz, SubjectKind::upnp_igd, SubjectKind::remote_admin,
                        SubjectKind::unknown_field, SubjectKind::ipv6_pinhole, SubjectKind::ipv6_firewall,
                        SubjectKind::ipv6_exposed_host}) {
    if (to_string(k) == name) {
      return k;
    }
  }
  return std::nullopt;
}

namespace {

// Origins are box-chosen text: each made valid UTF-8 before it reaches the JSON.
std::vector<std::string> valid_origins(const std::vector<std::string>& origin) {
  std::vector<std::string> out;
  for (const std::string& o : origin) {
    out.push_back(valid_utf8(o));
  }
  return out;
}

}  // namespace

nlohmann::json to_json(const Subject& s) {
  nlohmann::json j = {{"kind", to_string(s.kind)}};
  if (s.kind == SubjectKind::port_forward && s.forward) {
    const PortForward& f = *s.forward;
    j["protocol"] = to_string(f.protocol);
    j["external_port"] = f.external_port;
    j["external_port_end"] = f.external_port_end;
    j["internal_host"] = valid_utf8(f.internal_host);
    j["internal_port"] = f.internal_port;
    j["description"] = valid_utf8(f.description);
    j["origin"] = valid_origins(f.origin);
  } else if ((s.kind == SubjectKind::dmz || s.kind == SubjectKind::ipv6_exposed_host) && s.dmz) {
    j["host"] = valid_utf8(s.dmz->host);
  } else if (s.kind == SubjectKind::ipv6_pinhole && s.pinhole) {
    const Pinhole& p = *s.pinhole;
    j["protocol"] = p.protocol_name();
    j["internal_host"] = valid_utf8(p.internal_host);
    j["port"] = p.port;
    j["port_end"] = p.port_end;
    j["id"] = valid_utf8(p.id);
    j["details_hidden"] = p.details_hidden;
    j["description"] = valid_utf8(p.description);
    j["origin"] = valid_origins(p.origin);
  } else if (s.kind == SubjectKind::ipv6_firewall) {
    j["field"] = "ipv6_firewall";
    if (!s.ipv6_level.empty()) {
      j["level"] = valid_utf8(s.ipv6_level);
    }
  } else if (s.kind != SubjectKind::port_forward && s.kind != SubjectKind::dmz &&
             s.kind != SubjectKind::ipv6_pinhole && s.kind != SubjectKind::ipv6_exposed_host) {
    j["field"] = valid_utf8(s.field.empty() ? std::string(to_string(s.kind)) : s.field);
  }
  return j;
}

nlohmann::json to_json(const Finding& f) {
  nlohmann::json j = {
      {"rule", f.rule},
      {"severity", to_string(f.severity)},
      {"title", valid_utf8(f.title)},
      {"why", valid_utf8(f.why)},
      {"subject", to_json(f.subject)},
      {"action", f.action},
      {"allowed", f.allowed},
  };
  // Null when no catalogued service is known (other subjects, ports the catalogue lacks).
  auto or_null = [](const std::string& v) { return v.empty() ? nlohmann::json(nullptr) : nlohmann::json(v); };
  j["service"] = or_null(f.service);
  j["service_id"] = or_null(f.service_id);
  j["data_at_risk"] = f.data_at_risk;
  j["service_class"] = or_null(f.service_class);
  return j;
}

FindingCounts count(const std::vector<Finding>& findings) {
  FindingCounts c;
  for (const Finding& f : findings) {
    switch (f.severity) {
      case Severity::critical: ++c.critical; break;
      case Severity::high: ++c.high; break;
      case Severity::medium: ++c.medium; break;
      case Severity::low: ++c.low; break;
      case Severity::info: ++c.info; break;
    }
  }
  return c;
}

bool any_at_or_above(const std::vector<Finding>& findings, Severity threshold) {
  for (const Finding& f : findings) {
    if (!f.allowed && f.severity >= threshold) {
      return true;
    }
  }
  return false;
}

}  // namespace bw
