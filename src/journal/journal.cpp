#include "journal/journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include <openssl/evp.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/text.hpp"

namespace bw {

namespace {

constexpr size_t k_max_journal = 256u << 20;  // read_journal refuses more: a journal, not a dump
constexpr off_t k_tail = 4 << 20;             // append looks for the last record in this much
const std::string k_zero_hash(64, '0');

// Appends of this process (audit's worker threads) go one at a time; flock orders processes.
std::mutex g_append_mutex;

nlohmann::json nullable(const std::string& s) {
  return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(valid_utf8(s));
}

nlohmann::json to_json(const std::vector<JournalExposure>& list) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& e : list) {
    a.push_back({{"key", valid_utf8(e.key)},
                 {"rule", e.rule},
                 {"severity", to_string(e.severity)},
                 {"service_id", nullable(e.service_id)},
                 {"subject_kind", e.subject_kind},
                 {"label", valid_utf8(e.label)}});
  }
  return a;
}

std::string text_of(const nlohmann::json& j, const char* key, bool nullable_ok = true) {
  auto it = j.find(key);
  if (it != j.end() && it->is_string()) {
    return it->get<std::string>();
  }
  if (nullable_ok && (it == j.end() || it->is_null())) {
    return "";
  }
  throw Error(ErrorKind::protocol, std::string("field '") + key + "' is not text");
}

std::vector<JournalExposure> exposures_from_json(const nlohmann::json& a) {
  if (!a.is_array()) {
    throw Error(ErrorKind::protocol, "field 'exposures' is not a list");
  }
  std::vector<JournalExposure> out;
  for (const auto& e : a) {
    if (!e.is_object()) {
      throw Error(ErrorKind::protocol, "an exposure is not an object");
    }
    JournalExposure x;
    x.key = text_of(e, "key", false);
    x.rule = text_of(e, "rule");
    x.severity = parse_severity(text_of(e, "severity")).value_or(Severity::info);
    x.service_id = text_of(e, "service_id");
    x.subject_kind = text_of(e, "subject_kind");
    x.label = text_of(e, "label");
    out.push_back(std::move(x));
  }
  return out;
}

std::string dump_line(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The hash a record's line must carry: over the record without "hash".
std::string own_hash(nlohmann::json j) {
  j.erase("hash");
  return sha256_hex(dump_line(j));
}

std::vector<std::string> split_lines(const std::string& data) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < data.size()) {
    size_t nl = data.find('\n', start);
    if (nl == std::string::npos) {
      lines.push_back(data.substr(start));
      break;
    }
    lines.push_back(data.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

// The line's record when it is a whole one (parses, has seq and hash), else nullopt.
std::optional<nlohmann::json> whole_record(const std::string& line) {
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("seq") || !j["seq"].is_number_integer() ||
      !j.contains("hash") || !j["hash"].is_string()) {
    return std::nullopt;
  }
  return j;
}

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw Error(ErrorKind::usage, what + " " + path + ": " + std::strerror(errno));
}

std::string pread_all(int fd, off_t from, off_t size, const std::string& path) {
  std::string data(static_cast<size_t>(size - from), '\0');
  size_t got = 0;
  while (got < data.size()) {
    ssize_t n = ::pread(fd, data.data() + got, data.size() - got, from + static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      fail("cannot read", path);
    }
    if (n == 0) {
      break;
    }
    got += static_cast<size_t>(n);
  }
  data.resize(got);
  return data;
}

struct Tail {
  long long seq = 0;
  std::string prev = k_zero_hash;
  bool ends_with_newline = true;
};

// The last whole record of the open journal `fd` (held under flock).
Tail last_record(int fd, const std::string& path) {
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    fail("cannot read", path);
  }
  Tail t;
  if (st.st_size == 0) {
    return t;
  }
  for (off_t from : {st.st_size > k_tail ? st.st_size - k_tail : off_t(0), off_t(0)}) {
    std::string data = pread_all(fd, from, st.st_size, path);
    t.ends_with_newline = !data.empty() && data.back() == '\n';
    auto lines = split_lines(data);
    size_t first = from > 0 ? 1 : 0;  // the first line of a tail may be cut
    for (size_t i = lines.size(); i > first; --i) {
      if (auto j = whole_record(lines[i - 1])) {
        t.seq = (*j)["seq"].get<long long>();
        t.prev = sha256_hex(lines[i - 1]);
        return t;
      }
    }
    if (from == 0) {
      break;
    }
  }
  return t;
}

}  // namespace

std::string sha256_hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    throw Error(ErrorKind::internal, "SHA-256 failed");
  }
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

std::string journal_path(const std::string& state_dir) {
  return state_dir + "/journal.jsonl";
}

nlohmann::json to_json(const JournalRecord& r) {
  nlohmann::json actions = nlohmann::json::array();
  for (const auto& a : r.actions) {
    actions.push_back({{"action", a.action}, {"key", valid_utf8(a.key)}, {"outcome", a.outcome}});
  }
  nlohmann::json j = {
      {"seq", r.seq},
      {"time", r.time},
      {"tool_version", r.tool_version},
      {"command", r.command},
      {"site", nullable(r.site)},
      {"box",
       {{"box_id", nullable(r.box_id)},
        {"address", valid_utf8(r.address)},
        {"vendor", valid_utf8(r.vendor)},
        {"model", valid_utf8(r.model)}}},
      {"profile", valid_utf8(r.profile)},
      {"exposures", to_json(r.exposures)},
      {"actions", std::move(actions)},
      {"outcome", r.outcome},
      {"backup", nullable(r.backup)},
      {"prev", r.prev},
  };
  if (r.exposures_before) {
    j["exposures_before"] = to_json(*r.exposures_before);
  }
  return j;
}

