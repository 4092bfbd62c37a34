#include "cli/run.hpp"

#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <streambuf>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/spell.hpp"
#include "core/error.hpp"
#include "core/text.hpp"

namespace bw::cli {

namespace po = boost::program_options;

namespace {

po::options_description global_options(Options& o) {
  po::options_description d("Global options");
  d.add_options()
      ("gateway,g", po::value(&o.gateways)->value_name("HOST[:PORT]"),
       "the box's address (skips finding it); may be given several times for audit")
      ("vendor", po::value(&o.vendor)->value_name("ID")->default_value("auto"),
       "vendor plugin to use (see 'boxwarden vendors')")
      ("user,u", po::value(&o.user)->value_name("NAME"), "administrator user name on the box")
      ("password-file", po::value(&o.password_file)->value_name("FILE"),
       "read the box's password from the first line of FILE (mode 0600)")
      ("profile,p", po::value(&o.profile)->value_name("NAME|FILE")->default_value("home"),
       "hardening profile (see 'boxwarden profiles')")
      ("format", po::value<std::string>()->value_name("text|json")->default_value("text"),
       "output for people (text) or for scripts (json)")
      ("output,o", po::value(&o.output)->value_name("FILE"), "write the report to FILE instead of stdout")
      ("timeout", po::value(&o.timeout)->value_name("SECONDS")->default_value(60),
       "overall deadline for talking to the box")
      ("yes,y", po::bool_switch(&o.yes), "do not ask before changing the box")
      ("dry-run,n", po::bool_switch(&o.dry_run), "show what would be sent to the box; change nothing")
      ("state-dir", po::value(&o.state_dir)->value_name("DIR"),
       "where backups are kept (default $XDG_STATE_HOME/boxwarden)")
      ("verbose,v", po::bool_switch(&o.verbose), "say more about what is happening, on stderr")
      ("quiet,q", po::bool_switch(&o.quiet), "print only the report and errors")
      ("no-color", po::bool_switch(&o.no_color), "no colour in text output")
      ("help,h", "show help (for a command: boxwarden COMMAND --help)")
      ("version", "show the version");
  return d;
}

constexpr auto k_style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;

void print_usage(std::ostream& os, const po::options_description& globals) {
  os << "Usage: boxwarden [GLOBAL OPTIONS] COMMAND [OPTIONS]\n\n"
        "Harden the Internet box: find what it exposes, judge it, fix it safely.\n\nCommands:\n";
  for (const auto& c : commands()) {
    std::string left = std::string(c.name) + (c.args.empty() ? "" : " " + std::string(c.args));
    // A name too long for the column gets its summary on the next line, in the column.
    os << "  " << left << (left.size() < 20 ? std::string(20 - left.size(), ' ') : "\n" + std::string(22, ' '))
       << c.summary << "\n";
  }
  os << "\n" << globals << "\nExit status: 0 ok, 1 findings (or some remain after fix), 2 usage, "
        "3 box unreachable, 4 authentication, 5 fix failed and rolled back, 6 rollback failed.\n"
        "See man boxwarden.\n";
}

void print_command_help(std::ostream& os, const Command& c, const po::options_description& own,
                        const po::options_description& globals) {
  os << "Usage: boxwarden [GLOBAL OPTIONS] " << c.name << (c.args.empty() ? "" : " " + std::string(c.args))
     << (own.options().empty() ? "" : " [OPTIONS]") << "\n\n" << c.summary << "\n\n";
  if (!own.options().empty()) {
    os << own << "\n";
  }
  os << globals;
}

// Finds the command word: the first argument that is not an option or an option's value.
// An unknown option before it is returned in `unknown` (its value cannot be told apart).
int find_command_index(int argc, char** argv, const po::options_description& globals, std::string& unknown) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {
      return i + 1 < argc ? i + 1 : -1;
    }
    if (a.size() < 2 || a[0] != '-') {
      return i;
    }
    bool long_opt = a[1] == '-';
    std::string name = long_opt ? a.substr(2, a.find('=') - 2) : a.substr(0, 2);
    const po::option_description* d = globals.find_nothrow(name, false, false, false);
    if (d == nullptr) {
      unknown = long_opt ? a.substr(0, a.find('=')) : a.substr(0, 2);
      return -1;
    }
    bool attached = long_opt ? a.find('=') != std::string::npos : a.size() > 2;
    if (d != nullptr && d->semantic()->max_tokens() > 0 && !attached) {
      ++i;  // skip the value
    }
  }
  return -1;
}

std::vector<std::string> option_names(const po::options_description& d) {
  std::vector<std::string> names;
  for (const auto& o : d.options()) {
    names.push_back("--" + o->long_name());
  }
  return names;
}

