// `boxwarden breach`: a draft of the facts GDPR Art. 33(3) asks for in a personal data breach
// notification, from the journal: the nature of each exposure (service, machine, data
// category), since when at least it was open, when it was closed and verified, the measures
// taken; and marked blanks for what only the person knows. Not legal advice: it says so, and
// says where and when the notification is made.
#include <algorithm>

#include <boost/program_options.hpp>

#include "cli/app.hpp"
#include "cli/breach_html.hpp"
#include "cli/command.hpp"
#include "cli/document.hpp"
#include "cli/journal_run.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/text.hpp"
#include "journal/exposure_key.hpp"
#include "journal/history.hpp"
#include "rules/profile.hpp"

namespace bw::cli {

namespace po = boost::program_options;

namespace {

std::string& key_opt() {
  static std::string key;
  return key;
}

struct Blank {
  const char* field;
  const char* what;  // N_(): translated where printed
};

const Blank k_blanks[] = {
    {"became_aware_at", N_("when you became aware of the breach (the 72 hours run from then)")},
    {"people_concerned", N_("the approximate number of people whose data is concerned")},
    {"records_concerned", N_("the approximate number of records concerned")},
    {"contact_point", N_("the name and contact details of your data protection officer or other contact point")},
    {"likely_consequences", N_("the likely consequences of the breach for the people concerned")},
    {"measures_proposed", N_("any further measures you will take to address the breach or limit its effects")},
};

const char* legal_notice() {
  return tr("This is a draft of facts taken from boxwarden's journal, not legal advice. A personal data breach "
            "that is a risk to people's rights is notified to the CNIL on its online notification service within "
            "72 hours of becoming aware of it (GDPR Art. 33); information not yet known may be given later. "
            "Every breach, notified or not, is documented (Art. 33(5)).");
}

std::string to_fill(const char* what) {
  return fill(tr("[TO FILL IN: {what}]"), {{"what", tr(what)}});
}

nlohmann::json nullable(const std::string& s) {
  return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(valid_utf8(s));
}

std::string data_category(const std::string& profile) {
  try {
    return std::string(to_string(load_profile(profile).data_class));
  } catch (const std::exception&) {
    return "";  // the profile is gone: a blank, not a guess
  }
}

std::string data_category_words(const std::string& category) {
  if (category == "health") {
    return tr("health data (GDPR Art. 9)");
  }
  if (category == "business") {
    return tr("business data, possibly with personal data");
  }
  if (category == "personal") {
    return tr("personal data");
  }
  return to_fill(N_("the categories of personal data concerned"));
}

// The catalogue's service id the journal gave the exposure (its latest record that has one).
std::string service_of(const std::vector<JournalRecord>& records, const std::string& key) {
  std::string service;
  for (const auto& r : records) {
    for (const auto* list : {&r.exposures, r.exposures_before ? &*r.exposures_before : nullptr}) {
      for (const auto& e : list ? *list : std::vector<JournalExposure>{}) {
        if (e.key == key && !e.service_id.empty()) {
          service = e.service_id;
        }
      }
    }
  }
  return service;
}

// What was done: the fixes that acted on it, every VPN setup and rollback of the box.
nlohmann::json measures(const std::vector<JournalRecord>& records, const Timeline& t, const std::string& key) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : records) {
    bool mine = (!t.box_id.empty() && r.box_id == t.box_id) || (t.box_id.empty() && r.address == t.address);
    if (!mine || r.command == "audit") {
      continue;
    }
    bool acted = std::any_of(r.actions.begin(), r.actions.end(), [&](const JournalAction& a) { return a.key == key; });
    if (r.command == "fix" && !acted) {
      continue;
    }
    for (const auto& e : t.events) {
      if (e.time == r.time && e.command == r.command) {
        out.push_back({{"time", e.time}, {"command", e.command}, {"outcome", e.outcome}, {"summary", valid_utf8(e.summary)}});
        break;
      }
    }
  }
  return out;
}

nlohmann::json draft(const std::vector<JournalRecord>& records, const Timeline& t, const ExposureSpan& s) {
  nlohmann::json d = to_json(s);
  std::string category = data_category(t.profile);
  d["service"] = nullable(service_of(records, s.key));
  d["machine"] = nullable(machine_of_key(s.key));
  d["data_category"] = nullable(category);
  d["open_at_least_since"] = s.first_seen;
  d["still_open"] = s.closed_at.empty();
  d["verified_closed_at"] = nullable(s.closed_at);  // fix or audit: a read of the box that no longer saw it
  d["measures"] = measures(records, t, s.key);
  return d;
}

