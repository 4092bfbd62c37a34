#include "cli/report.hpp"

#include <algorithm>

#include "cli/app.hpp"
#include "core/text.hpp"
#include "discovery/box.hpp"

namespace bw::cli {

namespace {

// Hostile text from the box must still make valid UTF-8 JSON: fixed in place, no copies.
void clean(nlohmann::json& j) {
  if (j.is_string()) {
    j = valid_utf8(j.get_ref<const std::string&>());
  } else if (j.is_array() || j.is_object()) {
    for (auto& value : j) {
      clean(value);
    }
  }
}

nlohmann::json findings_json(const std::vector<Finding>& fs) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& f : fs) {
    a.push_back(to_json(f));
  }
  return a;
}

nlohmann::json summary_json(const std::vector<Finding>& fs) {
  auto c = count(fs);
  return {{"critical", c.critical}, {"high", c.high}, {"medium", c.medium}, {"low", c.low}, {"info", c.info}};
}

const char* severity_colour(Severity s) {
  switch (s) {
    case Severity::critical: return "1;31";
    case Severity::high: return "31";
    case Severity::medium: return "33";
    case Severity::low: return "36";
    case Severity::info: return "2";
  }
  return "0";
}

std::string upper(std::string_view s) {
  std::string u(s);
  std::transform(u.begin(), u.end(), u.begin(), [](unsigned char c) { return std::toupper(c); });
  return u;
}

std::string outcome_name(Outcome o) {
  switch (o) {
    case Outcome::applied: return "applied";
    case Outcome::rolled_back: return "rolled-back";
    case Outcome::rollback_failed: return "rollback-failed";
    case Outcome::nothing_to_do: return "nothing-to-do";
  }
  return "";
}

// Wraps already-printable text at `width` columns; the first line starts at column
// `first_col`, continuation lines are indented by `indent`.
std::string wrap(const std::string& text, size_t first_col, size_t indent, size_t width = 100) {
  std::string out;
  size_t col = first_col;
  bool line_start = true;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = std::min(text.find(' ', pos), text.size());
    std::string word = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line_start && col + 1 + word.size() > width) {
      out += "\n" + std::string(indent, ' ');
      col = indent;
      line_start = true;
    }
    if (!line_start) {
      out += ' ';
      ++col;
    }
    out += word;
    col += word.size();
    line_start = false;
  }
  return out;
}

}  // namespace

nlohmann::json to_json(const Report& r) {
  const RouterState& s = r.state;
  nlohmann::json state = to_json(s);
  for (auto& f : state["port_forwards"]) {
    f.erase("vendor_data");
  }
  state.erase("vendor_data");
  if (state["dmz"].is_object()) {
    state["dmz"].erase("vendor_data");
  }
  nlohmann::json gateway = {
      {"address", s.address},
      {"vendor", s.vendor},
      {"model", s.model},
      {"firmware", s.firmware},
      {"external_ip", s.external_ip.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.external_ip)},
      {"apis", s.apis},
      {"found_by", r.found.gateway_source},
      {"natpmp", r.found.natpmp_external_ip.has_value()},
  };
  nlohmann::json plan = nlohmann::json::array();
  for (const auto& a : r.plan) {
    nlohmann::json j = to_json(a);
    j.erase("target_forward");
    j.erase("target_dmz");
    plan.push_back(j);
  }
  nlohmann::json j = {
      {"tool", {{"name", "boxwarden"}, {"version", BOXWARDEN_VERSION}}},
      {"command", r.command},
      {"profile", r.profile},
      {"gateway", gateway},
      {"state", state},
      {"findings", findings_json(r.findings)},
      {"plan", plan},
      {"summary", summary_json(r.findings)},
  };
  if (r.execution) {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& st : r.execution->steps) {
      steps.push_back({{"summary", st.summary}, {"ok", st.ok}, {"error", st.error}});
    }
    j["fix"] = {{"outcome", outcome_name(r.execution->outcome)},
                {"steps", steps},
                {"failure", r.execution->failure.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.execution->failure)},
                {"backup", r.backup_path.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.backup_path)}};
    if (r.findings_after) {
      j["fix"]["findings_after"] = findings_json(*r.findings_after);
      j["fix"]["summary_after"] = summary_json(*r.findings_after);
    }
  }
  clean(j);
  return j;
}

