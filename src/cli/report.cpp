#include "cli/report.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <ostream>

#include "cli/app.hpp"
#include "cli/document.hpp"
#include "core/box_id.hpp"
#include "core/i18n.hpp"
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


std::string outcome_name(Outcome o) {
  switch (o) {
    case Outcome::applied: return "applied";
    case Outcome::rolled_back: return "rolled-back";
    case Outcome::rollback_failed: return "rollback-failed";
    case Outcome::nothing_to_do: return "nothing-to-do";
    case Outcome::interrupted: return "interrupted";
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

std::string severity_label(Severity s) {
  switch (s) {
    case Severity::critical: return tr("CRITICAL");
    case Severity::high: return tr("HIGH");
    case Severity::medium: return tr("MEDIUM");
    case Severity::low: return tr("LOW");
    case Severity::info: return tr("INFO");
  }
  return "";
}

namespace {

// A list the writer produces entry by entry: `size` entries, entry i made by `item(i)`.
struct LazyArray {
  size_t size = 0;
  std::function<nlohmann::json(size_t)> item;
};
// The empty arrays of a skeleton document that stand for lazy lists, by address.
using LazyArrays = std::map<const nlohmann::json*, LazyArray>;

void write_indent(std::ostream& out, int depth) {
  for (int i = 0; i < depth; ++i) {
    out << "  ";
  }
}

// Writes `j` exactly as j.dump(2) would, at nesting `depth`, filling in the lazy arrays.
void write_json(std::ostream& out, const nlohmann::json& j, int depth, const LazyArrays& lazy) {
  const LazyArray* list = nullptr;
  if (auto it = lazy.find(&j); it != lazy.end()) {
    list = &it->second;
  }
  size_t n = list ? list->size : j.size();
  if (list || (j.is_array() && n > 0)) {
    if (n == 0) {
      out << "[]";
      return;
    }
    out << "[\n";
    for (size_t i = 0; i < n; ++i) {
      write_indent(out, depth + 1);
      if (list) {
        write_json(out, list->item(i), depth + 1, lazy);
      } else {
        write_json(out, j[i], depth + 1, lazy);  // by reference: lazy lists are found by address
      }
      out << (i + 1 < n ? ",\n" : "\n");
    }
    write_indent(out, depth);
    out << "]";
  } else if (j.is_object() && n > 0) {
    out << "{\n";
    size_t i = 0;
    for (auto m = j.begin(); m != j.end(); ++m, ++i) {
      write_indent(out, depth + 1);
      out << nlohmann::json(m.key()).dump() << ": ";
      write_json(out, m.value(), depth + 1, lazy);
      out << (i + 1 < n ? ",\n" : "\n");
    }
    write_indent(out, depth);
    out << "}";
  } else {
    out << j.dump();
  }
}

nlohmann::json finding_json(const Finding& f) {
  nlohmann::json j = to_json(f);
  clean(j);
  return j;
}

// The report without its long lists: they are empty arrays here, named in `add_lazy`.
nlohmann::json skeleton(const Report& r) {
  const RouterState& s = r.state;
  nlohmann::json state = to_json(s, false);
  state.erase("vendor_data");
  for (const char* key : {"dmz", "ipv6_exposed_host"}) {
    if (state[key].is_object()) {
      state[key].erase("vendor_data");
    }
  }
  for (auto& p : state["ipv6_pinholes"]) {
    p.erase("vendor_data");
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
  // The serial or UDN itself never leaves the process: only its hash, null when unknown.
  auto id = box_id(s.box_identity);
  gateway["box_id"] = id ? nlohmann::json(*id) : nlohmann::json(nullptr);
  nlohmann::json j = {
      {"tool", {{"name", "boxwarden"}, {"version", BOXWARDEN_VERSION}}},
      {"command", r.command},
      {"profile", r.profile},
      {"gateway", std::move(gateway)},
      {"state", std::move(state)},
      {"findings", nlohmann::json::array()},
      {"plan", nlohmann::json::array()},
      {"summary", summary_json(r.findings)},
  };
  stamp(j, r.site, r.generated_at);
  if (r.drift) {
    j["drift"] = to_json(*r.drift);
  }
  if (r.execution) {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& st : r.execution->steps) {
      steps.push_back({{"summary", st.summary}, {"ok", st.ok}, {"error", st.error}});
    }
    j["fix"] = {{"outcome", outcome_name(r.execution->outcome)},
                {"steps", std::move(steps)},
                {"failure", r.execution->failure.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.execution->failure)},
                {"backup", r.backup_path.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.backup_path)}};
    if (r.findings_after) {
      j["fix"]["findings_after"] = nlohmann::json::array();
      j["fix"]["summary_after"] = summary_json(*r.findings_after);
    }
  }
  clean(j);
  return j;
}

// Names the arrays of `skel` (which must no longer move) that stand for the report's lists.
void add_lazy(LazyArrays& lazy, const nlohmann::json& skel, const Report& r, Box* dry_run_box) {
  const RouterState& s = r.state;
  lazy[&skel["state"]["port_forwards"]] = {s.port_forwards.size(), [&s](size_t i) {
    nlohmann::json f = to_json(s.port_forwards[i]);
    f.erase("vendor_data");
    clean(f);
    return f;
  }};
  lazy[&skel["findings"]] = {r.findings.size(), [&r](size_t i) { return finding_json(r.findings[i]); }};
  lazy[&skel["plan"]] = {r.plan.size(), [&r, dry_run_box](size_t i) {
    nlohmann::json a = to_json(r.plan[i]);
    a.erase("target_forward");
    a.erase("target_dmz");
    a.erase("target_pinhole");
    a.erase("target_ipv6_level");
    if (dry_run_box) {
      nlohmann::json sends = nlohmann::json::array();
      if (r.plan[i].automatic) {
        for (const auto& req : dry_run_box->rehearse(r.plan[i])) {
          sends.push_back(req);
        }
      }
      a["would_send"] = std::move(sends);
    }
    clean(a);
    return a;
  }};
  if (r.findings_after && skel.contains("fix")) {
    const auto& after = *r.findings_after;
    lazy[&skel["fix"]["findings_after"]] = {after.size(), [&after](size_t i) { return finding_json(after[i]); }};
  }
}

}  // namespace