void print_draft_text(std::ostream& out, const nlohmann::json& doc) {
  out << tr("DRAFT: facts for a personal data breach notification (GDPR Art. 33(3))") << "\n\n";
  out << legal_notice() << "\n";
  const auto& box = doc["box"];
  out << "\n"
      << fill(tr("Box: {address} ({model}), profile {profile}"),
              {{"address", printable(box["address"].get<std::string>(), 80)},
               {"model", printable(box["model"].get<std::string>(), 60)},
               {"profile", printable(box["profile"].get<std::string>(), 60)}})
      << "\n";
  size_t n = 0;
  for (const auto& d : doc["drafts"]) {
    std::string category = d["data_category"].is_string() ? d["data_category"].get<std::string>() : "";
    out << "\n" << fill(tr("Exposure {n}: {what} ({severity})"),
                        {{"n", std::to_string(++n)},
                         {"what", printable(d["label"].get<std::string>(), 200)},
                         {"severity", d["severity"].get<std::string>()}})
        << "\n";
    if (d["machine"].is_string()) {
      out << "  " << fill(tr("Nature: the service \"{service}\" on the machine {machine} could be reached from the Internet; the network holds {category}."),
                          {{"service", d["service"].is_string() ? printable(d["service"].get<std::string>(), 60)
                                                                : std::string(tr("a service"))},
                           {"machine", printable(d["machine"].get<std::string>(), 80)},
                           {"category", data_category_words(category)}})
          << "\n";
    } else {
      out << "  " << fill(tr("Nature: a setting of the box itself ({what}); the network holds {category}."),
                          {{"what", printable(d["label"].get<std::string>(), 200)}, {"category", data_category_words(category)}})
          << "\n";
    }
    out << "  " << fill(tr("Open at least since {date} (the first time boxwarden saw it; it may have been open before)."),
                        {{"date", d["first_seen"].get<std::string>()}})
        << "\n";
    if (d["still_open"].get<bool>()) {
      out << "  " << fill(tr("STILL OPEN when last seen, {date}."), {{"date", d["last_seen"].get<std::string>()}}) << "\n";
    } else if (d["closed_how"] == "fix") {
      out << "  " << fill(tr("Closed {date} by boxwarden fix, verified by reading the box again."),
                          {{"date", d["closed_at"].get<std::string>()}})
          << "\n";
    } else {
      out << "  " << fill(tr("No longer open on {date} (seen closed by a read of the box; not closed by boxwarden)."),
                          {{"date", d["closed_at"].get<std::string>()}})
          << "\n";
    }
    for (const auto& r : d["reopened"]) {
      out << "  " << fill(tr("Open again on {date}, after the fix of {fixed}."),
                          {{"date", r["seen_at"].get<std::string>()}, {"fixed", r["fixed_at"].get<std::string>()}})
          << "\n";
    }
    out << "  " << tr("Measures taken:") << "\n";
    if (d["measures"].empty()) {
      out << "    " << tr("none recorded by boxwarden") << "\n";
    }
    for (const auto& m : d["measures"]) {
      out << "    " << m["time"].get<std::string>() << "  " << printable(m["summary"].get<std::string>(), 200) << "\n";
    }
  }
  out << "\n" << tr("Only you know these; fill them in before notifying:") << "\n";
  for (const auto& b : k_blanks) {
    out << "  " << to_fill(b.what) << "\n";
  }
}

}  // namespace

void breach_options(po::options_description& d) {
  d.add_options()("key", po::value(&key_opt())->value_name("KEY"),
                  tr("draft for this exposure only (a key from 'boxwarden history'); default: every exposure of "
                  "severity high or above that was ever open"));
}

ExitCode cmd_breach(App& app) {
  std::vector<JournalRecord> records = read_journal(state_dir_of(app));
  if (records.empty()) {
    throw Error(ErrorKind::usage, fill(tr("the journal {path} has no record: run 'boxwarden audit' first"),
                                       {{"path", journal_path(state_dir_of(app))}}));
  }
  Timeline t = journal_timelines(app, records, true).front();
  nlohmann::json drafts = nlohmann::json::array();
  for (const auto& s : t.spans) {
    if (key_opt().empty() ? s.severity >= Severity::high : s.key == key_opt()) {
      drafts.push_back(draft(records, t, s));
    }
  }
  if (!key_opt().empty() && drafts.empty()) {
    throw Error(ErrorKind::usage, fill(tr("the journal has no exposure {key} for this box; see 'boxwarden history' for the keys"),
                                       {{"key", printable(key_opt(), 200)}}));
  }
  nlohmann::json blanks = nlohmann::json::array();
  for (const auto& b : k_blanks) {
    blanks.push_back({{"field", b.field}, {"what", tr(b.what)}, {"text", to_fill(b.what)}});
  }
  nlohmann::json doc = stamped({{"tool", {{"name", "boxwarden"}, {"version", BOXWARDEN_VERSION}}},
                                {"box",
                                 {{"box_id", nullable(t.box_id)},
                                  {"address", valid_utf8(t.address)},
                                  {"vendor", valid_utf8(t.vendor)},
                                  {"model", valid_utf8(t.model)},
                                  {"profile", valid_utf8(t.profile)}}},
                                {"drafts", std::move(drafts)},
                                {"blanks", std::move(blanks)},
                                {"legal_notice", legal_notice()}},
                               app.opt().site);
  auto& out = app.out();
  if (app.opt().format == Format::html) {  // reachable once run.cpp allows html for breach
    write_breach_html(out, doc);
    return ExitCode::ok;
  }
  if (app.opt().format == Format::json) {
    out << doc.dump(2) << "\n";
    return ExitCode::ok;
  }
  if (doc["drafts"].empty()) {
    out << tr("According to the journal, nothing of severity high or above was ever open on this box: there is "
              "nothing to draft. To draft for one exposure, give --key KEY (see 'boxwarden history').")
        << "\n";
    return ExitCode::ok;
  }
  print_draft_text(out, doc);
  return ExitCode::ok;
}

}  // namespace bw::cli
