#include "plan/backup_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "core/utc_time.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/json_fields.hpp"
#include "core/text.hpp"

namespace bw {

namespace fs = std::filesystem;

namespace {

constexpr size_t k_max_backup = 64 * 1024 * 1024;
constexpr std::string_view k_format = "boxwarden-backup-1";

constexpr std::pair<BackupOutcome, std::string_view> k_outcomes[] = {
    {BackupOutcome::in_progress, "in-progress"}, {BackupOutcome::completed, "completed"},
    {BackupOutcome::undone, "undone"},           {BackupOutcome::interrupted, "interrupted"},
    {BackupOutcome::failed, "failed"},           {BackupOutcome::rolled_back, "rolled-back"},
};

nlohmann::json to_json(const Backup& b) {
  nlohmann::json plan = nlohmann::json::array();
  for (const auto& a : b.plan) {
    plan.push_back(to_json(a));
  }
  nlohmann::json j = {{"format", k_format},    {"created", b.created},     {"gateway", b.gateway},
                      {"profile", b.profile},  {"outcome", to_string(b.outcome)},
                      {"state", to_json(b.state)}, {"plan", plan}};
  if (!b.rolled_back_at.empty()) {
    j["rolled_back_at"] = b.rolled_back_at;
  }
  return j;
}

// Every field, checked like network input; Error(protocol) "FIELD: what is wrong".
Backup backup_from_json(const nlohmann::json& j) {
  using namespace fields;
  require_object(j, "the file");
  if (!j.contains("format") || !j["format"].is_string() || j["format"].get_ref<const std::string&>() != k_format) {
    bad("format", "must be \"" + std::string(k_format) + "\", not " +
                      (j.contains("format") ? printable(j["format"].dump(), 60) : std::string("missing")));
  }
  Backup b;
  b.created = text(j, "created", k_short, "");
  b.gateway = text(j, "gateway", k_short);
  if (!is_address_and_port(b.gateway)) {
    bad("gateway", "\"" + printable(b.gateway, 60) + "\" is not an address (or ADDRESS:PORT)");
  }
  b.profile = text(j, "profile", k_line, "");
  std::string outcome = text(j, "outcome", k_short, "completed");
  auto o = parse_backup_outcome(outcome);
  if (!o) {
    bad("outcome", "unknown outcome \"" + printable(outcome, 40) + "\"");
  }
  b.outcome = *o;
  b.rolled_back_at = text(j, "rolled_back_at", k_short, "");
  const auto& state = at(j, "state");
  b.state = within("state", [&] { return router_state_from_json(state); });
  const auto& plan = at(j, "plan");
  if (!plan.is_array() || plan.size() > 10000) {
    bad("plan", "must be a list of at most 10000 actions");
  }
  for (size_t i = 0; i < plan.size(); ++i) {
    b.plan.push_back(within("plan[" + std::to_string(i) + "]", [&] { return action_from_json(plan[i]); }));
  }
  return b;
}

}  // namespace

std::string_view to_string(BackupOutcome o) {
  for (const auto& [k, name] : k_outcomes) {
    if (k == o) {
      return name;
    }
  }
  return "in-progress";
}

std::optional<BackupOutcome> parse_backup_outcome(std::string_view text) {
  for (const auto& [k, name] : k_outcomes) {
    if (name == text) {
      return k;
    }
  }
  return std::nullopt;
}

BackupOutcome backup_outcome_for(Outcome o) {
  switch (o) {
    case Outcome::applied:
    case Outcome::nothing_to_do:
      return BackupOutcome::completed;
    case Outcome::rolled_back:
      return BackupOutcome::undone;
    case Outcome::interrupted:
      return BackupOutcome::interrupted;
    case Outcome::rollback_failed:
      return BackupOutcome::failed;
  }
  return BackupOutcome::failed;
}

bool unfinished(BackupOutcome o) {
  return o == BackupOutcome::in_progress || o == BackupOutcome::failed;
}

std::string default_state_dir() {
  if (const char* x = std::getenv("XDG_STATE_HOME"); x != nullptr && *x == '/') {
    return std::string(x) + "/boxwarden";
  }
  if (const char* h = std::getenv("HOME"); h != nullptr && *h == '/') {
    return std::string(h) + "/.local/state/boxwarden";
  }
  throw Error(ErrorKind::usage, "neither XDG_STATE_HOME nor HOME is set; give --state-dir DIR");
}

BackupStore::BackupStore(std::string state_dir) : m_dir(std::move(state_dir) + "/backups") {}

std::string BackupStore::save(Backup& b) {
  make_private_dir(fs::path(m_dir).parent_path().string(), false);
  make_private_dir(m_dir);
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  b.created = utc_text(t, "%Y-%m-%dT%H:%M:%SZ");
  // Names sort by time: a millisecond stamp, and "~N" (after ".json" in byte order) in the
  // rare case two backups share it.
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03d", static_cast<int>(ms));
  std::string base = m_dir + "/" + utc_text(t, "%Y%m%dT%H%M%S") + millis + "Z-" + b.gateway;
  std::string path = base + ".json";
  for (int n = 2; fs::exists(path); ++n) {
    path = base + "~" + std::to_string(n) + ".json";
  }
  nlohmann::json j = to_json(b);
  // Never change a box without a backup that loads back: a box that reported something a
  // backup may not hold (checked on load) stops the fix here, before any change.
  try {
    backup_from_json(j);
  } catch (const Error& e) {
    throw Error(ErrorKind::protocol, std::string("the box reported something a backup cannot hold (") + e.what() +
                                         "); nothing was changed");
  }
  AtomicFile file(path, 0600);
  file.write(j.dump(2) + "\n");
  file.commit();
  b.path = path;
  return path;
}

namespace {

std::string full_path(const std::string& dir, const std::string& path_or_name) {
  return path_or_name.find('/') == std::string::npos ? dir + "/" + path_or_name : path_or_name;
}

nlohmann::json read_json(const std::string& path) {
  try {
    return nlohmann::json::parse(read_file(path, k_max_backup));
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::usage, path + ": not a boxwarden backup (not JSON: " + printable(e.what(), 120) +
                                      "); this file was not written by boxwarden or was damaged");
  }
}

}  // namespace