// Error messages may quote the box (a model name, a fault string) or the command line:
// escaped and bounded like any untrusted text before they reach the terminal.
constexpr size_t k_message_chars = 500;

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
  return "unknown";
}

// Counts what is written to stdout, so that an error after a report was (even partly) printed
// does not add a second JSON document. Unbuffered: every write goes through to std::cout's own
// buffer at once.
class CountingBuf : public std::streambuf {
 public:
  explicit CountingBuf(std::streambuf* inner) : m_inner(inner) {}
  size_t count() const { return m_count; }

 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) {
      return traits_type::not_eof(c);
    }
    ++m_count;
    return m_inner->sputc(traits_type::to_char_type(c));
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    m_count += static_cast<size_t>(n);
    return m_inner->sputn(s, n);
  }
  int sync() override { return m_inner->pubsync(); }

 private:
  std::streambuf* m_inner;
  size_t m_count = 0;
};

// With --format json, a failed run still leaves one JSON document where the report would
// have gone (stdout or --output), unless the command already wrote there:
// {"tool": {...}, "command": "audit", "error": {"exit_code": 3, "kind": "unreachable", "message": "..."}}
// The one-line message on stderr is printed as well (run(), usage_error()).
struct JsonErrors {
  bool enabled = false;      // --format json was given and parsed
  std::string command;
  std::string output;        // --output, empty for stdout
  CountingBuf* stdout_count = nullptr;
  bool written = false;      // a document (report or error) is out already
};

nlohmann::json error_document(const std::string& command, ExitCode code, std::string_view kind,
                              const std::string& message) {
  return {{"tool", {{"name", "boxwarden"}, {"version", BOXWARDEN_VERSION}}},
          {"command", command},
          {"error", {{"exit_code", static_cast<int>(code)}, {"kind", std::string(kind)}, {"message", message}}}};
}

// Writes the error document to `out` when nothing was written to the report's destination.
// `app` is the running command's (its --output file may be open already), or null before
// the command started.
void emit_json_error(JsonErrors& je, App* app, ExitCode code, std::string_view kind, const std::string& message) {
  if (!je.enabled || je.written) {
    return;
  }
  je.written = true;
  std::string text = error_document(je.command, code, kind, message)
                         .dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  try {
    if (je.output.empty()) {
      if (je.stdout_count != nullptr && je.stdout_count->count() > 0) {
        return;  // a report (or part of one) is on stdout already
      }
      std::cout << text << std::flush;
    } else if (app != nullptr) {
      std::ostream& out = app->out();  // opens (and empties) the file if the command did not
      if (out.tellp() > 0) {
        return;
      }
      out << text << std::flush;
    } else {
      std::ofstream out(je.output, std::ios::out | std::ios::trunc);
      out << text << std::flush;
    }
  } catch (const std::exception&) {
    // The --output file cannot be written: the message on stderr says why the run failed.
  }
}

int usage_error(JsonErrors& je, const std::string& message) {
  std::string shown = printable(message, k_message_chars);
  std::cerr << "boxwarden: " << shown << "\n";
  emit_json_error(je, nullptr, ExitCode::usage, kind_name(ErrorKind::usage), shown);
  return static_cast<int>(ExitCode::usage);
}

