// `boxwarden history --format html`: one section per box, its timeline and its changes
// (declared in report/html_report.hpp).
#include "report/html_report.hpp"

#include "core/i18n.hpp"
#include "core/text.hpp"
#include "core/utc_time.hpp"
#include "report/timeline_svg.hpp"

namespace bw::report {

void write_history_html(std::ostream& out, const std::vector<Timeline>& timelines, const HtmlMeta& meta) {
  write_page_start(out, tr("Exposure history"));
  out << "<header>\n<h1>" << html_escape(tr("Exposure history")) << "</h1>\n<p>"
      << html_escape(tr("What each box opened to the Internet, since when, and when it was closed, from boxwarden's journal."))
      << "</p>\n<table class=\"box\">\n";
  if (!meta.site.empty()) {
    out << "<tr><th>" << html_escape(tr("Site")) << "</th><td>" << html_text(meta.site, 120) << "</td></tr>\n";
  }
  out << "<tr><th>" << html_escape(tr("Date (UTC)")) << "</th><td>"
      << html_text(meta.generated_at.empty() ? utc_now() : meta.generated_at, 40) << "</td></tr>\n</table>\n</header>\n";
  if (timelines.empty()) {
    out << "<p>" << html_escape(tr("The journal holds no record yet.")) << "</p>\n";
  }
  for (const auto& t : timelines) {
    out << "<section class=\"box-section\">\n<h2>"
        << html_escape(fill(tr("Box {model} at {address}"),
                  {{"model", printable(t.model.empty() ? std::string(tr("model unknown")) : t.model, 80)},
                   {"address", printable(t.address, 80)}}))
        << "</h2>\n<table class=\"box\">\n";
    if (!t.vendor.empty()) {
      out << "<tr><th>" << html_escape(tr("Vendor")) << "</th><td>" << html_text(t.vendor, 40) << "</td></tr>\n";
    }
    if (!t.box_id.empty()) {
      out << "<tr><th>" << html_escape(tr("Box identifier")) << "</th><td class=\"key\">" << html_text(t.box_id, 80) << "</td></tr>\n";
    }
    if (!t.site.empty()) {
      out << "<tr><th>" << html_escape(tr("Site")) << "</th><td>" << html_text(t.site, 120) << "</td></tr>\n";
    }
    if (!t.profile.empty()) {
      out << "<tr><th>" << html_escape(tr("Profile")) << "</th><td>" << html_text(t.profile, 60) << "</td></tr>\n";
    }
    out << "</table>\n";
    write_timeline_section(out, t);
    if (!t.events.empty()) {
      out << "<h3>" << html_escape(tr("Changes made by boxwarden")) << "</h3>\n<ul>\n";
      for (const auto& ev : t.events) {
        out << "<li>" << html_text(ev.time, 40) << " &mdash; " << html_text(ev.summary.empty() ? ev.command : ev.summary, 300)
            << "</li>\n";
      }
      out << "</ul>\n";
    }
    out << "</section>\n";
  }
  write_footer(out);
  write_page_end(out);
}

}  // namespace bw::report
