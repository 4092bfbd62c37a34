// Signals (SIGINT, SIGTERM, SIGHUP) during a run. Two phases:
//
//  - Before any change (reading the box, the [y/N] question, the password prompt): the first
//    signal ends the run at once, from the handler: the terminal is put back (echo, colour),
//    "interrupted; nothing was changed" goes to stderr, and the process dies of that signal
//    (a shell reports 128+signo, and a shell script that ran it stops too).
//  - While a ChangeScope lives (fix, rollback, vpn setup once they change the box): the first
//    signal only sets a flag and says it was heard; the executor starts no new change, undoes
//    what was done, checks the box and the command exits 5 (normally: stdout is flushed, no
//    line is cut). Every further signal is explained ("still putting the box back") and the
//    undo is never cut short by one.
//
// Everything the handlers touch is a lock-free atomic or a plain fd, and they call only
// async-signal-safe functions (write, tcsetattr, ftruncate, sigaction, raise).
#pragma once

#include <string>

#include <termios.h>

namespace bw::interrupt {

// Installs the handlers (sigaction, SA_RESTART). Idempotent. A signal ignored when the
// program started (nohup, a background job of a shell without job control) stays ignored.
void install();

// The box is being changed: signals are flags, not death. Nested scopes are not supported.
// After it, a signal is only answered ("the change is over; finishing the report"): the
// outcome is known and is reported.
class ChangeScope {
 public:
  ChangeScope();
  ~ChangeScope();
  // The outcome is known (applied, undone...): from now on a signal is only answered.
  void finished();
  ChangeScope(const ChangeScope&) = delete;
  ChangeScope& operator=(const ChangeScope&) = delete;
};

// The signal that interrupted the change (0: none).
int signal_number();
// "SIGINT", "SIGTERM", "SIGHUP" or "a signal".
const char* signal_name(int signo);
// "interrupted by SIGINT": the failure a report gives for the signal that stopped the change.
std::string interrupted_by();

// True when a signal asked to stop and the undo has not started: no new change may start, and
// a wait (for a box that restarts) may end early.
bool stop_requested();

// The undo runs from now on: stop_requested() is false again until the scope ends, so that
// nothing cuts it short; further signals are only explained.
void undo_started();

// The password prompt: while set, a signal of the first phase puts these terminal settings
// back on `fd` before the process dies. clear_terminal() when the prompt is over.
void save_terminal(int fd, const termios& saved);
void clear_terminal();

// A [y/N] question or a prompt is waiting on the terminal: the message starts on a new line.
void set_prompting(bool on);

// Colour sequences were written to stdout (a terminal): on the way out, reset them.
void note_colour();

// The held box lock's fd (-1: none): emptied before dying, so that the next run does not take
// the lock for a crashed run's.
void set_lock_fd(int fd);

}  // namespace bw::interrupt
