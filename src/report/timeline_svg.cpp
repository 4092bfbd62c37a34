#include "report/timeline_svg.hpp"

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <sstream>
#include <vector>

#include "core/i18n.hpp"
#include "core/text.hpp"
#include "core/utc_time.hpp"
#include "report/html.hpp"

namespace bw::report {

namespace {

// Geometry, in SVG user units (the SVG scales to the page's width).
constexpr double k_width = 720;
constexpr double k_label_width = 230;  // the exposure's name, left of its row
constexpr double k_plot_left = k_label_width + 10;
constexpr double k_plot_right = k_width - 24;
constexpr double k_top = 34;           // room for the events' labels
constexpr double k_row = 26;
constexpr double k_bar = 14;
constexpr double k_min_bar = 3;        // an exposure seen once is still seen

std::string num(double v) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(1) << v;
  return s.str();
}

struct Scale {
  std::time_t t0 = 0, t1 = 1;
  double x(std::time_t t) const {
    return k_plot_left + (k_plot_right - k_plot_left) * static_cast<double>(t - t0) / static_cast<double>(t1 - t0);
  }
};

// The first and last time anything of `t` happened.
Scale scale_of(const Timeline& t) {
  std::vector<std::time_t> times;
  auto add = [&](const std::string& s) {
    if (auto v = parse_rfc3339(s)) {
      times.push_back(*v);
    }
  };
  add(t.first_record);
  add(t.last_record);
  for (const auto& s : t.spans) {
    add(s.first_seen);
    add(s.last_seen);
    add(s.closed_at);
    for (const auto& r : s.reopened) {
      add(r.seen_at);
      add(r.fixed_at);
    }
  }
  for (const auto& e : t.events) {
    add(e.time);
  }
  Scale sc;
  if (times.empty()) {
    return sc;
  }
  sc.t0 = *std::min_element(times.begin(), times.end());
  sc.t1 = *std::max_element(times.begin(), times.end());
  if (sc.t1 - sc.t0 < 60) {
    sc.t1 = sc.t0 + 3600;  // one read, or reads a few seconds apart: an hour's axis
  }
  return sc;
}

std::string event_words(const TimelineEvent& e) {
  if (e.command == "fix") {
    return e.outcome == "done" ? tr("fix") : tr("fix undone");
  }
  if (e.command == "rollback") {
    return tr("rollback");
  }
  if (e.command == "vpn") {
    return tr("VPN set up");
  }
  return e.command;
}

std::string day(const std::string& rfc3339) {
  auto t = parse_rfc3339(rfc3339);
  return t ? utc_text(*t, "%Y-%m-%d %H:%M") : rfc3339;
}

}  // namespace

std::optional<std::time_t> parse_rfc3339(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, used = 0;
  std::string str(text.substr(0, 40));
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &used) != 6 || used != 19) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || y < 1970) {
    return std::nullopt;
  }
  std::string_view rest = std::string_view(str).substr(19);
  if (!rest.empty() && rest[0] == '.') {
    size_t i = 1;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') {
      ++i;
    }
    rest.remove_prefix(i);
  }
  long offset = 0;
  if (rest == "Z" || rest == "z") {
    offset = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int oh = 0, om = 0;
    if (std::sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &oh, &om) != 2) {
      return std::nullopt;
    }
    offset = (rest[0] == '+' ? 1 : -1) * (oh * 3600L + om * 60L);
  } else {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return timegm(&tm) - offset;
}

std::string duration_words(long long seconds) {
  if (seconds < 0) {
    seconds = 0;
  }
  auto n = static_cast<unsigned long>(seconds);
  if (seconds >= 2 * 86400) {
    n = static_cast<unsigned long>(seconds / 86400);
    return fill(trn("{n} day", "{n} days", n), {{"n", std::to_string(n)}});
  }
  if (seconds >= 2 * 3600) {
    n = static_cast<unsigned long>(seconds / 3600);
    return fill(trn("{n} hour", "{n} hours", n), {{"n", std::to_string(n)}});
  }
  n = static_cast<unsigned long>(seconds / 60);
  return fill(trn("{n} minute", "{n} minutes", n), {{"n", std::to_string(n)}});
}

