// Loading a saved state (backups): every number is a JSON integer within its field's range,
// or the backup is refused with an Error that names the field. Never a wrapped port, never a
// float-to-integer cast out of range (undefined behaviour, reported by UBSan).
#include <filesystem>
#include <fstream>
#include <limits>

#include <gtest/gtest.h>
#include <unistd.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/router_state.hpp"
#include "plan/action.hpp"
#include "plan/backup_store.hpp"

namespace bw {
namespace {

nlohmann::json saved_forward() {
  return {{"protocol", "TCP"},   {"external_port", 11112}, {"external_port_end", 11112},
          {"internal_host", "192.168.1.10"}, {"internal_port", 11112}, {"description", "PACS"},
          {"origin", {"upnp"}},  {"enabled", true},          {"source", "any"},
          {"lease_seconds", 0},  {"apis", {"upnp-igd"}}};
}

// The message of the Error that loading `j` throws ("" when it loads).
std::string refusal(const nlohmann::json& j) {
  try {
    port_forward_from_json(j);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::protocol);
    return e.what();
  }
  return "";
}

TEST(CoreRouterState, AForwardLoadsBackExactly) {
  PortForward f = port_forward_from_json(saved_forward());
  EXPECT_EQ(f.external_port, 11112);
  EXPECT_EQ(f.external_port_end, 11112);
  EXPECT_EQ(f.internal_port, 11112);
  EXPECT_EQ(f.lease_seconds, 0u);
  EXPECT_EQ(to_json(f), saved_forward());
}

TEST(CoreRouterState, TheLimitsOfEachFieldLoad) {
  auto j = saved_forward();
  j["external_port"] = 1;  // 0 is no port: refused (CoreRouterState.PortZeroIsRefused)
  j["external_port_end"] = 65535;
  j["internal_port"] = 65535;
  j["lease_seconds"] = 4294967295u;
  PortForward f = port_forward_from_json(j);
  EXPECT_EQ(f.external_port, 1);
  EXPECT_EQ(f.external_port_end, 65535);
  EXPECT_EQ(f.internal_port, 65535);
  EXPECT_EQ(f.lease_seconds, 4294967295u);
}

TEST(CoreRouterState, OptionalNumbersHaveTheirDefaults) {
  auto j = saved_forward();
  j.erase("external_port_end");
  j.erase("lease_seconds");
  j["external_port"] = 3389;
  PortForward f = port_forward_from_json(j);
  EXPECT_EQ(f.external_port_end, 3389);
  EXPECT_EQ(f.lease_seconds, 0u);
}

TEST(CoreRouterState, APortAbove65535IsRefusedNotWrapped) {
  for (const char* key : {"external_port", "external_port_end", "internal_port"}) {
    auto j = saved_forward();
    j[key] = 70000;  // get<uint16_t>() read it as 4464
    std::string why = refusal(j);
    EXPECT_NE(why.find(std::string(key) + ": "), std::string::npos) << why;
    EXPECT_NE(why.find("70000"), std::string::npos) << why;
    EXPECT_NE(why.find("65535"), std::string::npos) << why;
  }
}

TEST(CoreRouterState, NegativeFloatAndHugeNumbersAreRefused) {
  const nlohmann::json bad[] = {
      -1,                       // read as 65535
      1e30,                     // float-to-integer cast out of range: undefined behaviour
      -1e30,
      80.0,                     // a float, even a whole one, is not what we write
      80.5,
      std::numeric_limits<double>::infinity(),
      std::numeric_limits<uint64_t>::max(),
      std::numeric_limits<int64_t>::min(),
      "80",
      nullptr,
      true,
      nlohmann::json::array({80}),
  };
  for (const auto& v : bad) {
    for (const char* key : {"external_port", "external_port_end", "internal_port", "lease_seconds"}) {
      auto j = saved_forward();
      j[key] = v;
      std::string why = refusal(j);
      EXPECT_NE(why.find(key), std::string::npos) << key << " = " << v.dump() << ": " << why;
    }
  }
}

TEST(CoreRouterState, PortZeroAndAnEndBeforeTheStartAreRefused) {
  for (const char* key : {"external_port", "internal_port"}) {
    auto j = saved_forward();
    j[key] = 0;
    EXPECT_NE(refusal(j).find(std::string(key) + ": must be a whole number from 1 to 65535, not 0"), std::string::npos)
        << refusal(j);
  }
  auto j = saved_forward();
  j["external_port_end"] = 11111;
  EXPECT_NE(refusal(j).find("external_port_end: must be a whole number from 11112 to 65535"), std::string::npos)
      << refusal(j);
}

TEST(CoreRouterState, AddressesMustBeAddresses) {
  struct Case {
    const char* key;
    const char* value;
    bool loads;
  };
  const Case cases[] = {
      {"internal_host", "192.168.1.10", true}, {"internal_host", "fd00::a", true},
      {"internal_host", "not-an-ip", false},   {"internal_host", "", false},
      {"internal_host", "192.168.1.300", false}, {"internal_host", "192.168.001.010", false},
      {"source", "any", true},                 {"source", "198.51.100.7", true},
      {"source", "198.51.100.0/24", true},     {"source", "198.51.100.0/33", false},
      {"source", "", true},                    {"source", "evil.example", false},
  };
  for (const auto& c : cases) {
    auto j = saved_forward();
    j[c.key] = c.value;
    std::string why = refusal(j);
    EXPECT_EQ(why.empty(), c.loads) << c.key << " = " << c.value << ": " << why;
    if (!c.loads) {
      EXPECT_EQ(why.rfind(std::string(c.key) + ": ", 0), 0u) << why;
    }
  }
}

TEST(CoreRouterState, ALeaseAbove32BitsIsRefused) {
  auto j = saved_forward();
  j["lease_seconds"] = 4294967296u;  // 2^32: read as 0 (permanent) by a uint32_t cast
  std::string why = refusal(j);
  EXPECT_NE(why.find("lease_seconds: "), std::string::npos) << why;
  EXPECT_NE(why.find("4294967295"), std::string::npos) << why;
}

TEST(CoreRouterState, ASignedIntegerBuiltInMemoryLoads) {
  // nlohmann::json keeps a signed integer when one is assigned (not parsed): still a port.
  auto j = saved_forward();
  j["internal_port"] = static_cast<int64_t>(8080);
  ASSERT_TRUE(j["internal_port"].is_number_integer());
  EXPECT_EQ(port_forward_from_json(j).internal_port, 8080);
}

TEST(CoreRouterState, PortForwardsMustBeAList) {
  nlohmann::json state = {{"port_forwards", {{"a", saved_forward()}}}};
  try {
    router_state_from_json(state);
    FAIL() << "an object was taken for the list of forwards";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::protocol);
    EXPECT_NE(std::string(e.what()).find("port_forwards"), std::string::npos) << e.what();
  }
}

