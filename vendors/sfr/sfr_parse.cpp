#include "vendors/sfr/sfr_parse.hpp"

#include <arpa/inet.h>

#include <pugixml.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/i18n.hpp"
#include "core/text.hpp"

namespace bw::sfr {

namespace {

constexpr size_t k_max_body = 256 * 1024;
constexpr size_t k_max_attr = 128;
constexpr size_t k_max_elements = 64;

std::string hex(const unsigned char* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

std::string sha256_hex(std::string_view v) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(v.data(), v.size(), md, &n, EVP_sha256(), nullptr);
  return hex(md, n);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view msg) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), md, &n);
  return hex(md, n);
}

Attributes attributes_of(const pugi::xml_node& n) {
  Attributes out;
  size_t count = 0;
  for (const pugi::xml_attribute& a : n.attributes()) {
    if (++count > 64) {
      break;
    }
    std::string v = a.value();
    if (v.size() > k_max_attr) {
      v.resize(k_max_attr);
    }
    out.emplace(printable(a.name(), 40), valid_utf8(v));
  }
  return out;
}

std::string get(const Attributes& a, const std::string& key) {
  auto it = a.find(key);
  return it == a.end() ? "" : printable(it->second, 64);
}

const Attributes* element(const Answer& a, const std::string& name) {
  auto it = a.elements.find(name);
  return it == a.elements.end() ? nullptr : &it->second;
}

std::optional<bool> on_off(const Answer& a, const std::string& name) {
  const Attributes* e = element(a, name);
  if (e == nullptr) {
    return std::nullopt;
  }
  std::string v = get(*e, "active");
  if (v == "on") return true;
  if (v == "off") return false;
  return std::nullopt;
}

bool is_ipv4(const std::string& s) {
  in_addr a{};
  return !s.empty() && s.size() < 16 && inet_pton(AF_INET, s.c_str(), &a) == 1;
}

}  // namespace

Answer parse_answer(std::string_view body) {
  if (body.size() > k_max_body) {
    throw Error(ErrorKind::protocol, tr("the SFR box's answer is too long"));
  }
  pugi::xml_document doc;
  std::string text(body);
  auto ok = doc.load_buffer(text.data(), text.size(), pugi::parse_default & ~pugi::parse_pi & ~pugi::parse_doctype);
  if (!ok) {
    // Firmware 3DCM020200r015 closes an element it never opened (bbox-sfr.md B.2).
    for (size_t at = text.find("</firewall>"); at != std::string::npos; at = text.find("</firewall>")) {
      text.erase(at, 11);
    }
    ok = doc.load_buffer(text.data(), text.size(), pugi::parse_default & ~pugi::parse_pi & ~pugi::parse_doctype);
  }
  pugi::xml_node rsp = doc.child("rsp");
  if (!ok || !rsp) {
    throw Error(ErrorKind::protocol, tr("the SFR box answered something that is not its XML (<rsp>)"));
  }
  Answer a;
  a.ok = std::string_view(rsp.attribute("stat").value()) == "ok";
  size_t count = 0;
  for (const pugi::xml_node& child : rsp.children()) {
    if (child.type() != pugi::node_element || ++count > k_max_elements) {
      continue;
    }
    std::string name = printable(child.name(), 40);
    if (name == "err") {
      a.err_code = printable(child.attribute("code").value(), 8);
      a.err_msg = printable(child.attribute("msg").value(), 120);
      continue;
    }
    a.elements.emplace(name, attributes_of(child));
    size_t sub = 0;
    for (const pugi::xml_node& g : child.children()) {
      if (g.type() == pugi::node_element && ++sub <= k_max_elements) {
        a.elements.emplace(name + "/" + printable(g.name(), 40), attributes_of(g));
      }
    }
  }
  return a;
}