void print_json(std::ostream& out, const std::vector<const Report*>& reports, Box* dry_run_box) {
  nlohmann::json doc = nlohmann::json::array();
  for (const Report* r : reports) {
    doc.push_back(skeleton(*r));
    if (dry_run_box) {
      doc.back()["dry_run"] = true;
    }
  }
  LazyArrays lazy;
  for (size_t i = 0; i < reports.size(); ++i) {
    add_lazy(lazy, doc[i], *reports[i], dry_run_box);
  }
  write_json(out, reports.size() == 1 ? doc[0] : doc, 0, lazy);
  out << "\n";
}

void print_json(std::ostream& out, const Report& r, Box* dry_run_box) {
  print_json(out, std::vector<const Report*>{&r}, dry_run_box);
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
    out << fill(tr("Nothing the {profile} profile forbids is open to the Internet (as far as the box lets us see)."),
                {{"profile", r.profile}})
        << "\n";
  } else {
    out << tr("What your box opens to the Internet:") << "\n";
    for (const Finding* f : exposed) {
      std::string sev = severity_label(f->severity);
      out << "  " << app.paint(sev, severity_colour(f->severity)) << "  "
          << wrap(printable(f->title, 300), 4 + sev.size(), 6) << "\n";
      std::string why_label = tr("Why it matters:");
      out << "      " << why_label << " " << wrap(printable(f->why, 1000), 7 + why_label.size(), 6) << "\n";
      if (f->subject.forward && !f->subject.forward->description.empty()) {
        out << "      " << fill(tr("Label on the box: \"{label}\""), {{"label", printable(f->subject.forward->description, 60)}})
            << "\n";
      }
    }
    // The data sentence (GDPR) once for all the openings it concerns, not under each of them.
    bool data = std::any_of(exposed.begin(), exposed.end(), [](const Finding* f) { return f->data_at_risk; });
    if (data && !r.data_reason.empty()) {
      out << "\n  " << wrap(r.data_reason, 2, 2) << "\n";
    }
  }
  if (!allowed.empty()) {
    out << "\n" << tr("Expected or harmless:") << "\n";
    for (const Finding* f : allowed) {
      out << "  " << severity_label(f->severity) << "  " << printable(f->title, 200) << "\n";
    }
  }
  if (!unknown.empty()) {
    out << "\n" << tr("What boxwarden could not read (unknown is not safe; check by hand):") << "\n";
    for (const Finding* f : unknown) {
      std::string sev = severity_label(f->severity);
      out << "  " << app.paint(sev, severity_colour(f->severity)) << "  "
          << wrap(printable(f->title, 300), 4 + sev.size(), 6) << "\n";
    }
  }
}