JournalRecord record_from_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("box") || !j["box"].is_object()) {
    throw Error(ErrorKind::protocol, "not a journal record");
  }
  JournalRecord r;
  r.seq = j.value("seq", 0LL);
  r.time = text_of(j, "time", false);
  r.tool_version = text_of(j, "tool_version");
  r.command = text_of(j, "command", false);
  r.site = text_of(j, "site");
  const auto& box = j["box"];
  r.box_id = text_of(box, "box_id");
  r.address = text_of(box, "address");
  r.vendor = text_of(box, "vendor");
  r.model = text_of(box, "model");
  r.profile = text_of(j, "profile");
  r.exposures = exposures_from_json(j.contains("exposures") ? j["exposures"] : nlohmann::json::array());
  if (j.contains("exposures_before")) {
    r.exposures_before = exposures_from_json(j["exposures_before"]);
  }
  if (j.contains("actions") && j["actions"].is_array()) {
    for (const auto& a : j["actions"]) {
      if (a.is_object()) {
        r.actions.push_back({text_of(a, "action"), text_of(a, "key"), text_of(a, "outcome")});
      }
    }
  }
  r.outcome = text_of(j, "outcome");
  r.backup = text_of(j, "backup");
  r.prev = text_of(j, "prev");
  r.hash = text_of(j, "hash");
  return r;
}

JournalRecord append_record(const std::string& state_dir, JournalRecord r) {
  make_private_dir(state_dir, false);
  std::string path = journal_path(state_dir);
  std::lock_guard guard(g_append_mutex);
  int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    fail("cannot write the journal", path);
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }  // also drops the flock
  } closer{fd};
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      fail("cannot lock the journal", path);
    }
  }
  Tail tail = last_record(fd, path);
  r.seq = tail.seq + 1;
  r.prev = tail.prev;
  nlohmann::json j = to_json(r);
  r.hash = own_hash(j);
  j["hash"] = r.hash;
  // A torn last line keeps its bytes (verify names it); this record starts on a line of its own.
  std::string line = (tail.ends_with_newline ? "" : "\n") + dump_line(j) + "\n";
  size_t written = 0;
  while (written < line.size()) {
    ssize_t n = ::write(fd, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      fail("cannot write the journal", path);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    fail("cannot write the journal", path);
  }
  return r;
}

namespace {

std::string read_all(const std::string& state_dir) {
  std::string path = journal_path(state_dir);
  if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) {
    return "";
  }
  return read_file(path, k_max_journal);
}

}  // namespace

std::vector<JournalRecord> read_journal(const std::string& state_dir,
                                        const std::function<bool(const JournalRecord&)>& keep) {
  std::vector<JournalRecord> out;
  auto lines = split_lines(read_all(state_dir));
  for (size_t i = 0; i < lines.size(); ++i) {
    auto j = whole_record(lines[i]);
    if (!j) {
      continue;
    }
    try {
      JournalRecord r = record_from_json(*j);
      r.line = i + 1;
      if (!keep || keep(r)) {
        out.push_back(std::move(r));
      }
    } catch (const Error&) {
      // not a record this version can read: verify names it
    }
  }
  return out;
}

JournalCheck verify_journal(const std::string& state_dir) {
  std::string data = read_all(state_dir);
  auto lines = split_lines(data);
  JournalCheck c;
  std::string prev = k_zero_hash;
  long long seq = 0;
  auto bad = [&](size_t i, std::string problem) {
    c.ok = false;
    c.first_bad_line = i + 1;
    c.problem = std::move(problem);
    return c;
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    auto j = whole_record(lines[i]);
    if (!j) {
      bool last = i + 1 == lines.size() && data.back() != '\n';
      return bad(i, last ? tr("torn: the last record was cut short (a crash or a full disk while writing)")
                         : tr("not a whole record: torn, or edited by hand"));
    }
    try {
      record_from_json(*j);
    } catch (const Error& e) {
      return bad(i, fill(tr("not a record: {problem}"), {{"problem", e.what()}}));
    }
    if ((*j)["hash"].get<std::string>() != own_hash(*j)) {
      return bad(i, tr("edited: its content does not match its hash"));
    }
    if (!(*j).contains("prev") || !(*j)["prev"].is_string() || (*j)["prev"].get<std::string>() != prev) {
      return bad(i, seq == 0 ? tr("a record before it was removed (it does not start the chain)")
                             : tr("does not follow the record before it: a record was removed, moved or edited"));
    }
    if ((*j)["seq"].get<long long>() != seq + 1) {
      return bad(i, fill(tr("out of order: record number {found} where {expected} was expected"),
                          {{"found", std::to_string((*j)["seq"].get<long long>())},
                           {"expected", std::to_string(seq + 1)}}));
    }
    prev = sha256_hex(lines[i]);
    seq = (*j)["seq"].get<long long>();
    ++c.records;
  }
  return c;
}

bool same_box(const JournalRecord& a, const JournalRecord& b) {
  if (!a.box_id.empty() && !b.box_id.empty()) {
    return a.box_id == b.box_id;
  }
  return a.address == b.address;
}

}  // namespace bw
