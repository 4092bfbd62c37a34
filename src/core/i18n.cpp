#include "core/i18n.hpp"

#include <clocale>
#include <filesystem>
#include <string>

#include <libintl.h>

namespace bw {

namespace {
constexpr const char* k_domain = "boxwarden";
}

void start_translations() {
  std::setlocale(LC_MESSAGES, "");
  std::setlocale(LC_CTYPE, "");
  namespace fs = std::filesystem;
  std::string dir;
#ifdef BOXWARDEN_LOCALE_DIR
  dir = BOXWARDEN_LOCALE_DIR;
#endif
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    // Installed with another prefix or DESTDIR: PREFIX/bin/../share/locale, as the profiles.
    fs::path beside = exe.parent_path().parent_path() / "share/locale";
    if (fs::is_directory(beside, ec)) {
      dir = beside.string();
    }
#ifdef BOXWARDEN_BUILD_DIR
    // Run from its build tree (the tests): the catalogues msgfmt built there (po/CMakeLists.txt).
    if (exe.string().rfind(BOXWARDEN_BUILD_DIR "/", 0) == 0) {
      dir = BOXWARDEN_BUILD_DIR "/locale";
    }
#endif
  }
  if (!dir.empty()) {
    bindtextdomain(k_domain, dir.c_str());
  }
  bind_textdomain_codeset(k_domain, "UTF-8");
}

const char* tr(const char* msgid) {
  return dgettext(k_domain, msgid);
}

const char* trn(const char* singular, const char* plural, unsigned long n) {
  return dngettext(k_domain, singular, plural, n);
}

std::string fill(std::string_view pattern,
                 std::initializer_list<std::pair<std::string_view, std::string_view>> values) {
  std::string out;
  out.reserve(pattern.size() + 32);
  size_t i = 0;
  while (i < pattern.size()) {
    size_t open = pattern.find('{', i);
    if (open == std::string_view::npos) {
      break;
    }
    size_t close = pattern.find('}', open + 1);
    if (close == std::string_view::npos) {
      break;
    }
    std::string_view name = pattern.substr(open + 1, close - open - 1);
    const std::pair<std::string_view, std::string_view>* hit = nullptr;
    for (const auto& v : values) {
      if (v.first == name) {
        hit = &v;
        break;
      }
    }
    out.append(pattern.substr(i, open - i));
    if (hit != nullptr) {
      out.append(hit->second);
    } else {
      out.append(pattern.substr(open, close - open + 1));
    }
    i = close + 1;
  }
  out.append(pattern.substr(i));
  return out;
}

}  // namespace bw
