#include "cli/document.hpp"

#include "core/i18n.hpp"
#include "core/utc_time.hpp"

namespace bw::cli {

void stamp(nlohmann::json& doc, const std::string& site, const std::string& generated_at) {
  doc["schema_version"] = k_schema_version;
  doc["generated_at"] = generated_at.empty() ? utc_now() : generated_at;
  doc["site"] = site.empty() ? nlohmann::json(nullptr) : nlohmann::json(site);
}

nlohmann::json stamped(nlohmann::json doc, const std::string& site) {
  stamp(doc, site);
  return doc;
}

std::string site_label_problem(const std::string& label) {
  if (label.empty()) {
    return tr("it is empty");
  }
  size_t chars = 0;
  for (size_t i = 0; i < label.size();) {
    auto c = static_cast<unsigned char>(label[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || i + len > label.size()) {
      return tr("it is not valid UTF-8");
    }
    uint32_t cp = len == 1 ? c : c & (0x7f >> len);
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(label[i + k]);
      if ((cc >> 6) != 0x2) {
        return tr("it is not valid UTF-8");
      }
      cp = (cp << 6) | (cc & 0x3f);
    }
    bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return tr("it is not valid UTF-8");
    }
    if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0x2028 || cp == 0x2029) {
      return tr("it holds a control character");
    }
    i += len;
    ++chars;
  }
  return chars > 64 ? tr("it is longer than 64 characters") : "";
}

nlohmann::json tool_field() {
  return {{"name", "boxwarden"}, {"version", BOXWARDEN_VERSION}};
}

}  // namespace bw::cli