void write_timeline_svg(std::ostream& out, const Timeline& t) {
  std::vector<const ExposureSpan*> spans;
  for (const auto& s : t.spans) {
    spans.push_back(&s);
  }
  std::stable_sort(spans.begin(), spans.end(), [](const ExposureSpan* a, const ExposureSpan* b) {
    return parse_rfc3339(a->first_seen).value_or(0) < parse_rfc3339(b->first_seen).value_or(0);
  });
  Scale sc = scale_of(t);
  double axis_y = k_top + k_row * static_cast<double>(std::max<size_t>(spans.size(), 1)) + 4;
  double height = axis_y + 34;
  out << "<svg class=\"timeline-svg\" viewBox=\"0 0 " << num(k_width) << " "
      << num(height) << "\" width=\"" << num(k_width) << "\" height=\"" << num(height) << "\" role=\"img\">\n<title>"
      << html_escape(tr("Timeline of the exposures")) << "</title>\n"
      << "<style>text{font-family:\"DejaVu Sans\",Arial,sans-serif;font-size:11px;fill:#111}"
         ".tick{font-size:10px;fill:#333}.ev{font-size:10px;fill:#333}</style>\n";
  // A light band under every other row, then the events, then the rows over them (a line
  // never cuts a bar).
  for (size_t i = 0; i < spans.size(); i += 2) {
    out << "<rect x=\"0\" y=\"" << num(k_top + k_row * static_cast<double>(i)) << "\" width=\"" << num(k_width)
        << "\" height=\"" << num(k_row) << "\" fill=\"#f3f3f3\"/>\n";
  }
  // Events: a dashed line across the rows, named above them (alternating heights so that two
  // events close together stay readable).
  for (size_t i = 0; i < t.events.size(); ++i) {
    auto e = parse_rfc3339(t.events[i].time);
    if (!e) {
      continue;
    }
    double x = sc.x(*e);
    out << "<g class=\"event\"><line x1=\"" << num(x) << "\" y1=\"" << num(k_top - 4) << "\" x2=\"" << num(x)
        << "\" y2=\"" << num(axis_y) << "\" stroke=\"#1b5e20\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>"
        << "<text class=\"ev\" x=\"" << num(x) << "\" y=\"" << num(i % 2 == 0 ? 12 : 24)
        << "\" text-anchor=\"middle\">" << html_escape(event_words(t.events[i])) << "</text><title>"
        << html_text(t.events[i].summary, 300) << "</title></g>\n";
  }
  // Rows: the exposure's name, its bar(s) and markers.
  for (size_t i = 0; i < spans.size(); ++i) {
    const ExposureSpan& s = *spans[i];
    double y = k_top + k_row * static_cast<double>(i);
    double bar_y = y + (k_row - k_bar) / 2;
    std::string colour(severity_colour(s.severity));
    out << "<g class=\"row " << severity_class(s.severity) << "\" data-key=\"" << html_text(s.key, 200) << "\">\n";
    out << "<text x=\"4\" y=\"" << num(y + k_row / 2 + 4) << "\"><title>" << html_text(s.label, 300) << "</title>"
        << html_text(s.label.empty() ? s.key : s.label, 32) << "</text>\n";
    // Open from first_seen to each fix that closed it, then again from each reopening; the
    // last piece ends when it was closed (or was last seen, while open).
    std::vector<std::pair<std::string, std::string>> pieces;
    std::string start = s.first_seen;
    for (const auto& r : s.reopened) {
      pieces.emplace_back(start, r.fixed_at);
      start = r.seen_at;
    }
    pieces.emplace_back(start, s.closed_at.empty() ? s.last_seen : s.closed_at);
    for (const auto& [from, to] : pieces) {
      auto a = parse_rfc3339(from);
      auto b = parse_rfc3339(to);
      if (!a) {
        continue;
      }
      double x = sc.x(*a);
      double w = std::max(k_min_bar, (b ? sc.x(*b) : x) - x);
      out << "<rect class=\"bar\" x=\"" << num(x) << "\" y=\"" << num(bar_y) << "\" width=\"" << num(w)
          << "\" height=\"" << num(k_bar) << "\" fill=\"" << colour << "\"><title>"
          << html_escape(fill(tr("{what}: open from {from} to {to}"),
                              {{"what", printable(s.label, 200)}, {"from", day(from)}, {"to", day(to)}}))
          << "</title></rect>\n";
    }
    // A fix that closed it: a dark tick; seen open again: a ring.
    for (const auto& r : s.reopened) {
      if (auto f = parse_rfc3339(r.fixed_at)) {
        out << "<rect class=\"fixed-marker\" x=\"" << num(sc.x(*f) - 1.5) << "\" y=\"" << num(bar_y - 3)
            << "\" width=\"3\" height=\"" << num(k_bar + 6) << "\" fill=\"#1b5e20\"/>\n";
      }
      if (auto r2 = parse_rfc3339(r.seen_at)) {
        out << "<circle class=\"reopened-marker\" cx=\"" << num(sc.x(*r2)) << "\" cy=\"" << num(bar_y + k_bar / 2)
            << "\" r=\"5\" fill=\"#fff\" stroke=\"#000\" stroke-width=\"2\"><title>"
            << html_escape(fill(tr("open again on {date}, after the fix of {fixed}"),
                                {{"date", day(r.seen_at)}, {"fixed", day(r.fixed_at)}}))
            << "</title></circle>\n";
      }
    }
    if (!s.closed_at.empty() && s.closed_how == "fix") {
      if (auto c = parse_rfc3339(s.closed_at)) {
        out << "<rect class=\"fixed-marker\" x=\"" << num(sc.x(*c) - 1.5) << "\" y=\"" << num(bar_y - 3)
            << "\" width=\"3\" height=\"" << num(k_bar + 6) << "\" fill=\"#1b5e20\"/>\n";
      }
    }
    out << "</g>\n";
  }
  if (spans.empty()) {
    out << "<text x=\"" << num(k_plot_left) << "\" y=\"" << num(k_top + k_row / 2 + 4) << "\">"
        << html_escape(tr("Nothing was ever seen open.")) << "</text>\n";
  }
  // The axis: five dates, UTC.
  out << "<line x1=\"" << num(k_plot_left) << "\" y1=\"" << num(axis_y) << "\" x2=\"" << num(k_plot_right)
      << "\" y2=\"" << num(axis_y) << "\" stroke=\"#333\"/>\n";
  bool long_range = sc.t1 - sc.t0 > 2 * 86400;
  for (int k = 0; k <= 4; ++k) {
    std::time_t tick = sc.t0 + (sc.t1 - sc.t0) * k / 4;
    double x = sc.x(tick);
    const char* anchor = k == 0 ? "start" : k == 4 ? "end" : "middle";
    out << "<line x1=\"" << num(x) << "\" y1=\"" << num(axis_y) << "\" x2=\"" << num(x) << "\" y2=\""
        << num(axis_y + 4) << "\" stroke=\"#333\"/><text class=\"tick\" x=\"" << num(x) << "\" y=\""
        << num(axis_y + 16) << "\" text-anchor=\"" << anchor << "\">"
        << html_escape(utc_text(tick, long_range ? "%Y-%m-%d" : "%Y-%m-%d %H:%M")) << "</text>\n";
  }
  out << "<text class=\"tick\" x=\"" << num(k_plot_right) << "\" y=\"" << num(axis_y + 30)
      << "\" text-anchor=\"end\">" << html_escape(tr("dates in UTC")) << "</text>\n</svg>\n";
}