int dispatch(int argc, char** argv, JsonErrors& je) {
  Options o;
  po::options_description globals = global_options(o);
  std::string unknown;
  int ci = find_command_index(argc, argv, globals, unknown);
  if (!unknown.empty()) {
    for (const auto& c : commands()) {
      po::options_description own_opts;
      if (c.add_options) {
        c.add_options(own_opts);
      }
      if (own_opts.find_nothrow(unknown.substr(2), false, false, false) != nullptr) {
        return usage_error(je, unknown + " is an option of '" + std::string(c.name) +
                           "' (and of other commands that take it): put it after the command, e.g. boxwarden " +
                           std::string(c.name) + " " + unknown + " ...");
      }
    }
    std::string hint = did_you_mean(unknown, option_names(globals));
    return usage_error(je, "unknown option " + unknown + (hint.empty() ? "" : "; did you mean " + hint + "?") +
                       " (see boxwarden --help)");
  }
  const Command* cmd = nullptr;
  if (ci > 0) {
    cmd = find_command(argv[ci]);
    if (cmd == nullptr) {
      std::vector<std::string> names;
      for (const auto& c : commands()) {
        names.emplace_back(c.name);
      }
      std::string hint = did_you_mean(argv[ci], names);
      return usage_error(je, std::string("'") + argv[ci] + "' is not a command" +
                         (hint.empty() ? "" : "; did you mean '" + hint + "'?") + " (see boxwarden --help)");
    }
  }
  po::options_description own(cmd ? std::string(cmd->name) + " options" : std::string("options"));
  if (cmd && cmd->add_options) {
    cmd->add_options(own);
  }
  po::options_description all;
  all.add(globals).add(own);
  all.add_options()("args", po::value(&o.args));
  po::positional_options_description pos;
  pos.add("args", -1);

  std::vector<std::string> rest;
  for (int i = 1; i < argc; ++i) {
    if (i != ci) {
      rest.emplace_back(argv[i]);
    }
  }
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(rest).options(all).positional(pos).style(k_style).run(), vm);
    po::notify(vm);
  } catch (const po::unknown_option& e) {
    std::string bad = e.get_option_name();
    std::string hint = did_you_mean(bad, option_names(all));
    return usage_error(je, "unknown option " + bad + (hint.empty() ? "" : "; did you mean " + hint + "?") +
                       " (see boxwarden " + (cmd ? std::string(cmd->name) + " " : "") + "--help)");
  } catch (const po::error& e) {
    return usage_error(je, std::string(e.what()) + " (see boxwarden --help)");
  }
  if (vm.count("help")) {
    if (cmd) {
      print_command_help(std::cout, *cmd, own, globals);
    } else {
      print_usage(std::cout, globals);
    }
    return 0;
  }
  if (vm.count("version")) {
    std::cout << "boxwarden " << BOXWARDEN_VERSION << "\n";
    return 0;
  }
  if (!cmd) {
    print_usage(std::cerr, globals);
    return static_cast<int>(ExitCode::usage);
  }
  std::string format = vm["format"].as<std::string>();
  if (format != "text" && format != "json") {
    return usage_error(je, "--format: '" + format + "' is not a format; use text or json");
  }
  o.format = format == "json" ? Format::json : Format::text;
  if (o.format == Format::json) {
    je.enabled = true;
    je.command = cmd->name;
    je.output = o.output;
  }
  if (vm.count("fail-on")) {
    o.fail_on = vm["fail-on"].as<std::string>();
  }
  if (o.args.size() < cmd->min_args || o.args.size() > cmd->max_args) {
    return usage_error(je, std::string(cmd->name) + " takes " +
                       (cmd->max_args == 0 ? std::string("no arguments") : std::string(cmd->args)) +
                       " (see boxwarden " + std::string(cmd->name) + " --help)");
  }
  if (!(o.timeout > 0 && o.timeout <= 86400)) {
    return usage_error(je, "--timeout: give a number of seconds above 0 and at most 86400");
  }
  if (o.gateways.size() > 1 && cmd->name != "audit") {
    return usage_error(je, "--gateway may be given several times only for audit");
  }
  App app(std::move(o));
  try {
    ExitCode code = cmd->handler(app);
    je.written = true;  // the command printed its own document (fix and vpn: even on exit 5/6)
    return static_cast<int>(code);
  } catch (const Error& e) {
    // While the App is alive: its --output file may be open already.
    emit_json_error(je, &app, exit_code_for(e.kind()), kind_name(e.kind()), printable(e.what(), k_message_chars));
    throw;
  } catch (const std::exception& e) {
    emit_json_error(je, &app, ExitCode::unreachable, "internal", printable(e.what(), k_message_chars));
    throw;
  }
}

}  // namespace

int run(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  // Counts stdout for the JSON error document; std::cout gets its own buffer back on return.
  CountingBuf counting(std::cout.rdbuf());
  struct Restore {
    std::streambuf* buf;
    ~Restore() {
      std::cout.flush();
      std::cout.rdbuf(buf);
    }
  } restore{std::cout.rdbuf(&counting)};
  JsonErrors json_errors;
  json_errors.stdout_count = &counting;
  try {
    return dispatch(argc, argv, json_errors);
  } catch (const Error& e) {
    std::string message = printable(e.what(), k_message_chars);
    emit_json_error(json_errors, nullptr, exit_code_for(e.kind()), kind_name(e.kind()), message);  // if not done yet
    std::cerr << "boxwarden: error: " << message << "\n";
    return static_cast<int>(exit_code_for(e.kind()));
  } catch (const std::exception& e) {
    std::string message = printable(e.what(), k_message_chars);
    emit_json_error(json_errors, nullptr, ExitCode::unreachable, "internal", message);
    std::cerr << "boxwarden: internal error: " << message << "\n";
    return static_cast<int>(ExitCode::unreachable);
  }
}

}  // namespace bw::cli
