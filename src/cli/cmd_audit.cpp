// `boxwarden audit`: read the box and report findings; never changes anything.
// With -g given several times (or --format jsonl), the boxes are read concurrently, each by
// its own App (deadline, HTTP client, session: curl handles are never shared between threads),
// at most --jobs at once; every box gets exactly one entry, its report or an error entry.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/failure.hpp"
#include "cli/inspect.hpp"
#include "cli/journal_run.hpp"
#include "core/i18n.hpp"
#include "core/text.hpp"
#include "fleet/exit_order.hpp"
#include "journal/journal.hpp"
#include "report/html_report.hpp"

namespace bw::cli {

namespace {

ExitCode audit_one_box(App& app) {
  Inspection in = inspect(app, "audit", 0);
  journal_audit(app, in.report);  // drift since the last record, then this run's record
  if (app.opt().format == Format::text) {
    print_text(app, in.report);
  } else if (app.opt().format == Format::html) {
    // The page shows the drift since the last record of this box and the box's timeline.
    report::HtmlExtras x = report::html_extras(app.profile(), app.fail_on());
    if (in.report.drift) {
      report::DriftView v;
      v.previous_at = in.report.drift->previous_at;
      for (const auto& d : in.report.drift->opened) {
        v.added.push_back(d.label.empty() ? d.key : d.label);
      }
      for (const auto& d : in.report.drift->closed) {
        v.closed.push_back(d.label.empty() ? d.key : d.label);
      }
      for (const auto& d : in.report.drift->reopened) {
        v.reopened.emplace_back(d.label.empty() ? d.key : d.label, d.fixed_at);
      }
      x.drift = std::move(v);
    }
    try {
      std::vector<Timeline> t = journal_timelines(app, read_journal(state_dir_of(app)), true);
      if (!t.empty()) {
        in.report.timeline = std::move(t.front());
      }
    } catch (const Error&) {
      // An unreadable journal was already said by journal_audit(); the page goes without it.
    }
    report::print_html(app.out(), in.report, x);
  } else {
    print_json(app.out(), in.report);
  }
  return exit_for(in.report.findings, app.fail_on());
}

// What one box gave: its report (or error entry) as it is written, and its exit status.
struct BoxResult {
  std::string entry;      // text report, JSON document (indented), or JSON line (jsonl)
  std::string error;      // the one-line error for stderr, empty when the box was read
  ExitCode code = ExitCode::ok;
};

// The error entry: the error document plus the box's address, as the report would have it.
std::string error_entry(Format format, const std::string& site, const std::string& address, ExitCode code, std::string_view kind,
                        const std::string& message) {
  if (format == Format::text) {
    std::string box = address.empty() ? std::string(tr("(default gateway)")) : printable(address, 80);
    return fill(tr("Box {address}: no report, error ({kind}): {message}"), {{"address", box}, {"kind", kind}, {"message", message}}) +
           "\n";
  }
  nlohmann::json doc = error_document("audit", site, code, kind, message);
  doc["gateway"] = {{"address", address.empty() ? nlohmann::json(nullptr) : nlohmann::json(valid_utf8(address))}};
  return doc.dump(format == Format::jsonl ? -1 : 2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// Reads the box at `address` (empty: the default gateway) with its own App; never throws.
BoxResult read_box(const Options& base, const std::string& address, const Credentials& credentials) {
  Options o = base;
  o.gateways.clear();
  if (!address.empty()) {
    o.gateways.push_back(address);
  }
  std::ostringstream sink;
  BoxResult r;
  ErrorKind kind = ErrorKind::internal;
  std::string message;
  try {
    App app(o);
    app.batch(sink, address, credentials);
    r.code = audit_one_box(app);
    r.entry = sink.str();
    if (base.format == Format::jsonl) {
      // One line: the report as one compact JSON object.
      r.entry = nlohmann::json::parse(r.entry).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
    return r;
  } catch (const Error& e) {
    kind = e.kind();
    std::string what = printable(e.what(), 500);
    message = kind == ErrorKind::internal ? internal_error_message(what) : what;
  } catch (const std::exception& e) {
    message = internal_error_message(printable(e.what(), 500));
  } catch (...) {
    message = internal_error_message("an exception that is not a std::exception");
  }
  r.code = exit_code_for(kind);
  r.entry = error_entry(base.format, base.site, address, r.code, kind_name(kind), message);
  r.error = address.empty() ? message : printable(address, 80) + ": " + message;
  return r;
}

// Several boxes: workers read them; this thread writes each entry, in the order of the -g
// options (text, json) or as each box finishes (jsonl, flushed line by line).
ExitCode audit_many(App& app) {
  const Options& opt = app.opt();
  if (opt.jobs < 1 || opt.jobs > 64) {
    throw Error(ErrorKind::usage, "--jobs: give a number of boxes from 1 to 64");
  }
  // Usage errors are found once, before any box is read: profile, --fail-on, password file.
  app.profile();
  app.fail_on();
  Credentials credentials = app.session_context().credentials;
  // No -g (jsonl only): one box, the default gateway.
  const std::vector<std::string> boxes = opt.gateways.empty() ? std::vector<std::string>{""} : opt.gateways;
  const size_t n = boxes.size();

  std::mutex mutex;
  std::condition_variable finished;
  std::vector<std::optional<BoxResult>> results(n);
  std::deque<size_t> done;  // in the order the boxes finished
  size_t next = 0;
  auto worker = [&] {
    for (;;) {
      size_t i = 0;
      {
        std::lock_guard lock(mutex);
        if (next == n) {
          return;
        }
        i = next++;
      }
      BoxResult r = read_box(opt, boxes[i], credentials);
      std::lock_guard lock(mutex);
      results[i] = std::move(r);
      done.push_back(i);
      finished.notify_one();
    }
  };
  std::ostream& out = app.out();  // before any box: a bad --output is one usage error
  std::vector<std::thread> workers;
  size_t count = std::min(n, static_cast<size_t>(opt.jobs));
  for (size_t w = 0; w < count; ++w) {
    workers.emplace_back(worker);
  }
  struct Join {
    std::vector<std::thread>& threads;
    ~Join() {
      for (auto& t : threads) {
        t.join();
      }
    }
  } join{workers};

  ExitCode worst = ExitCode::ok;
  size_t written = 0;  // text/json: entries written, in -g order
  auto write = [&](const BoxResult& r, size_t position) {
    if (!r.error.empty()) {
      out.flush();
      print_error_line(r.error);
    }
    if (opt.format == Format::json) {
      std::istringstream lines(r.entry);
      std::string line;
      out << (position == 0 ? "[\n" : ",\n");
      bool first = true;
      while (std::getline(lines, line)) {
        out << (first ? "" : "\n") << "  " << line;  // the array's indentation, as print_json
        first = false;
      }
    } else {
      out << (opt.format == Format::text && position > 0 ? "\n" : "") << r.entry;
    }
    out.flush();
    worst = fleet::worse(worst, r.code);
  };
  for (size_t handled = 0; handled < n; ++handled) {
    size_t i = 0;
    {
      std::unique_lock lock(mutex);
      finished.wait(lock, [&] { return !done.empty(); });
      i = done.front();
      done.pop_front();
    }
    if (opt.format == Format::jsonl) {
      write(*results[i], handled);
      results[i].reset();
      continue;
    }
    std::unique_lock lock(mutex);
    while (written < n && results[written]) {
      BoxResult r = std::move(*results[written]);
      results[written].reset();
      lock.unlock();
      write(r, written);
      ++written;
      lock.lock();
    }
  }
  if (opt.format == Format::json) {
    out << "\n]\n" << std::flush;
  }
  return worst;
}

}  // namespace

ExitCode cmd_audit(App& app) {
  if (app.opt().format == Format::html && app.opt().gateways.size() > 1) {
    throw Error(ErrorKind::usage, tr("--format html reports on one box: give -g once per run (or use --format json for several boxes)"));
  }
  if (app.opt().gateways.size() > 1 || app.opt().format == Format::jsonl) {
    return audit_many(app);
  }
  return audit_one_box(app);
}

}  // namespace bw::cli
