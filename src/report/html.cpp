#include "report/html.hpp"

#include <cctype>
#include <clocale>
#include <cstdlib>

#include "core/i18n.hpp"
#include "core/text.hpp"

namespace bw::report {

namespace {

// Screen: one readable column. Print: A4 with margins, a finding, a step or the timeline is
// never cut across two pages, colours are printed (the severities are colours).
constexpr const char* k_style = R"(
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;font-size:11pt;line-height:1.4;color:#111;
 max-width:190mm;margin:1em auto;padding:0 1em}
h1{font-size:18pt;margin:.2em 0}
h2{font-size:14pt;margin:1.2em 0 .4em;border-bottom:2px solid #444;padding-bottom:.1em}
h3{font-size:12pt;margin:.8em 0 .3em}
table.box{border-collapse:collapse;margin:.4em 0}
table.box th{text-align:left;padding:.1em 1em .1em 0;font-weight:600;vertical-align:top}
table.box td{padding:.1em 0;vertical-align:top}
.finding{border:1px solid #ccc;border-left:8px solid #999;padding:.4em .6em;margin:.5em 0;
 break-inside:avoid;page-break-inside:avoid}
.finding p{margin:.2em 0}
.badge{display:inline-block;color:#fff;font-weight:700;padding:0 .4em;border-radius:3px;margin-right:.4em}
.sev-critical{border-left-color:#7b0000}.sev-high{border-left-color:#d32f2f}
.sev-medium{border-left-color:#ef6c00}.sev-low{border-left-color:#f9a825}.sev-info{border-left-color:#757575}
.note{background:#f4f4f4;border:1px solid #ddd;padding:.5em .7em;break-inside:avoid;page-break-inside:avoid}
.ok{color:#1b5e20;font-weight:600}.failed{color:#b71c1c;font-weight:600}
ol.steps li,ul.steps li{break-inside:avoid;page-break-inside:avoid;margin:.3em 0}
.manual{white-space:pre-wrap}
code,.key{font-family:"DejaVu Sans Mono",monospace;font-size:9.5pt;word-break:break-all}
.timeline{break-inside:avoid;page-break-inside:avoid;margin:.5em 0}
.timeline svg{width:100%;height:auto}
.legend span{display:inline-block;margin-right:1em}
.legend i{display:inline-block;width:.8em;height:.8em;margin-right:.3em;vertical-align:middle}
footer{margin-top:2em;font-size:9pt;color:#555;border-top:1px solid #ccc}
h2,h3{break-after:avoid;page-break-after:avoid}
@page{size:A4;margin:15mm 15mm 18mm 15mm}
@media print{body{max-width:none;margin:0;padding:0;font-size:10pt}a{color:inherit;text-decoration:none}
 section.box-section{break-before:auto}}
)";

}  // namespace

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string html_text(std::string_view untrusted, size_t max_chars) {
  return html_escape(printable(untrusted, max_chars));
}

std::string page_lang() {
  // A message of every page: translated means the catalogue of the person's language is in use.
  const char* probe = "Security report";
  if (std::string_view(tr(probe)) == probe) {
    return "en";
  }
  const char* locale = std::setlocale(LC_MESSAGES, nullptr);
  const char* language = std::getenv("LANGUAGE");
  std::string_view name = language && *language ? language : locale ? locale : "";
  std::string code;
  for (char c : name) {
    if (!std::islower(static_cast<unsigned char>(c)) || code.size() == 3) {
      break;
    }
    code += c;
  }
  return code.size() >= 2 ? code : "en";
}

void write_page_start(std::ostream& out, std::string_view title) {
  out << "<!DOCTYPE html>\n<html lang=\"" << html_escape(page_lang()) << "\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>" << html_escape(title) << "</title>\n<style>" << k_style << "</style>\n</head>\n<body>\n";
}

void write_page_end(std::ostream& out) {
  out << "</body>\n</html>\n";
}

void write_footer(std::ostream& out) {
  out << "<footer><p>"
      << html_escape(fill(tr("Made by boxwarden {version}. This report describes what the box showed when it "
                             "was read; it is not legal advice."),
                          {{"version", BOXWARDEN_VERSION}}))
      << "</p></footer>\n";
}

std::string_view severity_colour(Severity s) {
  switch (s) {
    case Severity::critical: return "#7b0000";
    case Severity::high: return "#d32f2f";
    case Severity::medium: return "#ef6c00";
    case Severity::low: return "#f9a825";
    case Severity::info: return "#757575";
  }
  return "#757575";
}

std::string severity_words(Severity s) {
  switch (s) {
    case Severity::critical: return tr("Critical risk");
    case Severity::high: return tr("High risk");
    case Severity::medium: return tr("Medium risk");
    case Severity::low: return tr("Low risk");
    case Severity::info: return tr("For information");
  }
  return tr("For information");
}

std::string severity_class(Severity s) {
  return "sev-" + std::string(to_string(s));
}

}  // namespace bw::report
