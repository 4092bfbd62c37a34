// A finding: one thing the box exposes that the profile does not allow (or cannot
// be checked), with a stable rule id, a severity and plain-words title and why.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/router_state.hpp"
#include "core/severity.hpp"

namespace bw {

// What a finding is about; also what an action changes.
enum class SubjectKind {
  port_forward,
  dmz,
  upnp_igd,
  remote_admin,
  unknown_field,
  ipv6_pinhole,
  ipv6_firewall,
  ipv6_exposed_host,
};
std::optional<SubjectKind> subject_kind_from_name(std::string_view name);
std::string_view to_string(SubjectKind k);

struct Subject {
  SubjectKind kind = SubjectKind::port_forward;
  std::optional<PortForward> forward;  // port_forward
  std::optional<Dmz> dmz;              // dmz, ipv6_exposed_host
  std::string field;                   // unknown_field: "dmz", "remote_admin", ...
  std::optional<Pinhole> pinhole;      // ipv6_pinhole
  std::string ipv6_level;              // ipv6_firewall: the box's level as read ("" without levels)
};

struct Finding {
  std::string rule;   // stable id: EXPOSE-SERVICE, EXPOSE-PORT, EXPOSE-DMZ, ...
  Severity severity = Severity::info;
  std::string title;  // one line a practitioner understands
  std::string why;    // one line: why it matters
  Subject subject;
  // What the plan does about it, as the plan names it: a change ("delete-port-forward"),
  // "manual" (a person must act; the plan says how) or "none" (allowed, or noted only).
  std::string action = "none";
  bool allowed = false;  // an expected opening the profile names (reported as info)
  // For forwards: the catalogued service judged ("DICOM (medical imaging)"), its class id
  // ("health") and its id ("dicom"); "" when the port is not in the catalogue or for other subjects.
  std::string service;
  std::string service_class;
  std::string service_id;  // the catalogue's stable id ("dicom"); "" with `service`
  // The profile's data reason (wording::data_reason: patients' data, GDPR) applies to it; the
  // text report says that sentence once for all the findings, not under each (not in JSON).
  bool data_at_risk = false;
};

nlohmann::json to_json(const Subject& s);
nlohmann::json to_json(const Finding& f);

struct FindingCounts {
  int critical = 0, high = 0, medium = 0, low = 0, info = 0;
};
FindingCounts count(const std::vector<Finding>& findings);
// True when a finding the profile does not allow is at or above `threshold`.
bool any_at_or_above(const std::vector<Finding>& findings, Severity threshold);

}  // namespace bw
