#include "core/interrupt.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>
#include <unistd.h>

#include "core/i18n.hpp"

namespace bw::interrupt {

namespace {

static_assert(std::atomic<int>::is_always_lock_free, "signal handlers need lock-free atomics");

constexpr int k_signals[] = {SIGINT, SIGTERM, SIGHUP};

std::atomic<bool> g_installed{false};
enum Phase : int { before_change, changing, after_change };
std::atomic<int> g_phase{before_change};
std::atomic<int> g_signo{0};           // the first signal inside the scope
std::atomic<bool> g_undoing{false};
std::atomic<int> g_tty_fd{-1};
termios g_tty_saved{};                 // written before g_tty_fd is set, read after
std::atomic<bool> g_prompting{false};
std::atomic<bool> g_colour{false};
std::atomic<int> g_lock_fd{-1};

// The handler's lines, in the person's language: translated by install(), before any handler
// can run, since gettext is not async-signal-safe; the handler only reads them. Never freed, so
// that a signal during exit still finds them.
struct Lines {
  std::string over, nothing_changed, undoing[3], still_undoing;
};
Lines* g_lines = nullptr;

void say(const char* text) {
  size_t left = std::strlen(text);
  while (left > 0) {
    ssize_t n = write(STDERR_FILENO, text, left);
    if (n <= 0) {
      return;  // stderr gone: nothing else to do in a handler
    }
    text += n;
    left -= static_cast<size_t>(n);
  }
}

void restore_terminal() {
  int fd = g_tty_fd.load();
  if (fd >= 0) {
    tcsetattr(fd, TCSANOW, &g_tty_saved);
  }
  if (g_colour.load()) {
    ssize_t ignored = write(STDOUT_FILENO, "\033[0m", 4);
    (void)ignored;
  }
}

void on_signal(int signo) {
  int saved_errno = errno;
  int phase = g_phase.load();
  if (phase == after_change) {
    say("\n");
    say(g_lines->over.c_str());
    errno = saved_errno;
    return;
  }
  if (phase == before_change) {
    // Before any change: end the run now, leaving the terminal as it was found.
    restore_terminal();
    say(g_prompting.load() ? "\n" : "");
    say(g_lines->nothing_changed.c_str());
    int lock = g_lock_fd.load();
    if (lock >= 0) {
      int ignored = ftruncate(lock, 0);
      (void)ignored;
    }
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(signo, &dfl, nullptr);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signo);
    sigprocmask(SIG_UNBLOCK, &set, nullptr);
    raise(signo);
    _exit(128 + signo);  // not reached
  }
  int expected = 0;
  if (g_signo.compare_exchange_strong(expected, signo)) {
    say("\n");
    say(g_lines->undoing[signo == SIGINT ? 0 : signo == SIGTERM ? 1 : 2].c_str());
  } else {
    say("\n");
    say(g_lines->still_undoing.c_str());
  }
  errno = saved_errno;
}

}  // namespace

void install() {
  if (g_installed.exchange(true)) {
    return;
  }
  auto* lines = new Lines;
  lines->over = std::string(tr("boxwarden: the change is over and was checked; finishing the report")) + "\n";
  lines->nothing_changed = std::string(tr("boxwarden: interrupted; nothing was changed")) + "\n";
  const char* names[3] = {"SIGINT", "SIGTERM", "SIGHUP"};
  for (int i = 0; i < 3; ++i) {
    lines->undoing[i] = fill(tr("boxwarden: interrupted ({signal}): no new change will start; putting back what was "
                                 "changed, then checking the box"),
                              {{"signal", names[i]}}) +
                         "\n";
  }
  lines->still_undoing = std::string(tr("boxwarden: still putting the box back as it was; wait, it stops by itself "
                                         "when the box is checked (killing it now could leave the box half-changed)")) +
                          "\n";
  g_lines = lines;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int s : k_signals) {
    sigaddset(&sa.sa_mask, s);  // one handler at a time
  }
  sa.sa_flags = SA_RESTART;
  for (int s : k_signals) {
    struct sigaction old {};
    sigaction(s, nullptr, &old);
    if (old.sa_handler == SIG_IGN) {
      continue;  // ignored by whoever started us (nohup; `cmd &` without job control): keep it so
    }
    sigaction(s, &sa, nullptr);
  }
}

ChangeScope::ChangeScope() {
  install();
  g_signo.store(0);
  g_undoing.store(false);
  g_phase.store(changing);
}

void ChangeScope::finished() {
  g_phase.store(after_change);
}

ChangeScope::~ChangeScope() {
  // Not back to "before any change": what was done stands (or was undone) and is reported.
  g_phase.store(after_change);
  g_undoing.store(false);
  g_signo.store(0);
}

int signal_number() {
  return g_signo.load();
}

std::string interrupted_by() {
  return fill(tr("interrupted by {signal}"), {{"signal", signal_name(signal_number())}});
}

const char* signal_name(int signo) {
  switch (signo) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "a signal";
  }
}

bool stop_requested() {
  return g_signo.load() != 0 && !g_undoing.load();
}

void undo_started() {
  g_undoing.store(true);
}

void save_terminal(int fd, const termios& saved) {
  g_tty_fd.store(-1);
  g_tty_saved = saved;
  g_tty_fd.store(fd);
}

void clear_terminal() {
  g_tty_fd.store(-1);
}

void set_prompting(bool on) {
  g_prompting.store(on);
}

void note_colour() {
  g_colour.store(true);
}

void set_lock_fd(int fd) {
  g_lock_fd.store(fd);
}

}  // namespace bw::interrupt
