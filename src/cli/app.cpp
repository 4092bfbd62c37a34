#include "cli/app.hpp"

#include "net/recording_http_client.hpp"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <iostream>
#include <poll.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/interrupt.hpp"
#include "core/text.hpp"
#include "net/natpmp.hpp"
#include "net/pin_store.hpp"
#include "rules/profile.hpp"

namespace bw::cli {

namespace {

// Reads a password file: first line, without the newline. Warns when others can read it,
// even with -q: a quiet run from cron is where a loose password file is most often left.
Secret read_password_file(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    throw Error(ErrorKind::usage, fill(tr("cannot read the password file {file}; check the path"), {{"file", path}}));
  }
  if ((st.st_mode & 077) != 0) {
    std::cerr << fill(tr("boxwarden: warning: {file} can be read by other users; run: chmod 600 {file}"), {{"file", path}})
              << "\n";
  }
  std::string data = read_file(path, 4096);
  auto nl = data.find_first_of("\r\n");
  Secret s(data.substr(0, nl));
  std::fill(data.begin(), data.end(), '\0');
  return s;
}

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return;
    }
    text.remove_prefix(static_cast<size_t>(n));
  }
}

// The controlling terminal, with echo off for as long as it lives. The settings found are put
// back however the prompt ends: an answer, end of file, an error, an exception; a signal
// puts them back from its handler (core/interrupt.hpp) before the process dies.
class QuietTerminal {
 public:
  explicit QuietTerminal(int fd) : m_fd(fd) {
    if (tcgetattr(m_fd, &m_saved) != 0) {
      throw Error(ErrorKind::auth, tr("cannot switch off the echo of the terminal to ask for the password; "
                                      "give it with --password-file or BOXWARDEN_PASSWORD"));
    }
    interrupt::save_terminal(m_fd, m_saved);
    interrupt::set_prompting(true);
    termios quiet = m_saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL);
    tcsetattr(m_fd, TCSAFLUSH, &quiet);
  }
  ~QuietTerminal() {
    tcsetattr(m_fd, TCSAFLUSH, &m_saved);
    interrupt::clear_terminal();
    interrupt::set_prompting(false);
  }
  QuietTerminal(const QuietTerminal&) = delete;
  QuietTerminal& operator=(const QuietTerminal&) = delete;

 private:
  int m_fd;
  termios m_saved{};
};

// Reads one line from `fd`, without its newline; bounded. False on end of file before a line.
bool read_line(int fd, std::string& line) {
  constexpr size_t k_max = 4096;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int r = poll(&p, 1, -1);
    if (r < 0 && errno == EINTR) {
      if (interrupt::stop_requested()) {
        throw Error(ErrorKind::auth, tr("interrupted at the password prompt"));
      }
      continue;
    }
    char c = 0;
    ssize_t n = read(fd, &c, 1);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
      continue;
    }
    if (n <= 0) {
      return !line.empty();
    }
    if (c == '\n' || c == '\r') {
      return true;
    }
    if (line.size() < k_max) {
      line.push_back(c);
    }
  }
}

// Asks on the controlling terminal (/dev/tty, like ssh and sudo), so that stdin may be
// redirected; only when someone is there (stdin or stderr is a terminal: not from a script with
// both redirected, which gets the one-line error instead of a question nobody sees); no
// controlling terminal (cron): no password.
Secret prompt_password() {
  if (!isatty(STDIN_FILENO) && !isatty(STDERR_FILENO)) {
    return Secret();
  }
  int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return Secret();
  }
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};
  std::cerr << std::flush;
  std::string line;
  {
    QuietTerminal quiet(fd);
    write_all(fd, tr("Password of the box's administrator (not shown): "));
    read_line(fd, line);
  }
  write_all(fd, "\n");
  Secret s(line);
  std::fill(line.begin(), line.end(), '\0');
  return s;
}

}  // namespace

App::App(Options options)
    : m_opt(std::move(options)),
      m_deadline(std::chrono::milliseconds(static_cast<long>(m_opt.timeout * 1000))) {
  interrupt::install();  // a signal before any change: terminal restored, "nothing was changed"
}

