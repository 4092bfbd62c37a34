// Pure parsing for the SFR box's "API REST" (/api/1.0/?method=..., bbox-sfr.md part B): XML
// answers <rsp stat="ok|fail" version="1.0">, data in attributes. No I/O, so unit tests run it
// against tests/fixtures/sfr and the fuzzer against anything.
//
// Contract:
// - Everything is hostile: every attribute kept is bounded and printable(); an answer that is
//   not XML, or whose root is not <rsp>, is Error(protocol). One known firmware bug (a stray
//   </firewall>, bbox-sfr.md B.2) is tolerated.
// - The MAC address and serial number identify the box: kept only in box_identity (hashed in
//   reports), never in a message or vendor_data.
// - The hash of the login (auth.checkToken): hex(HMAC-SHA256(token, hex(SHA-256(value)))).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace bw::sfr {

using Attributes = std::map<std::string, std::string>;

struct Answer {
  bool ok = false;
  std::string err_code;  // on stat="fail"
  std::string err_msg;   // printable
  // The attributes of each direct child of <rsp>, by element name (the first of each name);
  // children of those children as "parent/child" (firewall/winsharedrop).
  std::map<std::string, Attributes> elements;
};
Answer parse_answer(std::string_view body);

// system.getInfo
struct SystemInfo {
  std::string product_id;  // "NB6VAC-FXC-r0"
  std::string firmware;    // version_mainfirmware
  std::string net_mode;    // router | bridge
  std::string net_infra;   // adsl | ftth | gprs | fttb
  std::string identity;    // serial number, else MAC: identifying
};
std::optional<SystemInfo> parse_system(const Answer& a);  // nullopt without a product_id
// "SFR Box 8 (ALGD1-UBE-r0)", "neufbox 6 (NB6VAC-FXC-r0)": the name people know.
std::string model_name(const std::string& product_id);
enum class Family { nb4_nb5, nb6, box8, box10, other };
Family family_of(const std::string& product_id);

// wan.getInfo
struct WanInfo {
  std::string status;   // up | down
  std::string ip;       // IPv4 literal or ""
  std::string infra;    // adsl | ftth | gprs
  std::string mode;     // ftth/routed ...
  std::string infra6;   // Tunnel | Dual | Native | Only | "" | unknown
  std::string status6;  // up | down
};
WanInfo parse_wan(const Answer& a);

// firewall.getInfo: mode ("simple" or ""), and each filter on/off (nullopt when absent).
struct Firewall {
  std::string mode;
  std::optional<bool> smb_drop;   // winsharedrop
  std::optional<bool> icmp_drop;  // icmpdrop
  std::optional<bool> smtp_drop;  // smtpdrop
};
std::optional<Firewall> parse_firewall(const Answer& a);

// auth.getToken: the token and which logins the box accepts (passwd, button, all).
struct Token {
  std::string token;   // secret for the time of the login
  std::string method;
};
std::optional<Token> parse_token(const Answer& a);
// The `hash` of auth.checkToken for `login` and `password` (128 lowercase hex digits).
std::string login_hash(std::string_view token, std::string_view login, std::string_view password);

// The one-line message of a failed answer (`what` is a clause: "read its firewall").
std::string failure_message(const Answer& a, std::string_view what);
bool is_auth_failure(const std::string& code);  // 115, 116, 201, 202, 204, 205, 901

}  // namespace bw::sfr
