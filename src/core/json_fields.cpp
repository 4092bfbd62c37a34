#include "core/json_fields.hpp"

#include <arpa/inet.h>

#include <cstdlib>

#include "core/text.hpp"

namespace bw::fields {

namespace {

std::string shown(const nlohmann::json& v) {
  if (v.is_string()) {
    return "\"" + printable(v.get<std::string>(), 60) + "\"";
  }
  if (v.is_number() || v.is_boolean() || v.is_null()) {
    return v.dump();
  }
  return std::string("a JSON ") + v.type_name();
}

}  // namespace

void bad(std::string_view field, const std::string& what) {
  throw Error(ErrorKind::protocol, std::string(field) + ": " + what);
}

void require_object(const nlohmann::json& j, std::string_view what) {
  if (!j.is_object()) {
    throw Error(ErrorKind::protocol, std::string(what) + ": must be a JSON object, not " + shown(j));
  }
}

const nlohmann::json& at(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) {
    bad(key, "missing");
  }
  return j.at(key);
}

std::string text(const nlohmann::json& j, const char* key, size_t max_len, std::optional<std::string> fallback) {
  if (fallback && !j.contains(key)) {
    return *fallback;
  }
  const auto& v = at(j, key);
  if (!v.is_string()) {
    bad(key, "must be a text, not " + shown(v));
  }
  std::string s = v.get<std::string>();
  if (s.size() > max_len) {
    bad(key, "longer than " + std::to_string(max_len) + " bytes");
  }
  return s;
}

bool flag(const nlohmann::json& j, const char* key, std::optional<bool> fallback) {
  if (fallback && !j.contains(key)) {
    return *fallback;
  }
  const auto& v = at(j, key);
  if (!v.is_boolean()) {
    bad(key, "must be true or false, not " + shown(v));
  }
  return v.get<bool>();
}

std::vector<std::string> texts(const nlohmann::json& j, const char* key, size_t max_items, size_t max_len) {
  if (!j.contains(key)) {
    return {};
  }
  const auto& v = j.at(key);
  if (!v.is_array()) {
    bad(key, "must be a list of texts, not " + shown(v));
  }
  if (v.size() > max_items) {
    bad(key, "more than " + std::to_string(max_items) + " entries");
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string() || v[i].get_ref<const std::string&>().size() > max_len) {
      bad(std::string(key) + "[" + std::to_string(i) + "]",
          "must be a text of at most " + std::to_string(max_len) + " bytes, not " + shown(v[i]));
    }
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

uint64_t number(const nlohmann::json& j, const char* key, uint64_t min, uint64_t max,
                std::optional<uint64_t> fallback) {
  if (fallback && !j.contains(key)) {
    return *fallback;
  }
  const auto& v = at(j, key);
  bool ok = false;
  uint64_t n = 0;
  // Only JSON integers: get<uint16_t>() would wrap 70000 to 4464 and -1 to 65535, and a float
  // out of range (1e30) is undefined behaviour.
  if (v.is_number_unsigned()) {
    n = v.get<uint64_t>();
    ok = true;
  } else if (v.is_number_integer() && v.get<int64_t>() >= 0) {
    n = static_cast<uint64_t>(v.get<int64_t>());
    ok = true;
  }
  if (!ok || n < min || n > max) {
    bad(key, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ", not " + shown(v));
  }
  return n;
}

nlohmann::json vendor_data(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) {
    return nullptr;
  }
  const auto& v = j.at(key);
  if (v.dump().size() > k_vendor_data) {
    bad(key, "larger than " + std::to_string(k_vendor_data) + " bytes");
  }
  return v;
}

bool is_ip_literal(const std::string& s) {
  unsigned char buf[16];
  return !s.empty() && s.size() <= 45 &&
         (inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1);
}

bool is_ip_or_prefix(const std::string& s) {
  auto slash = s.find('/');
  if (slash == std::string::npos) {
    return is_ip_literal(s);
  }
  std::string addr = s.substr(0, slash);
  std::string bits = s.substr(slash + 1);
  if (!is_ip_literal(addr) || bits.empty() || bits.size() > 3 ||
      bits.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  int n = std::atoi(bits.c_str());
  return n <= (addr.find(':') == std::string::npos ? 32 : 128);
}

bool is_address_and_port(const std::string& s) {
  if (is_ip_literal(s)) {
    return true;
  }
  std::string host = s;
  std::string port;
  if (s.starts_with("[")) {
    auto close = s.find("]:");
    if (close == std::string::npos) {
      return false;
    }
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
    if (host.find(':') == std::string::npos) {
      return false;
    }
  } else {
    auto colon = s.find(':');
    if (colon == std::string::npos || s.find(':', colon + 1) != std::string::npos) {
      return false;
    }
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
  }
  if (!is_ip_literal(host) || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  int p = std::atoi(port.c_str());
  return p >= 1 && p <= 65535;
}

}  // namespace bw::fields
