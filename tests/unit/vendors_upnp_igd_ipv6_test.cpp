// The IGD's IPv6 firewall (WANIPv6FirewallControl:1): the service in the description, the
// GetFirewallStatus values, and the bounded walk of pinhole ids (vendors/upnp_igd/pinhole_walk.hpp).
#include <fstream>
#include <map>
#include <sstream>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "net/soap.hpp"
#include "tests/unit/upnp_fixture.hpp"
#include "vendors/upnp_igd/igd_xml.hpp"
#include "vendors/upnp_igd/pinhole_walk.hpp"

namespace bw::igd {
namespace {

using test::upnp_fixture;

TEST(IgdIpv6, LiveboxDescriptionHasTheIpv6FirewallServiceResolvedOnTheBox) {
  auto d = parse_description(upnp_fixture("miniupnpc-testdesc_new_LiveBox_desc.xml"), "http://192.168.1.1:60000/desc.xml");
  ASSERT_TRUE(d.ipv6_firewall.has_value());
  EXPECT_EQ(d.ipv6_firewall->service_type, "urn:schemas-upnp-org:service:WANIPv6FirewallControl:1");
  EXPECT_EQ(d.ipv6_firewall->control_url, "http://192.168.1.1:60000/87895a19/upnp/control/WANIPv6FwCtrl1");
  // It is not a WAN connection service: the mappings still go to WANPPPConnection:2.
  ASSERT_EQ(d.services.size(), 1u);
  EXPECT_EQ(d.services[0].service_type, "urn:schemas-upnp-org:service:WANPPPConnection:2");
}

TEST(IgdIpv6, DescriptionWithoutTheServiceHasNone) {
  auto d = parse_description(upnp_fixture("miniupnpc-testdesc_linksys_WAG200G_desc.xml"), "http://192.168.1.254:49152/x.xml");
  EXPECT_FALSE(d.ipv6_firewall.has_value());
}

TEST(IgdIpv6, FirewallStatusAsMiniupnpdSendsIt) {
  // The reply format of miniupnpd 2.3.1 (upnpsoap.c GetFirewallStatus).
  auto r = soap::parse_reply(
      "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><u:GetFirewallStatusResponse "
      "xmlns:u=\"urn:schemas-upnp-org:service:WANIPv6FirewallControl:1\"><FirewallEnabled>1</FirewallEnabled>"
      "<InboundPinholeAllowed>0</InboundPinholeAllowed></u:GetFirewallStatusResponse></s:Body></s:Envelope>");
  auto st = firewall_status_from_values(r.values);
  ASSERT_TRUE(st.has_value());
  EXPECT_TRUE(st->enabled);
  EXPECT_FALSE(st->inbound_pinhole_allowed);
}

TEST(IgdIpv6, FirewallStatusOffAndUpnpBooleanWords) {
  auto st = firewall_status_from_values({{"FirewallEnabled", "false"}, {"InboundPinholeAllowed", "yes"}});
  ASSERT_TRUE(st.has_value());
  EXPECT_FALSE(st->enabled);
  EXPECT_TRUE(st->inbound_pinhole_allowed);
}

TEST(IgdIpv6, FirewallStatusMissingOrGarbageIsUnknown) {
  EXPECT_FALSE(firewall_status_from_values({}).has_value());
  EXPECT_FALSE(firewall_status_from_values({{"FirewallEnabled", "1"}}).has_value());
  EXPECT_FALSE(firewall_status_from_values({{"FirewallEnabled", "2"}, {"InboundPinholeAllowed", "1"}}).has_value());
  EXPECT_FALSE(firewall_status_from_values({{"FirewallEnabled", "1 "}, {"InboundPinholeAllowed", "1"}}).has_value());
  EXPECT_FALSE(
      firewall_status_from_values({{"FirewallEnabled", "\x1b[31m1"}, {"InboundPinholeAllowed", "1"}}).has_value());
}

// A box whose answers are a map id -> UPnP code (absent ids: `otherwise`); records the ids asked.
struct FakeIds {
  explicit FakeIds(std::map<uint32_t, int> c = {}, int o = 704) : codes(std::move(c)), otherwise(o) {}
  std::map<uint32_t, int> codes;
  int otherwise;
  std::vector<uint32_t> asked;
  AskPinhole ask() {
    return [this](uint32_t id) {
      asked.push_back(id);
      auto it = codes.find(id);
      return it == codes.end() ? otherwise : it->second;
    };
  }
};

const TimeLeft k_always = [] { return true; };

TEST(IgdIpv6, WalkFindsHiddenAndOwnedPinholesAndStopsAfter32FreeIds) {
  FakeIds box{{{1, 606}, {2, 0}}, 704};
  auto w = walk_pinholes(box.ask(), k_always);
  ASSERT_EQ(w.found.size(), 2u);
  EXPECT_EQ(w.found[0].id, 1u);
  EXPECT_FALSE(w.found[0].owned);
  EXPECT_EQ(w.found[1].id, 2u);
  EXPECT_TRUE(w.found[1].owned);
  EXPECT_EQ(w.ids_asked, 34u);  // 1, 2, then 32 free ids
  EXPECT_EQ(w.canary_asked, 3u);  // first, and after each pinhole found
  EXPECT_EQ(box.asked, (std::vector<uint32_t>{65535, 1, 65535, 2, 65535, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
                                              15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
                                              32, 33, 34}));
  EXPECT_FALSE(w.cut_short);
  EXPECT_EQ(w.stopped, "32 free ids in a row after id 2");
}

TEST(IgdIpv6, WalkOfAnEmptyBoxAsks32Ids) {
  FakeIds box{{}, 402};  // miniupnpd answers 402 for a free id
  auto w = walk_pinholes(box.ask(), k_always);
  EXPECT_TRUE(w.found.empty());
  EXPECT_EQ(w.ids_asked, 32u);
  EXPECT_FALSE(w.cut_short);
}

TEST(IgdIpv6, WalkGapCountsFromTheLastPinholeFound) {
  FakeIds box{{{1, 606}, {21, 606}, {52, 606}}, 704};
  auto w = walk_pinholes(box.ask(), k_always);
  ASSERT_EQ(w.found.size(), 3u);
  EXPECT_EQ(w.found[2].id, 52u);
  EXPECT_EQ(w.ids_asked, 84u);
  EXPECT_FALSE(w.cut_short);
}

TEST(IgdIpv6, BoxThatSaysEveryIdExistsCountsNothing) {
  FakeIds box{{}, 606};  // "a pinhole of another host" for every id, the canary too
  auto w = walk_pinholes(box.ask(), k_always);
  EXPECT_TRUE(w.found.empty());
  EXPECT_EQ(w.ids_asked, 0u);
  EXPECT_EQ(box.asked, std::vector<uint32_t>{65535});
  EXPECT_TRUE(w.cut_short);
  EXPECT_NE(w.stopped.find("do not tell which pinholes exist"), std::string::npos) << w.stopped;
}

TEST(IgdIpv6, EndlessWalkStopsAt64PinholesAndSaysSo) {
  FakeIds box{{{65535, 704}}, 606};  // every id but the canary "exists"
  auto w = walk_pinholes(box.ask(), k_always);
  EXPECT_EQ(w.found.size(), 64u);
  EXPECT_EQ(w.ids_asked, 64u);
  EXPECT_EQ(w.canary_asked, 64u);
  EXPECT_TRUE(w.cut_short);
  EXPECT_NE(w.stopped.find("may be more"), std::string::npos) << w.stopped;
}

// miniupnpd 2.3.1 (nftables): a missing id is answered from the address of the last pinhole
// looked up (402 while there was none), as seen in the lab.
TEST(IgdIpv6, StaleAnswersAfterARealPinholeStopTheWalk) {
  int last = 402;
  std::vector<uint32_t> asked;
  auto ask = [&](uint32_t id) {
    asked.push_back(id);
    if (id == 1 || id == 2) {
      last = 606;  // pinholes 1 and 2 exist (other machines')
      return 606;
    }
    return last;
  };
  auto w = walk_pinholes(ask, k_always);
  ASSERT_EQ(w.found.size(), 1u);
  EXPECT_EQ(w.found[0].id, 1u);
  EXPECT_EQ(asked, (std::vector<uint32_t>{65535, 1, 65535}));
  EXPECT_TRUE(w.cut_short);
  EXPECT_NE(w.stopped.find("cannot be told apart"), std::string::npos) << w.stopped;
}

TEST(IgdIpv6, SparsePinholesStopAt1024Ids) {
  FakeIds box;
  for (uint32_t id = 31; id <= 5000; id += 31) {
    box.codes[id] = 606;  // 30 free ids between two pinholes: never 32 in a row
  }
  auto w = walk_pinholes(box.ask(), k_always);
  EXPECT_EQ(w.ids_asked, 1024u);
  EXPECT_EQ(box.asked.back(), 1024u);
  EXPECT_EQ(w.found.size(), 1024u / 31);
  EXPECT_TRUE(w.cut_short);
}

TEST(IgdIpv6, WalkStopsWhenTimeIsUp) {
  FakeIds box{{}, 606};
  int calls = 0;
  auto w = walk_pinholes(box.ask(), [&] { return ++calls <= 5; }, WalkLimits{1024, 32, 64, 0});
  EXPECT_EQ(w.ids_asked, 5u);
  EXPECT_EQ(w.found.size(), 5u);
  EXPECT_TRUE(w.cut_short);
  EXPECT_NE(w.stopped.find("out of time"), std::string::npos) << w.stopped;
}

TEST(IgdIpv6, WalkStopsAtAnUnusableAnswerAndKeepsWhatItFound) {
  auto ask = [](uint32_t id) -> int {
    if (id == 3) {
      throw Error(ErrorKind::protocol, "the reply is not XML");
    }
    return id == 65535 ? 704 : 606;
  };
  auto w = walk_pinholes(ask, k_always);
  EXPECT_EQ(w.found.size(), 2u);
  EXPECT_EQ(w.ids_asked, 3u);
  EXPECT_TRUE(w.cut_short);
  EXPECT_NE(w.stopped.find("not XML"), std::string::npos) << w.stopped;

  auto canary_fails = [](uint32_t id) -> int {
    if (id == 65535) {
      throw Error(ErrorKind::unreachable, "no complete answer in time");
    }
    return 704;
  };
  w = walk_pinholes(canary_fails, k_always);
  EXPECT_EQ(w.ids_asked, 0u);
  EXPECT_TRUE(w.cut_short);
}

TEST(IgdIpv6, WalkStopsAtOtherErrors) {
  FakeIds no_action{{}, 401};
  auto w = walk_pinholes(no_action.ask(), k_always);
  EXPECT_EQ(w.ids_asked, 1u);
  EXPECT_TRUE(w.cut_short);

  FakeIds odd{{{1, 606}, {2, 501}}, 704};
  w = walk_pinholes(odd.ask(), k_always);
  EXPECT_EQ(w.found.size(), 1u);
  EXPECT_EQ(w.ids_asked, 2u);
  EXPECT_TRUE(w.cut_short);
  EXPECT_NE(w.stopped.find("501"), std::string::npos);

  FakeIds disabled{{}, 702};  // FirewallDisabled: nothing to walk, and nothing cut short
  w = walk_pinholes(disabled.ask(), k_always);
  EXPECT_EQ(w.ids_asked, 1u);
  EXPECT_FALSE(w.cut_short);
}

TEST(IgdIpv6, WalkLimitsAreParameters) {
  FakeIds box{{{65535, 704}}, 606};
  auto w = walk_pinholes(box.ask(), k_always, WalkLimits{10, 4, 3});
  EXPECT_EQ(w.found.size(), 3u);
  EXPECT_TRUE(w.cut_short);
  FakeIds empty{{}, 704};
  w = walk_pinholes(empty.ask(), k_always, WalkLimits{10, 4, 3});
  EXPECT_EQ(w.ids_asked, 4u);
  EXPECT_FALSE(w.cut_short);
}

}  // namespace
}  // namespace bw::igd
