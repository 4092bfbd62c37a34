// Profiles: the shipped ones load, every mistake names file and line, lookup order.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "rules/profile.hpp"

namespace bw {
namespace {

namespace fs = std::filesystem;

const std::string k_data = std::string(BOXWARDEN_TEST_DATA) + "/profiles/";
const std::string k_shipped = BOXWARDEN_SOURCE_PROFILE_DIR;

// The message of the usage error that loading `file` throws ("" when none).
std::string error_of(const std::string& file) {
  try {
    load_profile_file(k_data + file);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    return e.what();
  }
  return "";
}

TEST(RulesProfile, EveryShippedProfileLoads) {
  for (const char* name : {"home", "small-office", "medical-practice", "strict"}) {
    Profile p = load_profile_file(k_shipped + "/" + name + ".profile");
    EXPECT_EQ(p.name, name);
    EXPECT_FALSE(p.summary.empty()) << name;
    EXPECT_FALSE(p.text.empty()) << name;
    EXPECT_GE(p.unknown_field, Severity::medium) << name;
    EXPECT_FALSE(p.remote_admin.allowed) << name;
    EXPECT_GE(p.remote_admin.severity, Severity::high) << name;
  }
}

TEST(RulesProfile, ShippedProfilesSayWhatDesignSays) {
  Profile home = load_profile_file(k_shipped + "/home.profile");
  EXPECT_TRUE(home.upnp_enabled.allowed);
  EXPECT_EQ(home.dmz.severity, Severity::high);
  EXPECT_LE(home.class_severity.at("gaming"), Severity::low);

  Profile office = load_profile_file(k_shipped + "/small-office.profile");
  EXPECT_FALSE(office.upnp_enabled.allowed);
  EXPECT_FALSE(office.dmz.allowed);
  EXPECT_TRUE(office.allowed.empty());

  Profile medical = load_profile_file(k_shipped + "/medical-practice.profile");
  EXPECT_EQ(medical.data_class, DataClass::health);
  EXPECT_EQ(medical.dmz.severity, Severity::critical);
  EXPECT_EQ(medical.upnp_enabled.severity, Severity::high);
  for (const char* c : {"health", "remote-desktop", "file-sharing", "database"}) {
    EXPECT_EQ(medical.class_severity.at(c), Severity::critical) << c;
  }
  ASSERT_EQ(medical.allowed.size(), 1u);
  EXPECT_EQ(medical.allowed[0].port_first, 51820);
  EXPECT_EQ(medical.allowed[0].protocols, ProtocolSet::udp);

  Profile strict = load_profile_file(k_shipped + "/strict.profile");
  EXPECT_TRUE(strict.allowed.empty());
  EXPECT_GE(strict.forward_minimum, Severity::high);
}

TEST(RulesProfile, ErrorsNameFileAndLine) {
  struct Case {
    const char* file;
    int line;
    const char* says;
  };
  const Case cases[] = {
      {"unknown-key.profile", 4, "did you mean 'remote-admin'"},
      {"bad-severity.profile", 4, "'severe'"},
      {"bad-port.profile", 5, "bad port '70000/tcp'"},
      {"bad-range.profile", 4, "bad port '2000-1000/tcp'"},
      {"bad-protocol.profile", 4, "/tcp, /udp or /both"},
      {"bad-host.profile", 4, "IPv4"},
      {"duplicate-key.profile", 6, "already set at line 3"},
      {"duplicate-class.profile", 5, "already set at line 4"},
      {"duplicate-allow.profile", 5, "already allowed at line 4"},
      {"bad-class.profile", 4, "unknown service class 'medical'"},
      {"unknown-field-info.profile", 4, "cannot be info"},
      {"extra-value.profile", 4, "takes one value"},
      {"name-mismatch.profile", 2, "write 'name name-mismatch'"},
      {"bad-data-class.profile", 4, "personal, business or health"},
  };
  for (const Case& c : cases) {
    std::string message = error_of(c.file);
    std::string where = k_data + c.file + ":" + std::to_string(c.line) + ": ";
    EXPECT_EQ(message.rfind(where, 0), 0u) << c.file << ": " << message;
    EXPECT_NE(message.find(c.says), std::string::npos) << c.file << ": " << message;
    EXPECT_NE(message.find("; "), std::string::npos) << c.file << " says what to do: " << message;
  }
}

TEST(RulesProfile, MissingRequiredKeyNamesTheFile) {
  std::string message = error_of("missing-summary.profile");
  EXPECT_NE(message.find("missing-summary.profile: missing 'summary'"), std::string::npos) << message;
}

TEST(RulesProfile, ParsesAllowLinesAndComments) {
  Profile p = parse_profile(
      "name t  # trailing comment\n"
      "summary Practice#2 keeps its hash # but this is a comment\n"
      "allow 8000-8010/tcp host 192.168.1.20 purpose the booking server\r\n"
      "allow 3074/both\n"
      "\tclass gaming low\n",
      "t.profile");
  EXPECT_EQ(p.name, "t");
  EXPECT_EQ(p.summary, "Practice#2 keeps its hash");
  ASSERT_EQ(p.allowed.size(), 2u);
  EXPECT_EQ(p.allowed[0].port_first, 8000);
  EXPECT_EQ(p.allowed[0].port_last, 8010);
  EXPECT_EQ(p.allowed[0].host, "192.168.1.20");
  EXPECT_EQ(p.allowed[0].purpose, "the booking server");
  EXPECT_EQ(p.allowed[1].protocols, ProtocolSet::both);
  EXPECT_EQ(p.allowed[1].line, 4);

  PortForward f;
  f.protocol = Protocol::tcp;
  f.external_port = 8002;
  f.external_port_end = 8004;
  f.internal_host = "192.168.1.20";
  EXPECT_NE(p.allowance_for(f), nullptr);
  f.internal_host = "192.168.1.21";
  EXPECT_EQ(p.allowance_for(f), nullptr);
  f.internal_host = "192.168.1.20";
  f.external_port_end = 8011;  // leaves the allowed range
  EXPECT_EQ(p.allowance_for(f), nullptr);
}

TEST(RulesProfile, DefaultsNeverTreatUnknownAsSafe) {
  Profile p = parse_profile("name t\nsummary s\n", "t.profile");
  EXPECT_GE(p.unknown_field, Severity::medium);
  EXPECT_FALSE(p.dmz.allowed);
  EXPECT_EQ(p.data_class, DataClass::personal);
}

// Sets an environment variable for one test and puts back the old value.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : m_name(name) {
    if (const char* old = std::getenv(name)) {
      m_old = old;
    }
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (m_old) {
      setenv(m_name, m_old->c_str(), 1);
    } else {
      unsetenv(m_name);
    }
  }

