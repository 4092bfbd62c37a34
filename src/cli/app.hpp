// App: what one run of the command line shares between the command handlers: the parsed
// options, the output streams, the deadline, the HTTP client and the way to the box.
#pragma once

#include <fstream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/box_lock.hpp"
#include "core/deadline.hpp"
#include "core/token_store.hpp"
#include "core/severity.hpp"
#include "discovery/box.hpp"
#include "net/answer_watch.hpp"
#include "net/http_client.hpp"
#include "net/recording_http_client.hpp"
#include "net/pin_store.hpp"
#include "plan/backup_store.hpp"

namespace bw {
struct Profile;
}

namespace bw::cli {

// jsonl: audit only (one line per box); csv, html, junit: fleet only (run.cpp checks which).
enum class Format { text, json, jsonl, csv, html, junit };

struct Options {
  std::vector<std::string> gateways;
  std::string vendor = "auto";
  std::string user;
  std::string password_file;
  std::string ca_file;  // --ca-file: extra CA certificates (PEM) for boxes with their own CA
  std::string profile = "home";
  Format format = Format::text;
  std::string output;
  double timeout = 60;
  bool yes = false;
  bool dry_run = false;
  std::string state_dir;
  bool verbose = false;
  bool quiet = false;
  bool no_color = false;
  std::string fail_on = "high";
  int jobs = 8;  // audit --jobs: boxes read at once
  std::string site;        // --site: the label every JSON document carries ("" = null)
  bool no_input = false;   // --no-input: never prompt, whatever the terminal
  std::vector<std::string> args;  // positional arguments of the command
};

class App {
 public:
  explicit App(Options options);
  ~App();

  const Options& opt() const { return m_opt; }
  void set_gateway(const std::string& address) { m_opt.gateways = {address}; }
  std::ostream& out();                       // stdout, or the --output file
  void progress(const std::string& message);  // stderr, when someone is watching or -v
  void note(const std::string& message);      // stderr unless --quiet
  bool color() const;                        // ANSI colour on stdout
  std::string paint(const std::string& text, const char* ansi) const;

  const Deadline& deadline() const { return m_deadline; }
  HttpClient& http();
  Severity fail_on() const;
  BackupStore backups() const;
  PinStore pin_store() const;  // <state-dir>/pins: certificate keys pinned on first use
  TokenStore token_store() const;  // <state-dir>/tokens: app tokens boxes gave at pairing

  // Discovery and connection to one box (the n-th --gateway, or the default gateway).
  Discovered discover(size_t gateway_index = 0);
  std::unique_ptr<Box> connect(const Discovered& found);
  // Commands that change the box call this first: connect() then takes the box's lock
  // (core/box_lock.hpp) before reading it, and the run holds it until it ends. Exit 75 when
  // another run holds it.
  void lock_box_on_connect() { m_lock_wanted = true; }
  Profile profile() const;

  // Asks "question [y/N]" on the terminal; false without a terminal.
  bool confirm(const std::string& question);
  bool interactive() const;  // stdin and stderr are terminals, and not --no-input

  SessionContext& session_context();

  // Several boxes in one run (audit -g A -g B ...): this App reads one of them, on a worker
  // thread. Its report goes to `sink` (the main thread writes it out in order), its messages
  // on stderr name the box (`label`), it never prompts (a worker cannot share the terminal) and
  // it uses `credentials`, read once by the main thread (one warning, one read of the file).
  void batch(std::ostream& sink, std::string label, Credentials credentials);

 private:
  std::string who() const;  // "boxwarden: " or "boxwarden: LABEL: "

  Options m_opt;
  Deadline m_deadline;
  std::unique_ptr<HttpClient> m_http;
  std::unique_ptr<AnswerWatchHttpClient> m_watch;   // wraps m_http: did the box answer anything?
  std::unique_ptr<RecordingHttpClient> m_recorder;  // wraps m_watch; what plugins are given
  std::unique_ptr<SessionContext> m_ctx;
  std::unique_ptr<TokenStore> m_tokens;
  std::ofstream m_file;
  bool m_lock_wanted = false;
  std::optional<BoxLock> m_lock;
  std::ostream* m_sink = nullptr;            // batch(): where out() goes
  std::string m_label;                       // batch(): the box, in messages
  std::optional<Credentials> m_credentials;  // batch(): read by the main thread
};

}  // namespace bw::cli
