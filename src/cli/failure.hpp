// How a failed run is reported: one line on stderr with the one prefix "boxwarden: error: ",
// and, where the report would have gone, something that says the run failed instead of an
// earlier run's report: with --format json the error document on stdout or in --output, with
// text and --output the same one line in that file (man page EXIT STATUS, OUTPUT).
#pragma once

#include <cstddef>
#include <iosfwd>
#include <streambuf>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "core/error.hpp"

namespace bw::cli {

class App;

// Counts what is written to stdout, so that an error after a report was (even partly) printed
// does not add a second JSON document. Unbuffered: every write goes through to std::cout's own
// buffer at once.
class CountingBuf : public std::streambuf {
 public:
  explicit CountingBuf(std::streambuf* inner) : m_inner(inner) {}
  size_t count() const { return m_count; }

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override { return m_inner->pubsync(); }

 private:
  std::streambuf* m_inner;
  size_t m_count = 0;
};

// Where a failure is reported. Filled from a scan of argv before the parser runs (the parser
// may be what fails), then from the parsed options.
struct FailureReport {
  bool json = false;         // --format json (or any format but text: a script asked for a machine format)
  bool lines = false;        // --format jsonl: the error document on one line
  std::string command;       // the command word, empty when there is none (yet)
  std::string output;        // --output, empty for stdout
  std::string site;          // --site, empty for null
  CountingBuf* stdout_count = nullptr;
  bool written = false;      // a document (report or error) is out already
};

std::string_view kind_name(ErrorKind kind);

// The error document (man page OUTPUT); audit with several -g also puts it, with the box's
// address, in place of a box's report. `message` is already escaped and bounded.
nlohmann::json error_document(const std::string& command, const std::string& site, ExitCode code, std::string_view kind,
                              const std::string& message);

// The message shown for an internal error: says it is a bug and how to report it.
std::string internal_error_message(const std::string& what);

// Writes the JSON error document (json) or the error line (text with --output) where the
// report goes, unless the command already wrote its report there. `app` is the running
// command's (its --output file may be open already), or null before the command started.
// `message` is already escaped and bounded.
void report_failure(FailureReport& report, App* app, ExitCode code, std::string_view kind,
                    const std::string& message);

// The one-line message on stderr, with the one prefix.
void print_error_line(const std::string& message);

}  // namespace bw::cli
