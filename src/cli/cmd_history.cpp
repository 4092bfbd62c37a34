// `boxwarden history`: per exposure of each box, from the journal: first and last seen open,
// closed when and how, how long it was open, each reopening after a fix; and the dated
// fixes, rollbacks and VPN setups. `history --verify` checks the journal's hash chain.
#include <cctype>
#include <iostream>

#include <boost/program_options.hpp>

#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/document.hpp"
#include "cli/journal_run.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/utc_time.hpp"
#include "report/html_report.hpp"
#include "core/text.hpp"
#include "journal/history.hpp"
#include "journal/journal.hpp"
#include "net/gateway.hpp"

namespace bw::cli {

namespace po = boost::program_options;

namespace {

bool& verify_opt() {
  static bool verify = false;
  return verify;
}

nlohmann::json nullable(const std::string& s) {
  return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(valid_utf8(s));
}

std::string upper(std::string_view s) {
  std::string u(s);
  for (auto& c : u) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return u;
}

ExitCode verify(App& app) {
  std::string path = journal_path(state_dir_of(app));
  JournalCheck c = verify_journal(state_dir_of(app));
  auto& out = app.out();
  if (app.opt().format == Format::json) {
    nlohmann::json v = {{"ok", c.ok},
                        {"records", c.records},
                        {"first_bad_line", c.ok ? nlohmann::json(nullptr) : nlohmann::json(c.first_bad_line)},
                        {"problem", nullable(c.problem)}};
    out << stamped({{"tool", tool_field()}, {"journal", path}, {"verify", std::move(v)}}, app.opt().site).dump(2) << "\n";
  } else if (c.ok) {
    out << fill(tr("{path}: {records} records, the chain is whole: none was edited, removed or moved."),
                {{"path", path}, {"records", std::to_string(c.records)}})
        << "\n";
  } else {
    out << fill(tr("journal.jsonl line {line}: {problem}"), {{"line", std::to_string(c.first_bad_line)}, {"problem", c.problem}})
        << "\n"
        << fill(tr("The records before line {line} are whole ({records}); from there on the journal cannot be trusted."),
                {{"line", std::to_string(c.first_bad_line)}, {"records", std::to_string(c.records)}})
        << "\n";
  }
  return c.ok ? ExitCode::ok : ExitCode::findings;
}

}  // namespace

std::string duration_text(long long seconds) {
  long long d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60;
  if (d > 0) {
    return fill(tr("{days} d {hours} h"), {{"days", std::to_string(d)}, {"hours", std::to_string(h)}});
  }
  if (h > 0) {
    return fill(tr("{hours} h {minutes} min"), {{"hours", std::to_string(h)}, {"minutes", std::to_string(m)}});
  }
  if (m > 0) {
    return fill(tr("{minutes} min"), {{"minutes", std::to_string(m)}});
  }
  return fill(tr("{seconds} s"), {{"seconds", std::to_string(seconds)}});
}

std::vector<Timeline> journal_timelines(App& app, const std::vector<JournalRecord>& records, bool newest_only) {
  std::vector<std::string> refs;
  for (const auto& g : app.opt().gateways) {
    refs.push_back(parse_host_port(g).host);
  }
  if (refs.empty()) {
    refs = journal_boxes(records);
    if (newest_only && refs.size() > 1) {
      refs.resize(1);
    }
  }
  std::vector<Timeline> out;
  for (const auto& ref : refs) {
    Timeline t = build_timeline(records, ref);
    if (t.first_record.empty()) {
      throw Error(ErrorKind::usage, fill(tr("the journal has no record of the box {box}; see 'boxwarden history' for the boxes it knows"),
                                         {{"box", printable(ref, 80)}}));
    }
    out.push_back(std::move(t));
  }
  return out;
}

nlohmann::json to_json(const ExposureSpan& s) {
  nlohmann::json reopened = nlohmann::json::array();
  for (const auto& r : s.reopened) {
    reopened.push_back({{"seen_at", r.seen_at}, {"fixed_at", r.fixed_at}});
  }
  return {{"key", valid_utf8(s.key)},
          {"rule", s.rule},
          {"label", valid_utf8(s.label)},
          {"severity", to_string(s.severity)},
          {"first_seen", s.first_seen},
          {"last_seen", s.last_seen},
          {"closed_at", nullable(s.closed_at)},
          {"closed_how", nullable(s.closed_how)},
          {"open_seconds", s.open_seconds},
          {"reopened", std::move(reopened)}};
}

namespace {

void print_timeline(std::ostream& out, const Timeline& t) {
  out << fill(tr("Box {address} ({model}), {id}: records from {first} to {last}"),
              {{"address", printable(t.address, 80)},
               {"model", printable(t.model.empty() ? std::string(tr("model unknown")) : t.model, 60)},
               {"id", t.box_id.empty() ? std::string(tr("no box id")) : t.box_id},
               {"first", t.first_record},
               {"last", t.last_record}})
      << "\n";
  if (t.spans.empty()) {
    out << "  " << tr("No exposure was ever recorded.") << "\n";
  }
  for (const auto& s : t.spans) {
    out << "  " << upper(to_string(s.severity)) << "  " << printable(s.label, 200) << "\n";
    out << "      " << fill(tr("first seen {first}, last seen {last}"), {{"first", s.first_seen}, {"last", s.last_seen}}) << "\n";
    std::string open = duration_text(s.open_seconds);
    if (s.closed_at.empty()) {
      out << "      " << fill(tr("still open (open for {duration} so far)"), {{"duration", open}}) << "\n";
    } else if (s.closed_how == "fix") {
      out << "      " << fill(tr("closed {date} by a fix, verified by reading the box again (open for {duration})"),
                              {{"date", s.closed_at}, {"duration", open}})
          << "\n";
    } else {
      out << "      " << fill(tr("closed {date}: no longer seen, not by a fix (open for {duration})"),
                              {{"date", s.closed_at}, {"duration", open}})
          << "\n";
    }
    for (const auto& r : s.reopened) {
      out << "      " << fill(tr("reopened {date}, after the fix of {fixed}"), {{"date", r.seen_at}, {"fixed", r.fixed_at}})
          << "\n";
    }
    out << "      " << fill(tr("key: {key}"), {{"key", printable(s.key, 200)}}) << "\n";
  }
  if (!t.events.empty()) {
    out << "  " << tr("Events:") << "\n";
    for (const auto& e : t.events) {
      out << "    " << e.time << "  " << printable(e.summary, 200) << "\n";
    }
  }
}

}  // namespace

void history_options(po::options_description& d) {
  d.add_options()("verify", po::bool_switch(&verify_opt()),
                  tr("check the journal's hash chain: exit 1 naming the first record that was edited, removed, moved "
                  "or torn"));
}

ExitCode cmd_history(App& app) {
  if (verify_opt()) {
    return verify(app);
  }
  std::vector<JournalRecord> records = read_journal(state_dir_of(app));
  auto& out = app.out();
  if (records.empty() && app.opt().format == Format::text) {
    out << fill(tr("The journal {path} has no record yet: audit, fix, rollback and vpn write one each time they run."),
                {{"path", journal_path(state_dir_of(app))}})
        << "\n";
    return ExitCode::ok;
  }
  std::vector<Timeline> timelines = records.empty() ? std::vector<Timeline>{} : journal_timelines(app, records, false);
  if (app.opt().format == Format::html) {
    report::write_history_html(app.out(), timelines, report::HtmlMeta{utc_now(), app.opt().site});
    return ExitCode::ok;
  }
  if (app.opt().format == Format::json) {
    nlohmann::json boxes = nlohmann::json::array();
    for (const auto& t : timelines) {
      nlohmann::json spans = nlohmann::json::array(), events = nlohmann::json::array();
      for (const auto& s : t.spans) {
        spans.push_back(to_json(s));
      }
      for (const auto& e : t.events) {
        events.push_back({{"time", e.time}, {"command", e.command}, {"outcome", e.outcome}, {"summary", valid_utf8(e.summary)}});
      }
      boxes.push_back({{"box_id", nullable(t.box_id)},
                       {"address", valid_utf8(t.address)},
                       {"vendor", valid_utf8(t.vendor)},
                       {"model", valid_utf8(t.model)},
                       {"exposures", std::move(spans)},
                       {"events", std::move(events)}});
    }
    out << stamped({{"tool", tool_field()}, {"boxes", std::move(boxes)}}, app.opt().site).dump(2) << "\n";
    return ExitCode::ok;
  }
  for (size_t i = 0; i < timelines.size(); ++i) {
    out << (i ? "\n" : "");
    print_timeline(out, timelines[i]);
  }
  return ExitCode::ok;
}

}  // namespace bw::cli
