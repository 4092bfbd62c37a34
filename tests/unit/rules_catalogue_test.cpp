// The service catalogue: lookups, ranges, classes, and the table's own consistency.
#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "rules/catalogue.hpp"

namespace bw {
namespace {

TEST(RulesCatalogue, FindsTheDoctorsImagingPort) {
  const Service* s = find_service(Protocol::tcp, 11112);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->class_id, "health");
  EXPECT_EQ(s->severity, Severity::critical);
  EXPECT_NE(s->name.find("DICOM"), std::string_view::npos);
}

TEST(RulesCatalogue, CoversEveryServiceOfTheRiskCatalogue) {
  struct Want {
    Protocol protocol;
    uint16_t port;
    std::string_view class_id;
  };
  const Want wants[] = {
      {Protocol::tcp, 104, "health"},         {Protocol::tcp, 11112, "health"},
      {Protocol::tcp, 2762, "health"},        {Protocol::tcp, 4242, "health"},
      {Protocol::tcp, 8042, "health"},        {Protocol::tcp, 2575, "health"},
      {Protocol::tcp, 3389, "remote-desktop"}, {Protocol::tcp, 445, "file-sharing"},
      {Protocol::udp, 137, "file-sharing"},   {Protocol::udp, 138, "file-sharing"},
      {Protocol::tcp, 139, "file-sharing"},   {Protocol::tcp, 23, "cleartext-login"},
      {Protocol::tcp, 21, "file-sharing"},    {Protocol::tcp, 22, "remote-shell"},
      {Protocol::tcp, 5900, "remote-desktop"}, {Protocol::tcp, 3306, "database"},
      {Protocol::tcp, 5432, "database"},      {Protocol::tcp, 1433, "database"},
      {Protocol::tcp, 27017, "database"},     {Protocol::tcp, 6379, "database"},
      {Protocol::tcp, 9200, "database"},      {Protocol::tcp, 2375, "container-api"},
      {Protocol::tcp, 2376, "container-api"}, {Protocol::tcp, 9100, "printer"},
      {Protocol::tcp, 631, "printer"},        {Protocol::tcp, 515, "printer"},
      {Protocol::tcp, 554, "camera"},         {Protocol::tcp, 80, "admin"},
      {Protocol::tcp, 443, "admin"},          {Protocol::tcp, 8080, "admin"},
      {Protocol::tcp, 8443, "admin"},         {Protocol::tcp, 5000, "admin"},
      {Protocol::tcp, 5001, "admin"},         {Protocol::tcp, 7547, "isp-management"},
      {Protocol::udp, 1900, "amplification"}, {Protocol::udp, 53, "amplification"},
      {Protocol::udp, 123, "amplification"},  {Protocol::udp, 161, "amplification"},
      {Protocol::udp, 11211, "amplification"}, {Protocol::tcp, 1723, "vpn-weak"},
      {Protocol::udp, 51820, "vpn"},          {Protocol::udp, 1194, "vpn"},
      {Protocol::udp, 500, "vpn"},            {Protocol::udp, 4500, "vpn"},
      {Protocol::udp, 3074, "gaming"},        {Protocol::tcp, 3074, "gaming"},
      {Protocol::udp, 3478, "gaming"},        {Protocol::udp, 3480, "gaming"},
      {Protocol::udp, 27015, "gaming"},
  };
  for (const Want& w : wants) {
    const Service* s = find_service(w.protocol, w.port);
    ASSERT_NE(s, nullptr) << to_string(w.protocol) << "/" << w.port;
    EXPECT_EQ(s->class_id, w.class_id) << to_string(w.protocol) << "/" << w.port;
  }
}

TEST(RulesCatalogue, ProtocolMatters) {
  EXPECT_EQ(find_service(Protocol::udp, 11112), nullptr);
  EXPECT_EQ(find_service(Protocol::udp, 51821), nullptr);
  EXPECT_EQ(find_service(Protocol::tcp, 51820), nullptr);
  ASSERT_NE(find_service(Protocol::tcp, 11211), nullptr);
  ASSERT_NE(find_service(Protocol::udp, 11211), nullptr);
  EXPECT_EQ(find_service(Protocol::tcp, 11211)->class_id, "database");
  EXPECT_EQ(find_service(Protocol::udp, 11211)->class_id, "amplification");
  EXPECT_EQ(find_service(Protocol::tcp, 12345), nullptr);
}

TEST(RulesCatalogue, MostSevereServiceInARange) {
  // 3000-3400/tcp holds a web app (medium), Xbox (low), MySQL (high) and RDP (high).
  const Service* s = most_severe_service(Protocol::tcp, 3000, 3400);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->severity, Severity::high);
  EXPECT_GE(services_in_range(Protocol::tcp, 3000, 3400).size(), 4u);
  // The whole port space holds the worst of all.
  ASSERT_NE(most_severe_service(Protocol::tcp, 1, 65535), nullptr);
  EXPECT_EQ(most_severe_service(Protocol::tcp, 1, 65535)->severity, Severity::critical);
  EXPECT_EQ(most_severe_service(Protocol::tcp, 40000, 40010), nullptr);
}

