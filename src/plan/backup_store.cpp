#include "plan/backup_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace bw {

namespace fs = std::filesystem;

namespace {

std::string utc(std::time_t t, const char* format) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

constexpr size_t k_max_backup = 64 * 1024 * 1024;

}  // namespace

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
  b.created = utc(t, "%Y-%m-%dT%H:%M:%SZ");
  // Names sort by time: a millisecond stamp, and "~N" (after ".json" in byte order) in the
  // rare case two backups share it.
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03d", static_cast<int>(ms));
  std::string base = m_dir + "/" + utc(t, "%Y%m%dT%H%M%S") + millis + "Z-" + b.gateway;
  std::string path = base + ".json";
  for (int n = 2; fs::exists(path); ++n) {
    path = base + "~" + std::to_string(n) + ".json";
  }
  nlohmann::json plan = nlohmann::json::array();
  for (const auto& a : b.plan) {
    plan.push_back(to_json(a));
  }
  nlohmann::json j = {{"format", "boxwarden-backup-1"}, {"created", b.created}, {"gateway", b.gateway},
                      {"profile", b.profile}, {"state", to_json(b.state)}, {"plan", plan}};
  AtomicFile file(path, 0600);
  file.write(j.dump(2) + "\n");
  file.commit();
  b.path = path;
  return path;
}

Backup BackupStore::load(const std::string& path_or_name) const {
  std::string path = path_or_name;
  if (path.find('/') == std::string::npos) {
    path = m_dir + "/" + path;
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(path, k_max_backup));
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::usage, path + " is not a boxwarden backup (" + e.what() + ")");
  }
  if (!j.is_object() || j.value("format", "") != "boxwarden-backup-1") {
    throw Error(ErrorKind::usage, path + " is not a boxwarden backup");
  }
  Backup b;
  b.path = path;
  try {
    b.created = j.value("created", "");
    b.gateway = j.value("gateway", "");
    b.profile = j.value("profile", "");
    b.state = router_state_from_json(j.at("state"));
    for (const auto& a : j.at("plan")) {
      b.plan.push_back(action_from_json(a));
    }
  } catch (const Error& e) {
    throw Error(ErrorKind::usage, path + ": " + e.what());
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::usage, path + " is damaged (" + e.what() + ")");
  }
  return b;
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

}  // namespace bw
