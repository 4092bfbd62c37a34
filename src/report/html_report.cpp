#include "report/html_report.hpp"

#include <algorithm>
#include <set>

#include "core/box_id.hpp"
#include "core/i18n.hpp"
#include "core/text.hpp"
#include "core/utc_time.hpp"
#include "report/timeline_svg.hpp"
#include "rules/wording.hpp"

namespace bw::report {

namespace {

using cli::Report;

std::string e(std::string_view trusted) {
  return html_escape(trusted);
}

// The finding's "why" without the profile's data sentence, which the page says once.
std::string why_without(const std::string& why, const std::string& reason) {
  if (reason.empty()) {
    return why;
  }
  size_t at = why.find(reason);
  if (at == std::string::npos) {
    return why;
  }
  std::string rest = why.substr(0, at) + why.substr(at + reason.size());
  while (!rest.empty() && rest.back() == ' ') {
    rest.pop_back();
  }
  return rest;
}

bool is_exposure(const Finding& f) {
  return !f.allowed && f.severity != Severity::info && f.subject.kind != SubjectKind::unknown_field;
}

std::string finding_id(const Finding& f) {
  return f.rule + "\n" + f.title;
}

void box_table(std::ostream& out, const Report& r) {
  const RouterState& s = r.state;
  auto row = [&](const char* label, const std::string& value_html) {
    out << "<tr><th>" << e(tr(label)) << "</th><td>" << value_html << "</td></tr>\n";
  };
  out << "<table class=\"box\">\n";
  row(N_("Box"), html_text(s.model.empty() ? std::string(tr("model unknown")) : s.model, 80) +
                     (s.vendor.empty() ? "" : " (" + html_text(s.vendor, 40) + ")"));
  row(N_("Address on the network"), html_text(s.address, 80));
  row(N_("Firmware"), s.firmware.empty() ? e(tr("unknown")) : html_text(s.firmware, 60));
  row(N_("Internet address"), s.external_ip.empty() ? e(tr("unknown")) : html_text(s.external_ip, 45));
  if (auto id = box_id(s.box_identity)) {
    row(N_("Box identifier"), "<span class=\"key\">" + html_text(*id, 80) + "</span>");
  }
  if (!r.site.empty()) {
    row(N_("Site"), html_text(r.site, 120));
  }
  row(N_("Date (UTC)"), html_text(r.generated_at.empty() ? utc_now() : r.generated_at, 40));
  row(N_("Profile"), html_text(r.profile, 60) + (r.profile_summary.empty() ? "" : " &mdash; " + html_text(r.profile_summary, 300)));
  out << "</table>\n";
}

// True when the plan leaves this finding to a person (e.g. a rule the ISP manages), whatever
// the finding's own action says: the plan is what fix does.
bool by_hand(const Finding& f, const std::vector<Action>& plan) {
  return std::any_of(plan.begin(), plan.end(), [&](const Action& a) {
    if (a.automatic || a.because_rule != f.rule || a.target.kind != f.subject.kind) {
      return false;
    }
    const auto& p = a.target.forward;
    const auto& q = f.subject.forward;
    return !p || !q ||
           (p->protocol == q->protocol && p->external_port == q->external_port && p->internal_host == q->internal_host);
  });
}

void finding_block(std::ostream& out, const Finding& f, const HtmlExtras& x, const std::vector<Action>& plan) {
  out << "<div class=\"finding " << severity_class(f.severity) << "\">\n<p><span class=\"badge\" style=\"background:"
      << severity_colour(f.severity) << "\">" << e(severity_words(f.severity)) << "</span><strong>"
      << html_text(f.title, 300) << "</strong></p>\n";
  std::string why = why_without(f.why, x.data_reason);
  if (!why.empty()) {
    out << "<p>" << e(fill(tr("Why it matters: {why}"), {{"why", printable(why, 1000)}})) << "</p>\n";
  }
  if (f.subject.forward && !f.subject.forward->description.empty()) {
    out << "<p>" << e(fill(tr("Label on the box: \"{label}\""), {{"label", printable(f.subject.forward->description, 60)}}))
        << "</p>\n";
  }
  if (f.action == "manual" || by_hand(f, plan)) {
    out << "<p>" << e(tr("What to do: by hand, see the steps below.")) << "</p>\n";
  } else if (f.action != "none" && !f.action.empty()) {
    out << "<p>" << e(tr("What to do: boxwarden fix closes it (a backup is saved first).")) << "</p>\n";
  }
  out << "</div>\n";
}

// What is open, grouped by risk (worst first); the data sentence once, above them.
void findings_section(std::ostream& out, const Report& r, const std::vector<Finding>& findings, const HtmlExtras& x,
                      const char* heading) {
  out << "<section class=\"findings\">\n<h2>" << e(tr(heading)) << "</h2>\n";
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
    out << "<p class=\"ok\">"
        << e(fill(tr("Nothing the {profile} profile forbids is open to the Internet (as far as the box lets us see)."),
                  {{"profile", printable(r.profile, 60)}}))
        << "</p>\n";
  } else {
    bool said = !x.data_reason.empty() && std::any_of(exposed.begin(), exposed.end(), [&](const Finding* f) {
      return f->data_at_risk || f->why.find(x.data_reason) != std::string::npos;
    });
    if (said) {
      out << "<p class=\"note\"><strong>" << e(tr("Why this matters here:")) << "</strong> " << e(x.data_reason)
          << "</p>\n";
    }
    for (Severity s : {Severity::critical, Severity::high, Severity::medium, Severity::low}) {
      size_t n = static_cast<size_t>(std::count_if(exposed.begin(), exposed.end(), [&](const Finding* f) { return f->severity == s; }));
      if (n == 0) {
        continue;
      }
      out << "<h3>" << e(fill(tr("{risk} ({count})"), {{"risk", severity_words(s)}, {"count", std::to_string(n)}}))
          << "</h3>\n";
      for (const Finding* f : exposed) {
        if (f->severity == s) {
          finding_block(out, *f, x, r.plan);
        }
      }
    }
  }
  if (!unknown.empty()) {
    out << "<h3>" << e(tr("What boxwarden could not read (unknown is not safe; check by hand)")) << "</h3>\n";
    for (const Finding* f : unknown) {
      finding_block(out, *f, x, r.plan);
    }
  }
  if (!allowed.empty()) {
    out << "<h3>" << e(tr("Expected or harmless")) << "</h3>\n<ul>\n";
    for (const Finding* f : allowed) {
      out << "<li>" << html_text(f->title, 300) << "</li>\n";
    }
    out << "</ul>\n";
  }
  out << "</section>\n";
}

void manual_steps(std::ostream& out, const std::vector<Action>& plan) {
  bool header = false;
  for (const auto& a : plan) {
    if (a.automatic) {
      continue;
    }
    if (!header) {
      out << "<section class=\"by-hand\">\n<h2>" << e(tr("What remains to do by hand")) << "</h2>\n<p>"
          << e(tr("boxwarden cannot change these settings on this box. Steps:")) << "</p>\n<ol class=\"steps\">\n";
      header = true;
    }
    out << "<li><strong>" << html_text(a.summary, 300) << "</strong><br><span class=\"manual\">"
        << html_text(a.manual_steps, 1000) << "</span></li>\n";
  }
  if (header) {
    out << "</ol>\n</section>\n";
  }
}

void plan_section(std::ostream& out, const std::vector<Action>& plan, const char* heading) {
  bool any = std::any_of(plan.begin(), plan.end(), [](const Action& a) { return a.automatic; });
  if (any) {
    out << "<section class=\"plan\">\n<h2>" << e(tr(heading)) << "</h2>\n<ol class=\"steps\">\n";
    for (const auto& a : plan) {
      if (a.automatic) {
        out << "<li>" << html_text(a.summary, 300) << "</li>\n";
      }
    }
    out << "</ol>\n</section>\n";
  }
  manual_steps(out, plan);
}

void fix_section(std::ostream& out, const Report& r, const HtmlExtras& x) {
  const ExecutionReport& ex = *r.execution;
  out << "<section class=\"fix\">\n<h2>" << e(tr("What the fix changed")) << "</h2>\n<ol class=\"steps\">\n";
  for (const auto& st : ex.steps) {
    out << "<li><span class=\"" << (st.ok ? "ok\">" : "failed\">") << e(st.ok ? tr("done") : tr("FAILED"))
        << "</span> " << html_text(st.summary, 200);
    if (!st.ok) {
      out << ": " << html_text(st.error, 300);
    }
    out << "</li>\n";
  }
  out << "</ol>\n<p class=\"note\">";
  switch (ex.outcome) {
    case Outcome::applied:
      out << e(tr("The box was read again after the changes: every change is in place (verified)."));
      break;
    case Outcome::rolled_back:
      out << e(fill(tr("The fix failed ({why}). Everything it changed was put back as it was, and checked."),
                    {{"why", printable(ex.failure, 300)}}));
      break;
    case Outcome::interrupted:
      out << e(fill(tr("The fix was interrupted ({why}). Everything it changed was put back as it was, and checked."),
                    {{"why", printable(ex.failure, 100)}}));
      break;
    case Outcome::rollback_failed:
      out << e(fill(tr("The fix failed ({why}) and putting things back failed too: the box may be half-changed. "
                       "Run 'boxwarden rollback {backup}' when the box answers again, or restore the settings by hand."),
                    {{"why", printable(ex.failure, 300)}, {"backup", printable(r.backup_path, 300)}}));
      break;
    case Outcome::nothing_to_do:
      out << e(tr("Nothing needed to be changed."));
      break;
  }
  out << "</p>\n</section>\n";
  if (r.findings_after) {
    std::set<std::string> after;
    for (const auto& f : *r.findings_after) {
      if (is_exposure(f)) {
        after.insert(finding_id(f));
      }
    }
    std::vector<const Finding*> closed;
    for (const auto& f : r.findings) {
      if (is_exposure(f) && !after.count(finding_id(f))) {
        closed.push_back(&f);
      }
    }
    if (!closed.empty()) {
      out << "<section class=\"closed\">\n<h2>" << e(tr("Closed and verified")) << "</h2>\n<p>"
          << e(tr("The box was read again after the fix: these are no longer open.")) << "</p>\n<ul>\n";
      for (const Finding* f : closed) {
        out << "<li><span class=\"badge\" style=\"background:" << severity_colour(f->severity) << "\">"
            << e(severity_words(f->severity)) << "</span>" << html_text(f->title, 300) << "</li>\n";
      }
      out << "</ul>\n</section>\n";
    }
    std::vector<const Finding*> left;
    for (const auto& f : *r.findings_after) {
      if (is_exposure(f) && f.severity >= x.threshold) {
        left.push_back(&f);
      }
    }
    out << "<section class=\"remains\">\n<h2>" << e(tr("Still open after the fix")) << "</h2>\n";
    if (left.empty()) {
      out << "<p class=\"ok\">"
          << e(fill(tr("Nothing at or above {severity} remains."), {{"severity", severity_words(x.threshold)}}))
          << "</p>\n";
    }
    for (const Finding* f : left) {
      finding_block(out, *f, x, r.plan);
    }
    out << "</section>\n";
  }
  manual_steps(out, r.plan);
  if (!r.backup_path.empty() && ex.outcome == Outcome::applied) {
    out << "<section class=\"undo\">\n<h2>" << e(tr("How to undo")) << "</h2>\n<p>"
        << e(tr("The box's settings from before the fix are saved. To put them back, run:")) << "</p>\n<p><code>"
        << html_text("boxwarden rollback " + r.backup_path, 400) << "</code></p>\n</section>\n";
  }
}

// The name of an exposure key for people: the timeline's label when it has one.
std::string key_words(const Report& r, const std::string& key) {
  if (r.timeline) {
    for (const auto& s : r.timeline->spans) {
      if (s.key == key && !s.label.empty()) {
        return html_text(s.label, 200);
      }
    }
  }
  return "<span class=\"key\">" + html_text(key, 200) + "</span>";
}

void drift_section(std::ostream& out, const Report& r, const DriftView& d) {
  out << "<section class=\"drift\">\n<h2>" << e(tr("Since the last check")) << "</h2>\n";
  if (d.previous_at.empty()) {
    out << "<p>" << e(tr("This is the first check of this box in the journal.")) << "</p>\n</section>\n";
    return;
  }
  auto list = [&](const std::string& title, const std::vector<std::string>& keys) {
    if (keys.empty()) {
      return;
    }
    out << "<h3>" << e(title) << "</h3>\n<ul>\n";
    for (const auto& k : keys) {
      out << "<li>" << key_words(r, k) << "</li>\n";
    }
    out << "</ul>\n";
  };
  std::string when = printable(d.previous_at, 40);
  list(fill(tr("New since {date}"), {{"date", when}}), d.added);
  list(fill(tr("Closed since {date}"), {{"date", when}}), d.closed);
  for (const auto& [key, fixed_at] : d.reopened) {
    out << "<div class=\"finding sev-high\"><p><strong>"
        << e(fill(tr("Open again since the fix of {date}:"), {{"date", printable(fixed_at, 40)}})) << "</strong> "
        << key_words(r, key) << "</p></div>\n";
  }
  if (d.added.empty() && d.closed.empty() && d.reopened.empty()) {
    out << "<p>" << e(fill(tr("Nothing changed since {date}."), {{"date", when}})) << "</p>\n";
  }
  out << "</section>\n";
}

}  // namespace