 private:
  const char* m_name;
  std::optional<std::string> m_old;
};

class RulesProfileSearch : public ::testing::Test {
 protected:
  void SetUp() override {
    m_root = fs::temp_directory_path() / ("bw-rules-profile-" + std::to_string(::getpid()));
    fs::create_directories(m_root / "config/boxwarden/profiles");
    fs::create_directories(m_root / "extra");
  }
  void TearDown() override { fs::remove_all(m_root); }

  void write(const fs::path& path, const std::string& text) {
    std::ofstream(path) << text;
  }

  fs::path m_root;
};

TEST_F(RulesProfileSearch, UserDirectoryWinsThenPathThenShipped) {
  ScopedEnv config("XDG_CONFIG_HOME", (m_root / "config").string());
  ScopedEnv path("BOXWARDEN_PROFILE_PATH", (m_root / "extra").string() + ":/nonexistent");
  write(m_root / "config/boxwarden/profiles/home.profile", "name home\nsummary my own home\n");
  write(m_root / "extra/clinic.profile", "name clinic\nsummary extra clinic\n");
  write(m_root / "extra/broken.profile", "name broken\nsummary s\ndmz maybe\n");

  EXPECT_EQ(load_profile("home").summary, "my own home");
  EXPECT_EQ(load_profile("clinic").summary, "extra clinic");
  EXPECT_EQ(load_profile("strict").name, "strict");

  auto dirs = profile_search_path();
  ASSERT_GE(dirs.size(), 3u);
  EXPECT_EQ(dirs[0], (m_root / "config/boxwarden/profiles").string());
  EXPECT_EQ(dirs[1], (m_root / "extra").string());

  auto infos = list_profiles();
  auto find = [&](const std::string& name) {
    return std::find_if(infos.begin(), infos.end(), [&](const ProfileInfo& i) { return i.name == name; });
  };
  ASSERT_NE(find("home"), infos.end());
  EXPECT_EQ(find("home")->summary, "my own home");
  ASSERT_NE(find("medical-practice"), infos.end());
  ASSERT_NE(find("broken"), infos.end());
  EXPECT_NE(find("broken")->summary.find("cannot be loaded"), std::string::npos);
  EXPECT_EQ(std::count_if(infos.begin(), infos.end(), [](const ProfileInfo& i) { return i.name == "home"; }), 1);
  EXPECT_TRUE(std::is_sorted(infos.begin(), infos.end(),
                             [](const ProfileInfo& a, const ProfileInfo& b) { return a.name < b.name; }));
}

TEST_F(RulesProfileSearch, UnknownNameListsTheAvailableOnes) {
  ScopedEnv config("XDG_CONFIG_HOME", (m_root / "config").string());
  try {
    load_profile("medical");
    FAIL() << "an unknown name must be an error";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(message.find("unknown profile 'medical'"), std::string::npos) << message;
    EXPECT_NE(message.find("medical-practice"), std::string::npos) << message;
    EXPECT_NE(message.find("small-office"), std::string::npos) << message;
  }
}

TEST_F(RulesProfileSearch, PathsAreFilesNotNames) {
  write(m_root / "mine.profile", "name mine\nsummary from a path\n");
  EXPECT_EQ(load_profile((m_root / "mine.profile").string()).summary, "from a path");
  EXPECT_EQ(load_profile((m_root / "mine.profile").string()).path, (m_root / "mine.profile").string());
  try {
    load_profile("does-not-exist.profile");
    FAIL() << "a missing file must be an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no such file"), std::string::npos) << e.what();
  }
}

TEST(RulesProfile, ManagedForwardsKey) {
  Profile p = parse_profile("name t\nsummary s\n", "t.profile");
  EXPECT_FALSE(p.delete_managed_forwards);
  p = parse_profile("name t\nsummary s\nmanaged-forwards delete\n", "t.profile");
  EXPECT_TRUE(p.delete_managed_forwards);
  p = parse_profile("name t\nsummary s\nmanaged-forwards leave\n", "t.profile");
  EXPECT_FALSE(p.delete_managed_forwards);
  try {
    parse_profile("name t\nsummary s\nmanaged-forwards maybe\n", "t.profile");
    FAIL() << "accepted 'maybe'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("t.profile:3"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("leave or delete"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace bw
