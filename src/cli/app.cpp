#include "cli/app.hpp"

#include <cstdlib>
#include <iostream>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
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
    throw Error(ErrorKind::usage, "cannot read the password file " + path + "; check the path");
  }
  if ((st.st_mode & 077) != 0) {
    std::cerr << "boxwarden: warning: " << path << " can be read by other users; run: chmod 600 " << path << "\n";
  }
  std::string data = read_file(path, 4096);
  auto nl = data.find_first_of("\r\n");
  Secret s(data.substr(0, nl));
  std::fill(data.begin(), data.end(), '\0');
  return s;
}

Secret prompt_password() {
  if (!isatty(STDIN_FILENO)) {
    return Secret();
  }
  std::cerr << "Password of the box's administrator (not shown): " << std::flush;
  termios old{};
  tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  std::string line;
  std::getline(std::cin, line);
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
  std::cerr << "\n";
  Secret s(line);
  std::fill(line.begin(), line.end(), '\0');
  return s;
}

}  // namespace

App::App(Options options)
    : m_opt(std::move(options)),
      m_deadline(std::chrono::milliseconds(static_cast<long>(m_opt.timeout * 1000))) {}

App::~App() = default;

std::ostream& App::out() {
  if (m_opt.output.empty()) {
    return std::cout;
  }
  if (!m_file.is_open()) {
    // Opened on first use, so that an error before the report leaves an old report intact.
    m_file.open(m_opt.output, std::ios::out | std::ios::trunc);
    if (!m_file) {
      throw Error(ErrorKind::usage, "cannot write " + m_opt.output + "; check --output");
    }
  }
  return m_file;
}

bool App::interactive() const {
  return isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
}

void App::progress(const std::string& message) {
  if (!m_opt.quiet && (m_opt.verbose || isatty(STDERR_FILENO))) {
    std::cerr << "boxwarden: " << message << "...\n";
  }
}

void App::note(const std::string& message) {
  if (!m_opt.quiet) {
    std::cerr << "boxwarden: " << message << "\n";
  }
}

bool App::color() const {
  return !m_opt.no_color && m_opt.output.empty() && std::getenv("NO_COLOR") == nullptr &&
         isatty(STDOUT_FILENO) && m_opt.format == Format::text;
}

std::string App::paint(const std::string& text, const char* ansi) const {
  return color() ? std::string("\033[") + ansi + "m" + text + "\033[0m" : text;
}

HttpClient& App::http() {
  if (!m_http) {
    // Boxes with a self-signed certificate: trust on first use, pins in <state-dir>/pins.
    PinningOptions pinning;
    pinning.command = "boxwarden" + (m_opt.state_dir.empty() ? "" : " --state-dir " + m_opt.state_dir);
    pinning.notify = [this](const std::string& message) { note(message); };
    m_http = make_pinning_http_client(make_curl_http_client(), pin_store(), std::move(pinning));
  }
  return *m_http;
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

SessionContext& App::session_context() {
  if (!m_ctx) {
    Credentials c;
    c.user = m_opt.user;
    if (!m_opt.password_file.empty()) {
      c.password = read_password_file(m_opt.password_file);
    } else if (const char* env = std::getenv("BOXWARDEN_PASSWORD"); env != nullptr && *env != '\0') {
      c.password = Secret(env);
    }
    c.ask_password = [] { return prompt_password(); };
    m_ctx = std::make_unique<SessionContext>(SessionContext{http(), m_deadline, std::move(c)});
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
                         [this](const std::string& gw, std::chrono::milliseconds wait) {
                           return natpmp_probe(gw, wait, m_deadline);
                         }};
  progress("looking for the box");
  Discovered found = bw::discover(d, session_context(), probes);
  for (const auto& r : found.ignored_ssdp) {
    if (m_opt.verbose) {
      note("ignored an SSDP answer from " + r.from + " (not the gateway " + found.target.address + ")");
    }
  }
  return found;
}

std::unique_ptr<Box> App::connect(const Discovered& found) {
  progress("reading the box at " + found.target.address);
  return std::make_unique<Box>(found, session_context());
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
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes" || answer == "oui";
}

}  // namespace bw::cli
