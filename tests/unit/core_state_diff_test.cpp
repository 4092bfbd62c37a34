// describe_changes: what fix shows when the box changed between the read the person saw and
// the read taken after they said yes.
#include <gtest/gtest.h>

#include "core/state_diff.hpp"

namespace bw {
namespace {

PortForward fw(uint16_t port, const std::string& host, const std::string& desc) {
  PortForward f;
  f.protocol = Protocol::tcp;
  f.external_port = f.external_port_end = f.internal_port = port;
  f.internal_host = host;
  f.description = desc;
  return f;
}

RouterState doctor() {
  RouterState s;
  s.port_forwards = {fw(11112, "192.168.1.10", "PACS DICOM"), fw(3389, "192.168.1.10", "Remote Desktop")};
  s.upnp_igd_enabled = true;
  return s;
}

TEST(StateDiff, NothingChangedIsEmptyEvenWhenLeasesRunDown) {
  RouterState a = doctor(), b = doctor();
  b.port_forwards[0].lease_seconds = 3000;
  a.port_forwards[0].lease_seconds = 3600;
  EXPECT_TRUE(describe_changes(a, b).empty());
}

TEST(StateDiff, ARepointedForwardNamesBothMachines) {
  RouterState a = doctor(), b = doctor();
  b.port_forwards[0] = fw(11112, "192.168.1.20", "LaptopWeb");
  auto lines = describe_changes(a, b);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0],
            "changed: TCP port 11112 now goes to 192.168.1.20 port 11112 (\"LaptopWeb\"); it went to "
            "192.168.1.10 port 11112 (\"PACS DICOM\")");
}

TEST(StateDiff, NewGoneAndSwitches) {
  RouterState a = doctor(), b = doctor();
  b.port_forwards.erase(b.port_forwards.begin() + 1);
  b.port_forwards.push_back(fw(8080, "192.168.1.30", "cam\x1b[31m"));
  b.dmz = Dmz{true, "192.168.1.10", {}};
  b.upnp_igd_enabled = false;
  a.remote_admin_enabled = false;
  b.remote_admin_enabled = true;
  auto lines = describe_changes(a, b);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0].rfind("new: TCP port 8080 now goes to 192.168.1.30", 0), 0u) << lines[0];
  EXPECT_EQ(lines[0].find('\x1b'), std::string::npos) << "escape sequences from the box are escaped";
  EXPECT_EQ(lines[1], "gone: TCP port 3389 to 192.168.1.10 port 3389 (\"Remote Desktop\") is no longer open");
  EXPECT_EQ(lines[2], "changed: the DMZ is now on, to 192.168.1.10; it was unknown");
  EXPECT_EQ(lines[3], "changed: UPnP is now off; it was on");
  EXPECT_EQ(lines[4], "changed: administration from the Internet is now on; it was off");
}

}  // namespace
}  // namespace bw
