#include "cli/breach_html.hpp"

#include "core/i18n.hpp"
#include "core/text.hpp"

namespace bw::cli {

namespace {

std::string text(const nlohmann::json& j) {
  return j.is_string() ? j.get<std::string>() : std::string();
}

std::string e(const std::string& s) {
  return breach_html_escape(s);
}

}  // namespace

std::string breach_html_escape(const std::string& s) {
  std::string out;
  for (char c : valid_utf8(s)) {
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

void write_breach_html(std::ostream& out, const nlohmann::json& doc) {
  const auto& box = doc["box"];
  out << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n<title>"
      << e(tr("DRAFT: facts for a personal data breach notification (GDPR Art. 33(3))")) << "</title>\n"
      << "<style>body{font-family:sans-serif;max-width:48em;margin:1em auto;line-height:1.4}"
         ".blank{background:#fff3b0;font-weight:bold}.notice{border:2px solid #a00;padding:.5em}"
         "@page{size:A4;margin:15mm}@media print{body{margin:0;max-width:none}}</style>\n"
      << "</head><body>\n<h1>" << e(tr("DRAFT: facts for a personal data breach notification (GDPR Art. 33(3))"))
      << "</h1>\n<p class=\"notice\">" << e(text(doc["legal_notice"])) << "</p>\n<p>"
      << e(fill(tr("Box: {address} ({model}), profile {profile}"),
                {{"address", text(box["address"])}, {"model", text(box["model"])}, {"profile", text(box["profile"])}}))
      << "</p>\n";
  for (const auto& d : doc["drafts"]) {
    out << "<h2>" << e(text(d["label"])) << " (" << e(text(d["severity"])) << ")</h2>\n<ul>\n";
    out << "<li>" << e(fill(tr("Open at least since {date} (the first time boxwarden saw it; it may have been open before)."),
                            {{"date", text(d["first_seen"])}}))
        << "</li>\n";
    if (d["still_open"].get<bool>()) {
      out << "<li>" << e(fill(tr("STILL OPEN when last seen, {date}."), {{"date", text(d["last_seen"])}})) << "</li>\n";
    } else {
      out << "<li>" << e(fill(tr("Closed and verified on {date} ({how})."), {{"date", text(d["closed_at"])}, {"how", text(d["closed_how"])}}))
          << "</li>\n";
    }
    for (const auto& r : d["reopened"]) {
      out << "<li>" << e(fill(tr("Open again on {date}, after the fix of {fixed}."),
                              {{"date", text(r["seen_at"])}, {"fixed", text(r["fixed_at"])}}))
          << "</li>\n";
    }
    for (const auto& m : d["measures"]) {
      out << "<li>" << e(text(m["time"])) << ": " << e(text(m["summary"])) << "</li>\n";
    }
    out << "</ul>\n";
  }
  out << "<h2>" << e(tr("Only you know these; fill them in before notifying:")) << "</h2>\n<ul>\n";
  for (const auto& b : doc["blanks"]) {
    out << "<li class=\"blank\">" << e(text(b["text"])) << "</li>\n";
  }
  out << "</ul>\n</body></html>\n";
}

}  // namespace bw::cli
