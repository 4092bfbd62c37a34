#include "core/json_get.hpp"

#include <charconv>
#include <cstdint>

namespace bw {

namespace {

const nlohmann::json* member(const nlohmann::json& obj, std::string_view key) {
  if (!obj.is_object()) {
    return nullptr;
  }
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

}  // namespace

std::string json_string(const nlohmann::json& obj, std::string_view key) {
  const nlohmann::json* v = member(obj, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

std::optional<bool> json_bool(const nlohmann::json& obj, std::string_view key) {
  const nlohmann::json* v = member(obj, key);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (v->is_boolean()) {
    return v->get<bool>();
  }
  if (v->is_number_integer()) {
    return v->get<long long>() != 0;
  }
  return std::nullopt;
}

std::optional<long long> json_int(const nlohmann::json& obj, std::string_view key) {
  const nlohmann::json* v = member(obj, key);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (v->is_number_unsigned()) {  // before is_number_integer, which holds for it too
    auto u = v->get<unsigned long long>();
    return u > static_cast<unsigned long long>(INT64_MAX) ? std::nullopt : std::optional<long long>(u);
  }
  if (v->is_number_integer()) {
    return v->get<long long>();
  }
  if (!v->is_string()) {
    return std::nullopt;
  }
  std::string_view t = v->get_ref<const std::string&>();
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) {
    t.remove_prefix(1);
  }
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) {
    t.remove_suffix(1);
  }
  long long n = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size()) {
    return std::nullopt;
  }
  return n;
}

}  // namespace bw
