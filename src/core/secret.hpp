// A string that never prints: operator<< and to_json write "(hidden)".
#pragma once

#include <ostream>
#include <string>

namespace bw {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : m_value(std::move(value)) {}
  ~Secret();  // wipes the bytes
  Secret(const Secret&) = default;
  Secret& operator=(const Secret&) = default;

  const std::string& reveal() const { return m_value; }
  bool empty() const { return m_value.empty(); }

 private:
  std::string m_value;
};

inline std::ostream& operator<<(std::ostream& os, const Secret&) { return os << "(hidden)"; }

}  // namespace bw
