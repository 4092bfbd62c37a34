// Finding profiles: a file path, or a name looked up along profile_search_path().
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/i18n.hpp"
#include "core/text.hpp"
#include "rules/profile.hpp"
#include "rules/text_util.hpp"

namespace bw {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view k_extension = ".profile";

bool is_file_reference(const std::string& value) {
  return value.find('/') != std::string::npos ||
         (value.size() >= k_extension.size() && value.ends_with(k_extension));
}

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    throw Error(ErrorKind::usage, fill(tr("cannot read profile '{file}': it is a directory; give a .profile file"), {{"file", path}}));
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (!in || !(text << in.rdbuf())) {
    if (!fs::exists(path, ec)) {
      throw Error(ErrorKind::usage, fill(tr("cannot read profile '{file}': no such file; check the path"), {{"file", path}}));
    }
    throw Error(ErrorKind::usage, fill(tr("cannot read profile '{file}'; check that the file is readable"), {{"file", path}}));
  }
  return text.str();
}

// name -> path, first directory wins.
std::vector<std::pair<std::string, std::string>> reachable_profiles() {
  std::vector<std::pair<std::string, std::string>> found;
  for (const std::string& dir : profile_search_path()) {
    std::error_code ec;
    std::vector<fs::path> files;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == k_extension && it->is_regular_file(ec)) {
        files.push_back(it->path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      std::string name = file.stem().string();
      bool shadowed = std::any_of(found.begin(), found.end(), [&](const auto& f) { return f.first == name; });
      if (!shadowed) {
        found.emplace_back(name, file.string());
      }
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace

std::vector<std::string> profile_search_path() {
  std::vector<std::string> dirs;
  auto add = [&dirs](const std::string& dir) {
    if (!dir.empty() && std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) {
      dirs.push_back(dir);
    }
  };
  std::string config = env("XDG_CONFIG_HOME");
  if (!config.empty() && config.front() == '/') {
    add(config + "/boxwarden/profiles");
  } else if (std::string home = env("HOME"); !home.empty()) {
    add(home + "/.config/boxwarden/profiles");
  }
  std::istringstream extra(env("BOXWARDEN_PROFILE_PATH"));
  for (std::string dir; std::getline(extra, dir, ':');) {
    add(dir);
  }
  // Installed profiles beside the binary (PREFIX/bin/../share/boxwarden/profiles), so an
  // install with another prefix or DESTDIR finds its own; then the configured prefix.
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    add((exe.parent_path().parent_path() / "share/boxwarden/profiles").string());
  }
#ifdef BOXWARDEN_PROFILE_DIR
  add(BOXWARDEN_PROFILE_DIR);
#endif
#if defined(BOXWARDEN_SOURCE_PROFILE_DIR) && defined(BOXWARDEN_BUILD_DIR)
  // The source tree only for a binary run from its build tree, never once installed.
  if (!ec && exe.string().rfind(BOXWARDEN_BUILD_DIR "/", 0) == 0) {
    add(BOXWARDEN_SOURCE_PROFILE_DIR);
  }
#endif
  return dirs;
}

Profile load_profile_file(const std::string& path) {
  std::string text = read_file(path);
  fs::path p(path);
  std::string expected = p.extension() == k_extension ? p.stem().string() : std::string();
  Profile profile = parse_profile(text, path, expected);
  profile.path = path;
  return profile;
}

Profile load_profile(const std::string& name_or_file) {
  if (is_file_reference(name_or_file)) {
    return load_profile_file(name_or_file);
  }
  std::vector<std::string_view> names;
  auto reachable = reachable_profiles();
  for (const auto& [name, path] : reachable) {
    if (name == name_or_file) {
      return load_profile_file(path);
    }
    names.push_back(name);
  }
  std::string list;
  for (std::string_view name : names) {
    list += (list.empty() ? "" : " ") + std::string(name);
  }
  std::string hint = closest_match(name_or_file, names);
  std::string message =
      names.empty()  ? fill(tr("unknown profile '{name}'; no profile was found; give the path to a .profile file"),
                            {{"name", printable(name_or_file)}})
      : hint.empty() ? fill(tr("unknown profile '{name}'; available profiles: {list} (or give the path to a .profile file)"),
                            {{"name", printable(name_or_file)}, {"list", list}})
                     : fill(tr("unknown profile '{name}'; did you mean '{hint}'? available profiles: {list} (or give the "
                               "path to a .profile file)"),
                            {{"name", printable(name_or_file)}, {"hint", hint}, {"list", list}});
  throw Error(ErrorKind::usage, message);
}

std::vector<ProfileInfo> list_profiles() {
  std::vector<ProfileInfo> infos;
  for (const auto& [name, path] : reachable_profiles()) {
    ProfileInfo info{name, "", path};
    try {
      info.summary = load_profile_file(path).summary;
    } catch (const Error& e) {
      info.summary = std::string("(cannot be loaded: ") + e.what() + ")";
    }
    infos.push_back(std::move(info));
  }
  return infos;
}

}  // namespace bw
