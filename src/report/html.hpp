// The parts every HTML page of boxwarden shares: escaping, the language, the page's head with
// its inline style (screen and A4 print), severity words and colours. A page is one
// self-contained file: no script, no outside asset or URL, so that it prints and keeps.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "core/severity.hpp"

namespace bw::report {

// What a history (or breach) page says about itself; the report pages take it from the Report.
struct HtmlMeta {
  std::string generated_at;  // UTC, RFC 3339; "" = now
  std::string site;          // --site, "" = none
};

// & < > " ' as entities: safe in element text and in quoted attribute values (HTML and SVG).
std::string html_escape(std::string_view s);
// Untrusted text (from a box, a file, the journal) for a page: printable() first (controls,
// bidi overrides and invalid UTF-8 become visible escapes; at most max_chars), then escaped.
std::string html_text(std::string_view untrusted, size_t max_chars = 200);

// The page's <html lang>: "en", unless the messages are translated (then the language of
// LC_MESSAGES, e.g. "fr").
std::string page_lang();

// <!DOCTYPE html> ... <body>: `title` is plain text (escaped here).
void write_page_start(std::ostream& out, std::string_view title);
// The last lines of every page: the tool and its version, and that it is not legal advice.
void write_footer(std::ostream& out);
// </body></html>
void write_page_end(std::ostream& out);

// "#rrggbb", the colour of a severity on every page (bars, badges, legend).
std::string_view severity_colour(Severity s);
// The severity in words for people ("High risk"), translated.
std::string severity_words(Severity s);
// The severity's class name on the page: "sev-high".
std::string severity_class(Severity s);

}  // namespace bw::report