void write_timeline_section(std::ostream& out, const Timeline& t) {
  out << "<section class=\"history\">\n<h2>" << html_escape(tr("History of the exposures")) << "</h2>\n";
  if (!t.first_record.empty()) {
    out << "<p>" << html_escape(fill(tr("From the journal: {count} exposures seen between {first} and {last}."),
                                     {{"count", std::to_string(t.spans.size())},
                                      {"first", day(t.first_record)},
                                      {"last", day(t.last_record)}}))
        << "</p>\n";
  }
  out << "<div class=\"timeline\">\n";
  write_timeline_svg(out, t);
  out << "<p class=\"legend\">";
  for (Severity s : {Severity::critical, Severity::high, Severity::medium, Severity::low, Severity::info}) {
    out << "<span><i style=\"background:" << severity_colour(s) << "\"></i>" << html_escape(severity_words(s))
        << "</span>";
  }
  out << "<span>" << html_escape(tr("green tick: closed by a fix; ring: open again after a fix; dashed line: a fix or another change"))
      << "</span></p>\n</div>\n";
  if (!t.spans.empty()) {
    out << "<table class=\"box\">\n<tr><th>" << html_escape(tr("Exposure")) << "</th><th>" << html_escape(tr("Risk"))
        << "</th><th>" << html_escape(tr("Open since at least")) << "</th><th>" << html_escape(tr("Closed"))
        << "</th><th>" << html_escape(tr("Open for")) << "</th></tr>\n";
    for (const auto& s : t.spans) {
      std::string closed = s.closed_at.empty() ? tr("still open")
                           : s.closed_how == "fix"
                               ? fill(tr("{date}, by a fix (verified)"), {{"date", day(s.closed_at)}})
                               : fill(tr("{date}, no longer seen"), {{"date", day(s.closed_at)}});
      out << "<tr><td>" << html_text(s.label.empty() ? s.key : s.label, 200);
      for (const auto& r : s.reopened) {
        out << "<br>" << html_escape(fill(tr("open again on {date}, after the fix of {fixed}"),
                                          {{"date", day(r.seen_at)}, {"fixed", day(r.fixed_at)}}));
      }
      out << "</td><td>" << html_escape(severity_words(s.severity)) << "</td><td>" << html_escape(day(s.first_seen))
          << "</td><td>" << html_escape(closed) << "</td><td>" << html_escape(duration_words(s.open_seconds))
          << "</td></tr>\n";
    }
    out << "</table>\n";
  }
  out << "</section>\n";
}

}  // namespace bw::report