std::optional<SystemInfo> parse_system(const Answer& a) {
  const Attributes* s = element(a, "system");
  if (!a.ok || s == nullptr) {
    return std::nullopt;
  }
  SystemInfo i;
  i.product_id = get(*s, "product_id");
  if (i.product_id.empty()) {
    return std::nullopt;
  }
  i.firmware = get(*s, "version_mainfirmware");
  i.net_mode = get(*s, "net_mode");
  i.net_infra = get(*s, "net_infra");
  auto it = s->find("serial_number");
  i.identity = it != s->end() && !it->second.empty() ? it->second : "";
  if (i.identity.empty()) {
    auto mac = s->find("mac_addr");
    i.identity = mac != s->end() && mac->second.find('*') == std::string::npos ? mac->second : "";
  }
  return i;
}

Family family_of(const std::string& id) {
  if (id.rfind("NB4", 0) == 0 || id.rfind("NB5", 0) == 0) return Family::nb4_nb5;
  if (id.rfind("NB6", 0) == 0) return Family::nb6;
  if (id.rfind("ALGD", 0) == 0) return Family::box8;
  if (id.rfind("BOX10", 0) == 0) return Family::box10;
  return Family::other;
}

std::string model_name(const std::string& id) {
  switch (family_of(id)) {
    case Family::nb4_nb5: return fill(tr("neufbox 4/5 ({id})"), {{"id", id}});
    case Family::nb6: return fill(tr("SFR Box NB6 ({id})"), {{"id", id}});
    case Family::box8: return fill(tr("SFR Box 8 ({id})"), {{"id", id}});
    case Family::box10: return fill(tr("SFR Box 10 ({id})"), {{"id", id}});
    case Family::other: break;
  }
  return fill(tr("SFR box ({id})"), {{"id", id}});
}

WanInfo parse_wan(const Answer& a) {
  WanInfo w;
  const Attributes* e = element(a, "wan");
  if (!a.ok || e == nullptr) {
    return w;
  }
  w.status = get(*e, "status");
  std::string ip = get(*e, "ip_addr");
  w.ip = is_ipv4(ip) ? ip : "";
  w.infra = get(*e, "infra");
  w.mode = get(*e, "mode");
  w.infra6 = get(*e, "infra6");
  w.status6 = get(*e, "status6");
  return w;
}

std::optional<Firewall> parse_firewall(const Answer& a) {
  const Attributes* e = element(a, "firewall");
  if (!a.ok || e == nullptr) {
    return std::nullopt;
  }
  Firewall f;
  f.mode = get(*e, "mode");
  f.smb_drop = on_off(a, "firewall/winsharedrop");
  f.icmp_drop = on_off(a, "firewall/icmpdrop");
  f.smtp_drop = on_off(a, "firewall/smtpdrop");
  return f;
}

std::optional<Token> parse_token(const Answer& a) {
  const Attributes* e = element(a, "auth");
  if (!a.ok || e == nullptr) {
    return std::nullopt;
  }
  auto t = e->find("token");
  if (t == e->end() || t->second.empty() || t->second.size() > 128 ||
      t->second.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    return std::nullopt;
  }
  return Token{t->second, get(*e, "method")};
}

std::string login_hash(std::string_view token, std::string_view login, std::string_view password) {
  return hmac_sha256_hex(token, sha256_hex(login)) + hmac_sha256_hex(token, sha256_hex(password));
}

bool is_auth_failure(const std::string& code) {
  return code == "115" || code == "116" || code == "201" || code == "202" || code == "204" || code == "205" ||
         code == "901";
}

std::string failure_message(const Answer& a, std::string_view what) {
  if (a.err_code == "204") {
    return tr("the SFR box refused the admin login and password (those of its web interface, "
              "http://192.168.1.1): give the right password with --password-file FILE, BOXWARDEN_PASSWORD or ~/.netrc");
  }
  if (a.err_code == "205") {
    return tr("the SFR box has its API login switched off: switch it on in its web interface, or audit without a "
              "password (the firewall filters then stay unknown)");
  }
  if (a.err_code == "120") {
    return tr("the SFR box is being upgraded: wait until it has restarted, then run the command again");
  }
  return fill(tr("the SFR box refused to {what} (error {code}: {msg})"),
              {{"what", what}, {"code", a.err_code.empty() ? "?" : a.err_code}, {"msg", a.err_msg}});
}

}  // namespace bw::sfr