App::~App() = default;

std::ostream& App::out() {
  if (m_sink != nullptr) {
    return *m_sink;
  }
  if (m_opt.output.empty()) {
    return std::cout;
  }
  if (!m_file.is_open()) {
    // Opened on first use, so that an error before the report leaves an old report intact.
    m_file.open(m_opt.output, std::ios::out | std::ios::trunc);
    if (!m_file) {
      throw Error(ErrorKind::usage, fill(tr("cannot write {file}; check --output"), {{"file", m_opt.output}}));
    }
  }
  return m_file;
}

bool App::interactive() const {
  return m_sink == nullptr && !m_opt.no_input && isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
}

void App::batch(std::ostream& sink, std::string label, Credentials credentials) {
  m_sink = &sink;
  m_label = std::move(label);
  credentials.ask_password = [] { return Secret(); };
  m_credentials = std::move(credentials);
}

std::string App::who() const {
  return m_label.empty() ? std::string("boxwarden: ") : "boxwarden: " + printable(m_label, 80) + ": ";
}

// One write per line: workers of a batch share stderr.
void App::progress(const std::string& message) {
  if (!m_opt.quiet && (m_opt.verbose || isatty(STDERR_FILENO))) {
    std::cerr << (who() + message + "...\n");
  }
}

void App::note(const std::string& message) {
  if (!m_opt.quiet) {
    std::cerr << (who() + message + "\n");
  }
}

bool App::color() const {
  return !m_opt.no_color && m_opt.output.empty() && std::getenv("NO_COLOR") == nullptr &&
         isatty(STDOUT_FILENO) && m_opt.format == Format::text;
}

std::string App::paint(const std::string& text, const char* ansi) const {
  if (!color()) {
    return text;
  }
  interrupt::note_colour();  // a signal resets the colour on its way out
  return std::string("\033[") + ansi + "m" + text + "\033[0m";
}

HttpClient& App::http() {
  if (!m_http) {
    // Boxes with a self-signed certificate: trust on first use, pins in <state-dir>/pins.
    PinningOptions pinning;
    pinning.command = "boxwarden" + (m_opt.state_dir.empty() ? "" : " --state-dir " + m_opt.state_dir);
    pinning.notify = [this](const std::string& message) { note(message); };
    m_http = make_pinning_http_client(make_curl_http_client(), pin_store(), std::move(pinning));
    // Plugins talk through the recorder: it sends everything, except the changes a --dry-run
    // rehearses (Box::rehearse()).
    m_watch = std::make_unique<AnswerWatchHttpClient>(*m_http);
    m_recorder = std::make_unique<RecordingHttpClient>(*m_watch);
  }
  return *m_recorder;
}

PinStore App::pin_store() const {
  if (!m_opt.state_dir.empty()) {
    return PinStore(m_opt.state_dir + "/pins");
  }
  try {
    return PinStore(default_state_dir() + "/pins");
  } catch (const Error&) {
    return PinStore("");  // fails, saying why, only when a pin is needed
  }
}

Severity App::fail_on() const {
  auto s = parse_severity(m_opt.fail_on);
  if (!s) {
    throw Error(ErrorKind::usage, "--fail-on: '" + m_opt.fail_on + "' is not a severity; use info, low, medium, high or critical");
  }
  return *s;
}

BackupStore App::backups() const {
  return BackupStore(m_opt.state_dir.empty() ? default_state_dir() : m_opt.state_dir);
}

TokenStore App::token_store() const {
  if (!m_opt.state_dir.empty()) {
    return TokenStore(m_opt.state_dir + "/tokens");
  }
  try {
    return TokenStore(default_state_dir() + "/tokens");
  } catch (const Error&) {
    return TokenStore("");  // fails, saying why, only when a token is needed
  }
}

// --ca-file, else BOXWARDEN_CA_FILE: PEM text, checked to hold a certificate.
static std::string read_ca_file(const std::string& option) {
  std::string path = option;
  if (path.empty()) {
    const char* env = std::getenv("BOXWARDEN_CA_FILE");
    path = env != nullptr ? env : "";
  }
  if (path.empty()) {
    return {};
  }
  std::string pem = read_file(path, 1 << 20);
  if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    throw Error(ErrorKind::usage, "--ca-file: " + path + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
  }
  return pem;
}

