// The history of a box's exposures drawn as an inline SVG timeline: one row per exposure, a
// bar from when it was first seen to when it was closed (or last seen, while open), coloured
// by severity, with markers where a fix closed it and where it came back; fixes and other
// events as dashed lines; dates (UTC) on an axis. Pure: no time of day, no file, no network.
#pragma once

#include <ctime>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "journal/timeline.hpp"

namespace bw::report {

// "2026-12-02T07:16:18Z" (fractions of a second and a numeric offset are understood).
std::optional<std::time_t> parse_rfc3339(std::string_view text);

// "3 days", "5 hours", "12 minutes": a duration in words, translated.
std::string duration_words(long long seconds);

// The <svg> element alone (inline in a page): rows in the order of first_seen; each bar
// segment is <rect class="bar" ...>, each row a <g class="row">.
void write_timeline_svg(std::ostream& out, const Timeline& t);

// A section for a page: heading, the SVG, its legend and the same facts as a table (for
// reading aloud, copying, and for a printer that drops colours).
void write_timeline_section(std::ostream& out, const Timeline& t);

}  // namespace bw::report