HtmlExtras html_extras(const Profile& profile, Severity threshold) {
  HtmlExtras x;
  x.data_reason = wording::data_reason(profile.data_class);
  x.threshold = threshold;
  return x;
}

void print_html(std::ostream& out, const Report& r, const HtmlExtras& x) {
  bool fix = r.command == "fix";
  write_page_start(out, fix ? tr("Security report: fix of the Internet box") : tr("Security report"));
  out << "<header>\n<h1>" << e(fix ? tr("Security report: fix of the Internet box") : tr("Security report"))
      << "</h1>\n<p>"
      << e(fix ? tr("What the Internet box opened, what boxwarden closed and checked, and what remains to do.")
               : tr("What the Internet box opens to the Internet, and why it matters."))
      << "</p>\n";
  box_table(out, r);
  out << "</header>\n";
  findings_section(out, r, r.findings, x, fix ? N_("What was open before the fix") : N_("What the box opens to the Internet"));
  if (x.drift) {
    drift_section(out, r, *x.drift);
  }
  if (fix && r.execution) {
    fix_section(out, r, x);
  } else if (r.command != "audit" || !r.plan.empty()) {
    plan_section(out, r.plan, fix ? N_("What the fix would change (nothing was changed)") : N_("What boxwarden fix can do"));
  }
  if (r.timeline) {
    write_timeline_section(out, *r.timeline);
  }
  auto c = count(r.findings);
  out << "<p>" << e(fill(tr("Summary: {critical} critical, {high} high, {medium} medium, {low} low, {info} for information."),
                         {{"critical", std::to_string(c.critical)}, {"high", std::to_string(c.high)},
                          {"medium", std::to_string(c.medium)}, {"low", std::to_string(c.low)},
                          {"info", std::to_string(c.info)}}))
      << "</p>\n";
  write_footer(out);
  write_page_end(out);
}

}  // namespace bw::report
