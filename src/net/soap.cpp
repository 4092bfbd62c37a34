#include "net/soap.hpp"

#include <charconv>
#include <optional>

#include "core/error.hpp"

namespace bw {

namespace xml {

namespace {

// pugixml ends a document at a NUL byte, so one NUL in one mapping's description made the
// whole reply unreadable (found by tests/lab/hostile_suite.py, case nasty-text). NUL is never
// valid XML: it becomes U+FFFD, as invalid UTF-8 does in the JSON report.
std::string without_nul(std::string_view xml) {
  std::string out;
  out.reserve(xml.size() + 16);
  for (char c : xml) {
    if (c == '\0') {
      out += "\xEF\xBF\xBD";
    } else {
      out += c;
    }
  }
  return out;
}

// miniupnpd 2.3.1 sends the GetListOfPortMappings listing in a CDATA section without escaping
// the descriptions in it, so a LAN host that names a mapping "]]>" closes the section early and
// the reply is no longer XML: the audit failed for everyone (found in the lab with upnpc -e ']]>').
// A reply that does not parse gets a second chance: its first CDATA section is taken to end at
// the last "]]>", and its content is escaped as text.
std::optional<std::string> repair_cdata(std::string_view xml) {
  constexpr std::string_view open = "<![CDATA[";
  auto start = xml.find(open);
  auto end = xml.rfind("]]>");
  if (start == std::string_view::npos || end == std::string_view::npos || end < start + open.size()) {
    return std::nullopt;
  }
  std::string out(xml.substr(0, start));
  out += escape(xml.substr(start + open.size(), end - start - open.size()));
  out += xml.substr(end + 3);
  return out;
}

}  // namespace

// Local name of an element, without its namespace prefix.
std::string_view local_name(const pugi::xml_node& n) {
  std::string_view name = n.name();
  auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node child_local(const pugi::xml_node& parent, std::string_view name) {
  for (auto c : parent.children()) {
    if (c.type() == pugi::node_element && local_name(c) == name) {
      return c;
    }
  }
  return {};
}

std::string text_of(const pugi::xml_node& parent, std::string_view name) {
  return child_local(parent, name).child_value();
}

std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

void load(pugi::xml_document& doc, std::string_view xml, const char* what) {
  std::string copy;
  if (xml.find('\0') != std::string_view::npos) {
    copy = without_nul(xml);
    xml = copy;
  }
  auto r = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!r) {
    if (auto repaired = repair_cdata(xml)) {
      if (doc.load_buffer(repaired->data(), repaired->size(), pugi::parse_default, pugi::encoding_utf8)) {
        return;
      }
    }
    throw Error(ErrorKind::protocol, std::string("the box sent an unreadable ") + what + ": " + r.description());
  }
}

}  // namespace xml

namespace soap {

std::string envelope(const std::string& service_type, const std::string& action,
                          const std::vector<std::pair<std::string, std::string>>& args) {
  std::string body =
      "<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><u:" + action +
      " xmlns:u=\"" + xml::escape(service_type) + "\">";
  for (const auto& [name, value] : args) {
    body += "<" + name + ">" + xml::escape(value) + "</" + name + ">";
  }
  body += "</u:" + action + "></s:Body></s:Envelope>\r\n";
  return body;
}

Reply parse_reply(std::string_view text) {
  pugi::xml_document doc;
  xml::load(doc, text, "SOAP reply");
  Reply reply;
  auto envelope = doc.document_element();
  auto body = xml::child_local(envelope, "Body");
  if (!body) {
    throw Error(ErrorKind::protocol, "the SOAP reply has no Body");
  }
  if (auto fault = xml::child_local(body, "Fault")) {
    auto detail = xml::child_local(fault, "detail");
    auto err = xml::child_local(detail, "UPnPError");
    std::string code = xml::text_of(err, "errorCode");
    int v = 0;
    std::from_chars(code.data(), code.data() + code.size(), v);
    reply.fault_code = v > 0 ? v : 501;
    reply.fault_text = xml::text_of(err, "errorDescription");
    return reply;
  }
  for (auto resp : body.children()) {
    if (resp.type() != pugi::node_element) {
      continue;
    }
    for (auto c : resp.children()) {
      if (c.type() == pugi::node_element && reply.values.size() < 64) {
        reply.values[std::string(xml::local_name(c))] = c.child_value();
      }
    }
    break;
  }
  return reply;
}

}  // namespace soap

}  // namespace bw