nlohmann::json to_json_dry_run(const Report& r, const Box& box) {
  nlohmann::json j = to_json(r);
  for (size_t i = 0; i < r.plan.size() && i < j["plan"].size(); ++i) {
    nlohmann::json sends = nlohmann::json::array();
    if (r.plan[i].automatic) {
      for (const auto& req : box.describe(r.plan[i])) {
        sends.push_back(valid_utf8(req));
      }
    }
    j["plan"][i]["would_send"] = sends;
  }
  j["dry_run"] = true;
  return j;
}

void print_findings_text(App& app, const Report& r, const std::vector<Finding>& findings) {
  auto& out = app.out();
  std::vector<const Finding*> exposed, allowed, unknown;
  for (const auto& f : findings) {
    if (f.allowed || f.severity == Severity::info) {
      allowed.push_back(&f);
    } else if (f.subject.kind == SubjectKind::unknown_field) {
      unknown.push_back(&f);
    } else {
      exposed.push_back(&f);
    }
  }
  if (exposed.empty()) {
    out << "Nothing the " << r.profile << " profile forbids is open to the Internet (as far as the box lets us see).\n";
  } else {
    out << "What your box opens to the Internet:\n";
    for (const Finding* f : exposed) {
      std::string sev = upper(to_string(f->severity));
      out << "  " << app.paint(sev, severity_colour(f->severity)) << "  "
          << wrap(printable(f->title, 300), 4 + sev.size(), 6) << "\n";
      out << "      Why it matters: " << wrap(printable(f->why, 1000), 22, 6) << "\n";
      if (f->subject.forward && !f->subject.forward->description.empty()) {
        out << "      Label on the box: \"" << printable(f->subject.forward->description, 60) << "\"\n";
      }
    }
  }
  if (!allowed.empty()) {
    out << "\nExpected or harmless:\n";
    for (const Finding* f : allowed) {
      out << "  " << upper(to_string(f->severity)) << "  " << printable(f->title, 200) << "\n";
    }
  }
  if (!unknown.empty()) {
    out << "\nWhat boxwarden could not read (unknown is not safe; check by hand):\n";
    for (const Finding* f : unknown) {
      std::string sev = upper(to_string(f->severity));
      out << "  " << app.paint(sev, severity_colour(f->severity)) << "  "
          << wrap(printable(f->title, 300), 4 + sev.size(), 6) << "\n";
    }
  }
}

void print_plan_text(App& app, const std::vector<Action>& plan, bool dry_run, const Box* box) {
  auto& out = app.out();
  if (plan.empty()) {
    out << "\nNothing to do.\n";
    return;
  }
  out << "\nWhat boxwarden will do:\n";
  int n = 1;
  for (const auto& a : plan) {
    if (!a.automatic) {
      continue;
    }
    out << "  " << n++ << ". " << printable(a.summary, 200) << "\n";
    if (dry_run && box != nullptr) {
      for (const auto& req : box->describe(a)) {
        out << "       would send: " << printable(req, 400) << "\n";
      }
    }
  }
  if (n == 1) {
    out << "  nothing automatically: this box does not let boxwarden change these settings.\n";
  }
  bool header = false;
  for (const auto& a : plan) {
    if (a.automatic) {
      continue;
    }
    if (!header) {
      out << "\nWhat you must do by hand (boxwarden cannot do it on this box):\n";
      header = true;
    }
    out << "  - " << wrap(printable(a.summary, 300), 4, 6) << "\n      " << wrap(printable(a.manual_steps, 600), 6, 6)
        << "\n";
  }
}

void print_text(App& app, const Report& r, const Box* dry_run_box) {
  auto& out = app.out();
  const RouterState& s = r.state;
  out << "Box " << s.address << " (" << printable(s.model.empty() ? std::string("model unknown") : s.model, 60);
  if (!s.firmware.empty()) {
    out << ", firmware " << printable(s.firmware, 40);
  }
  out << "), read through ";
  for (size_t i = 0; i < s.apis.size(); ++i) {
    out << (i ? " and " : "") << s.apis[i];
  }
  out << "\nInternet address: " << (s.external_ip.empty() ? "unknown" : printable(s.external_ip, 45)) << "\n";
  out << "Profile: " << r.profile << " - " << printable(r.profile_summary, 200) << "\n\n";
  print_findings_text(app, r, r.findings);
  if (r.command != "audit") {
    print_plan_text(app, r.plan, dry_run_box != nullptr, dry_run_box);
  }
  auto c = count(r.findings);
  out << "\nSummary: " << c.critical << " critical, " << c.high << " high, " << c.medium << " medium, "
      << c.low << " low, " << c.info << " info.\n";
}

}  // namespace bw::cli
