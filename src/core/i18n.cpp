#include "core/i18n.hpp"

#include <libintl.h>

namespace bw {

namespace {
constexpr const char* k_domain = "boxwarden";
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