TEST(RulesCatalogue, TableIsConsistent) {
  auto table = services();
  ASSERT_FALSE(table.empty());
  for (std::size_t i = 0; i < table.size(); ++i) {
    const Service& a = table[i];
    EXPECT_LE(a.port_first, a.port_last) << a.name;
    EXPECT_NE(find_service_class(a.class_id), nullptr) << a.name << ": class " << a.class_id;
    EXPECT_FALSE(a.why.empty()) << a.name;
    EXPECT_FALSE(a.phrase.empty()) << a.name;
    EXPECT_NE(a.why.back(), '.') << a.name << ": the evaluator adds the full stop";
    if (i > 0) {
      EXPECT_LE(table[i - 1].port_first, a.port_first) << a.name << " is out of port order";
    }
    for (std::size_t j = i + 1; j < table.size(); ++j) {
      const Service& b = table[j];
      bool same_protocol = a.protocols == ProtocolSet::both || b.protocols == ProtocolSet::both ||
                           a.protocols == b.protocols;
      bool overlap = a.port_first <= b.port_last && b.port_first <= a.port_last;
      EXPECT_FALSE(same_protocol && overlap) << a.name << " overlaps " << b.name;
    }
  }
}

TEST(RulesCatalogue, ClassesHaveDisplayNames) {
  for (const ServiceClass& c : service_classes()) {
    EXPECT_FALSE(c.display_name.empty()) << c.id;
    EXPECT_EQ(class_display_name(c.id), c.display_name);
  }
  EXPECT_EQ(class_display_name("no-such-class"), "no-such-class");
  EXPECT_NE(find_service_class("gaming"), nullptr);
  EXPECT_EQ(find_service_class("medical"), nullptr);
}

TEST(RulesCatalogue, ProtocolSets) {
  EXPECT_TRUE(covers(ProtocolSet::both, Protocol::udp));
  EXPECT_TRUE(covers(ProtocolSet::tcp, Protocol::tcp));
  EXPECT_FALSE(covers(ProtocolSet::tcp, Protocol::udp));
  EXPECT_FALSE(covers(ProtocolSet::udp, Protocol::tcp));
  EXPECT_EQ(to_string(ProtocolSet::both), "TCP and UDP");
}

}  // namespace
// service_id: lowercase letters, digits and '-'; one id names one service (its entries share
// the class), so scripts can match "rdp" or "dicom" whatever the label says.
TEST(RulesCatalogue, ServiceIdsAreStableLowercaseIds) {
  std::map<std::string_view, std::string_view> class_of;
  for (const Service& s : services()) {
    EXPECT_TRUE(std::regex_match(std::string(s.id), std::regex("[a-z0-9][a-z0-9-]{0,31}"))) << s.name;
    auto [it, added] = class_of.emplace(s.id, s.class_id);
    EXPECT_EQ(it->second, s.class_id) << s.id;
  }
  EXPECT_EQ(find_service(Protocol::tcp, 3389)->id, "rdp");
  EXPECT_EQ(find_service(Protocol::tcp, 104)->id, "dicom");
  EXPECT_EQ(find_service(Protocol::tcp, 11112)->id, "dicom");
  EXPECT_EQ(find_service(Protocol::tcp, 445)->id, "smb");
}

}  // namespace bw
