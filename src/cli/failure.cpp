#include "cli/failure.hpp"

#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/app.hpp"
#include "cli/document.hpp"
#include "core/i18n.hpp"

namespace bw::cli {

CountingBuf::int_type CountingBuf::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) {
    return traits_type::not_eof(c);
  }
  ++m_count;
  return m_inner->sputc(traits_type::to_char_type(c));
}

std::streamsize CountingBuf::xsputn(const char* s, std::streamsize n) {
  m_count += static_cast<size_t>(n);
  return m_inner->sputn(s, n);
}

std::string_view kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::usage:
      return "usage";
    case ErrorKind::unreachable:
      return "unreachable";
    case ErrorKind::protocol:
      return "protocol";
    case ErrorKind::auth:
      return "auth";
    case ErrorKind::refused:
      return "refused";
    case ErrorKind::unsupported:
      return "unsupported";
    case ErrorKind::conflict:
      return "conflict";
    case ErrorKind::busy:
      return "busy";
    case ErrorKind::internal:
      return "internal";
  }
  return "internal";
}

std::string internal_error_message(const std::string& what) {
  // Honest about the box: the run stopped where the bug was met; a fix writes its backup
  // before its first change, so the person can see and undo what was done.
  return fill(tr("internal error (a bug in boxwarden, not a problem with your box): {what}; please report it "
                 "with the command you ran and the output of 'boxwarden --version'. boxwarden stopped there "
                 "and changed nothing more; if it was changing the box, 'boxwarden backups' lists the backup "
                 "to roll back"),
              {{"what", what}});
}

nlohmann::json error_document(const std::string& command, const std::string& site, ExitCode code,
                              std::string_view kind, const std::string& message) {
  nlohmann::json doc = {
      {"tool", {{"name", "boxwarden"}, {"version", BOXWARDEN_VERSION}}},
      {"command", command},
      {"error", {{"exit_code", static_cast<int>(code)}, {"kind", std::string(kind)}, {"message", message}}}};
  stamp(doc, site);
  return doc;
}

void report_failure(FailureReport& report, App* app, ExitCode code, std::string_view kind,
                    const std::string& message) {
  if (report.written || (!report.json && report.output.empty())) {
    return;
  }
  report.written = true;
  std::string text = report.json ? error_document(report.command, report.site, code, kind, message)
                                       .dump(report.lines ? -1 : 2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"
                                 : fill(tr("boxwarden: error: {message}"), {{"message", message}}) + "\n";
  try {
    if (report.output.empty()) {
      if (report.stdout_count != nullptr && report.stdout_count->count() > 0) {
        return;  // a report (or part of one) is on stdout already
      }
      std::cout << text << std::flush;
    } else if (app != nullptr) {
      std::ostream& out = app->out();  // opens (and empties) the file if the command did not
      if (out.tellp() > 0) {
        // Part of a report is in the file: a second JSON document would make it unreadable;
        // a text report gets the error as its last line, so it does not look complete.
        if (!report.json) {
          out << "\n" << text << std::flush;
        }
        return;
      }
      out << text << std::flush;
    } else {
      std::ofstream out(report.output, std::ios::out | std::ios::trunc);
      out << text << std::flush;
    }
  } catch (const std::exception&) {
    // The --output file cannot be written: the message on stderr says why the run failed.
  }
}

void print_error_line(const std::string& message) {
  std::cout.flush();  // a report's last line comes before the error
  std::cerr << fill(tr("boxwarden: error: {message}"), {{"message", message}}) << "\n" << std::flush;
}

}  // namespace bw::cli