TEST(CoreRouterState, AStateRoundTripsThroughJson) {
  RouterState s;
  s.port_forwards = {port_forward_from_json(saved_forward())};
  s.port_forwards[0].lease_seconds = 4294967295u;
  s.static_forwards_known = true;
  s.dmz = Dmz{true, "192.168.1.10", {}};
  s.upnp_igd_enabled = false;
  nlohmann::json once = to_json(s);
  EXPECT_EQ(to_json(router_state_from_json(once)), once);
}

TEST(CoreRouterState, AnActionTargetIsCheckedTheSameWay) {
  nlohmann::json a = {{"action", "delete-port-forward"},
                      {"target", {{"kind", "port_forward"}}},
                      {"target_forward", saved_forward()}};
  EXPECT_EQ(action_from_json(a).target.forward->external_port, 11112);
  a["target_forward"]["external_port"] = 70000;
  EXPECT_THROW(action_from_json(a), Error);
}

// The two inputs fuzz_backup found (now in tests/fuzz/seeds/fuzz_backup/), through the real
// backup loader: refused with the file and the field named, exit status 2 (usage).
class CoreRouterStateBackup : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() /
          ("bw-router-state-" + std::to_string(getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::string write(const std::string& name, const nlohmann::json& state) {
    nlohmann::json j = {{"format", "boxwarden-backup-1"}, {"gateway", "192.168.1.1"},
                        {"state", state}, {"plan", nlohmann::json::array()}};
    std::string path = (dir / name).string();
    std::ofstream(path) << j.dump();
    return path;
  }
  std::filesystem::path dir;
};

TEST_F(CoreRouterStateBackup, DamagedNumbersRefuseTheWholeBackup) {
  for (const nlohmann::json& port : {nlohmann::json(70000), nlohmann::json(1e30)}) {
    auto f = saved_forward();
    f["external_port"] = port;
    std::string path = write("damaged.json", {{"port_forwards", {f}}});
    try {
      BackupStore(dir.string()).load(path);
      FAIL() << "loaded a backup with external_port " << port.dump();
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::usage);
      std::string why = e.what();
      EXPECT_NE(why.find(path), std::string::npos) << why;
      EXPECT_NE(why.find("state.port_forwards[0].external_port: "), std::string::npos) << why;
      EXPECT_NE(why.find("this file was not written by boxwarden or was edited"), std::string::npos) << why;
    }
  }
}

}  // namespace
}  // namespace bw
