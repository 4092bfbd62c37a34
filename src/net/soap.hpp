// SOAP 1.1 as UPnP and TR-064 speak it: the request envelope, the reply (values of the
// *Response element, or the UPnP error of a fault), and the XML helpers they rest on. Every
// reply is hostile: the caller caps its size, pugixml expands no entity, values stay text.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pugixml.hpp>

namespace bw {

namespace xml {

// Local name of an element, without its namespace prefix.
std::string_view local_name(const pugi::xml_node& n);
pugi::xml_node child_local(const pugi::xml_node& parent, std::string_view name);
std::string text_of(const pugi::xml_node& parent, std::string_view name);
std::string escape(std::string_view text);
// Parses `text` into `doc`: a NUL byte becomes U+FFFD, and a document whose CDATA section is
// closed early by its own content gets a second chance (see soap.cpp). Throws
// Error(protocol) naming `what`.
void load(pugi::xml_document& doc, std::string_view text, const char* what);

}  // namespace xml

namespace soap {

struct Reply {
  int fault_code = 0;  // UPnP errorCode of a SOAP fault, 0 when none
  std::string fault_text;
  std::map<std::string, std::string> values;  // children of the *Response element (at most 64)
};

Reply parse_reply(std::string_view text);  // throws Error(protocol)
std::string envelope(const std::string& service_type, const std::string& action,
                     const std::vector<std::pair<std::string, std::string>>& args);

}  // namespace soap

}  // namespace bw