SessionContext& App::session_context() {
  if (!m_ctx) {
    Credentials c;
    if (m_credentials) {
      c = *m_credentials;
    } else {
      c.user = m_opt.user;
      if (!m_opt.password_file.empty()) {
        c.password = read_password_file(m_opt.password_file);
      } else if (const char* env = std::getenv("BOXWARDEN_PASSWORD"); env != nullptr && *env != '\0') {
        c.password = Secret(env);
      }
      // --no-input: no question, whatever the terminal; the run fails as it does without one.
      c.ask_password = [no_input = m_opt.no_input] { return no_input ? Secret() : prompt_password(); };
      c.extra_ca_pem = read_ca_file(m_opt.ca_file);
    }
    m_tokens = std::make_unique<TokenStore>(token_store());
    m_ctx = std::make_unique<SessionContext>(SessionContext{http(), m_deadline, std::move(c)});
    m_ctx->tokens = m_tokens.get();
    // What a plugin asks the person to do is said even with -q: the run waits for it.
    m_ctx->tell = [this](const std::string& message) {
      std::cerr << (who() + printable(message, 500) + "\n") << std::flush;
    };
    // The same condition as the password prompt: someone at a terminal can act (not a worker,
    // not under --no-input).
    m_ctx->can_ask = m_sink == nullptr && !m_opt.no_input && (isatty(STDIN_FILENO) || isatty(STDERR_FILENO));
  }
  return *m_ctx;
}

Discovered App::discover(size_t gateway_index) {
  DiscoveryOptions d;
  if (gateway_index < m_opt.gateways.size()) {
    d.gateway = parse_host_port(m_opt.gateways[gateway_index]);
  }
  d.vendor = m_opt.vendor;
  d.timeout = std::chrono::milliseconds(static_cast<long>(m_opt.timeout * 1000));
  auto scanner = make_udp_ssdp_scanner();
  DiscoveryProbes probes{*scanner, [] { return default_gateway_ipv4(); },
                         [this](const std::string& gw, std::chrono::milliseconds wait, const Cutoff* cutoff) {
                           return natpmp_probe(gw, wait, m_deadline, cutoff);
                         },
                         [this] { return m_watch && m_watch->answered(); }};
  progress(tr("looking for the box"));
  Discovered found = bw::discover(d, session_context(), probes);
  if (m_opt.verbose) {
    note(fill(tr("found the box at {address} in {ms} ms"),
              {{"address", found.target.address}, {"ms", std::to_string(found.took.count())}}));
  }
  for (const auto& r : found.ignored_ssdp) {
    if (m_opt.verbose) {
      note(fill(tr("ignored an SSDP answer from {from} (not the gateway {address})"),
                {{"from", r.from}, {"address", found.target.address}}));
    }
  }
  return found;
}

std::unique_ptr<Box> App::connect(const Discovered& found) {
  if (m_lock_wanted && !m_lock) {
    m_lock.emplace(BoxLock::take(found.target.address, found.target.port,
                                 [this](const std::string& message) { note(message); }));
    if (m_opt.verbose) {
      note(fill(tr("holding the lock {file}"), {{"file", m_lock->path()}}));
    }
  }
  progress(fill(tr("reading the box at {address}"), {{"address", found.target.address}}));
  SessionContext& ctx = session_context();
  return std::make_unique<Box>(found, ctx, m_recorder.get());
}

Profile App::profile() const {
  return load_profile(m_opt.profile);
}

bool App::confirm(const std::string& question) {
  if (!interactive()) {
    return false;
  }
  std::cerr << question << " [y/N] " << std::flush;
  std::string answer;
  interrupt::set_prompting(true);
  std::getline(std::cin, answer);
  interrupt::set_prompting(false);
  return answer == "y" || answer == "Y" || answer == "yes" || answer == "oui";
}

}  // namespace bw::cli