void print_plan_text(App& app, const std::vector<Action>& plan, bool dry_run, Box* box) {
  auto& out = app.out();
  if (plan.empty()) {
    out << "\n" << tr("Nothing to do.") << "\n";
    return;
  }
  out << "\n" << tr("What boxwarden will do:") << "\n";
  int n = 1;
  for (const auto& a : plan) {
    if (!a.automatic) {
      continue;
    }
    out << "  " << n++ << ". " << printable(a.summary, 200) << "\n";
    if (dry_run && box != nullptr) {
      for (const auto& req : box->rehearse(a)) {
        out << "       " << fill(tr("would send: {request}"), {{"request", printable(req, 400)}}) << "\n";
      }
    }
  }
  if (n == 1) {
    out << "  " << tr("nothing automatically: this box does not let boxwarden change these settings.") << "\n";
  }
  bool header = false;
  for (const auto& a : plan) {
    if (a.automatic) {
      continue;
    }
    if (!header) {
      out << "\n" << tr("What you must do by hand (boxwarden cannot do it on this box):") << "\n";
      header = true;
    }
    out << "  - " << wrap(printable(a.summary, 300), 4, 6) << "\n      " << wrap(printable(a.manual_steps, 600), 6, 6)
        << "\n";
  }
}

void print_text(App& app, const Report& r, Box* dry_run_box) {
  auto& out = app.out();
  const RouterState& s = r.state;
  std::string apis;
  for (size_t i = 0; i < s.apis.size(); ++i) {
    apis = i == 0 ? s.apis[i] : fill(tr("{first} and {second}"), {{"first", apis}, {"second", s.apis[i]}});
  }
  std::string model = s.model.empty() ? std::string(tr("model unknown")) : printable(s.model, 60);
  out << (s.firmware.empty()
              ? fill(tr("Box {address} ({model}), read through {apis}"),
                     {{"address", s.address}, {"model", model}, {"apis", apis}})
              : fill(tr("Box {address} ({model}, firmware {firmware}), read through {apis}"),
                     {{"address", s.address}, {"model", model}, {"firmware", printable(s.firmware, 40)}, {"apis", apis}}))
      << "\n";
  out << fill(tr("Internet address: {address}"),
              {{"address", s.external_ip.empty() ? std::string(tr("unknown")) : printable(s.external_ip, 45)}})
      << "\n";
  out << fill(tr("Profile: {profile} - {summary}"), {{"profile", r.profile}, {"summary", printable(r.profile_summary.empty() ? "" : tr(r.profile_summary.c_str()), 200)}})
      << "\n\n";
  print_findings_text(app, r, r.findings);
  if (r.drift) {
    print_drift_text(out, *r.drift);
  }
  if (r.command != "audit") {
    print_plan_text(app, r.plan, dry_run_box != nullptr, dry_run_box);
  }
  auto c = count(r.findings);
  out << "\n"
      << fill(tr("Summary: {critical} critical, {high} high, {medium} medium, {low} low, {info} info."),
              {{"critical", std::to_string(c.critical)}, {"high", std::to_string(c.high)},
               {"medium", std::to_string(c.medium)}, {"low", std::to_string(c.low)}, {"info", std::to_string(c.info)}})
      << "\n";
}

}  // namespace bw::cli