Backup BackupStore::load(const std::string& path_or_name) const {
  std::string path = full_path(m_dir, path_or_name);
  nlohmann::json j = read_json(path);
  try {
    Backup b = backup_from_json(j);
    b.path = path;
    return b;
  } catch (const Error& e) {
    throw Error(ErrorKind::usage,
                path + ": " + e.what() + "; this file was not written by boxwarden or was edited");
  }
}

void BackupStore::set_outcome(const std::string& path_or_name, BackupOutcome outcome) const {
  Backup b = load(path_or_name);
  b.outcome = outcome;
  b.rolled_back_at = outcome == BackupOutcome::rolled_back ? utc_now() : "";
  AtomicFile file(b.path, 0600);
  file.write(to_json(b).dump(2) + "\n");
  file.commit();
}

std::vector<std::string> BackupStore::list() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(m_dir, ec)) {
    std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.size() > 5 && name.ends_with(".json")) {
      out.push_back(entry.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> BackupStore::latest() const {
  auto all = list();
  if (all.empty()) {
    return std::nullopt;
  }
  return all.back();
}

std::vector<size_t> select_for_rollback(const std::vector<Backup>& oldest_first, const std::string& gateway) {
  std::vector<size_t> out;
  if (oldest_first.empty()) {
    return out;
  }
  const std::string& box = gateway.empty() ? oldest_first.back().gateway : gateway;
  bool completed_taken = false;
  for (size_t i = oldest_first.size(); i-- > 0;) {
    const Backup& b = oldest_first[i];
    if (b.gateway != box) {
      continue;
    }
    if (unfinished(b.outcome)) {
      out.push_back(i);
    } else if (b.outcome == BackupOutcome::completed && !completed_taken) {
      out.push_back(i);
      completed_taken = true;
    }
  }
  return out;
}

}  // namespace bw
