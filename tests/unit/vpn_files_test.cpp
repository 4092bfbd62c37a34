// The files vpn setup writes: modes 0700/0600, nothing overwritten, clean removal.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "vpn/files.hpp"
#include "vpn/setup.hpp"

namespace bw::vpn {
namespace {

namespace fs = std::filesystem;

class VpnFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    m_root = fs::temp_directory_path() / ("bw_vpn_files_" + std::to_string(getpid()));
    fs::remove_all(m_root);
    fs::create_directories(m_root);
  }
  void TearDown() override { fs::remove_all(m_root); }

  WgSetup setup() const {
    SetupRequest r;
    r.peers = {"doctor", "nurse"};
    r.out_dir = "x";
    return build_setup(r, *parse_cidr("10.253.0.0/24"), *parse_cidr("192.168.1.0/24"),
                       *parse_ipv4_address("192.168.1.10"), "11.22.33.44");
  }

  static mode_t mode_of(const fs::path& p) {
    struct stat st {};
    stat(p.c_str(), &st);
    return st.st_mode & 0777;
  }

  fs::path m_root;
};

TEST_F(VpnFiles, WritesPrivateFiles) {
  fs::path dir = m_root / "sub" / "vpn";
  check_out_dir(dir.string(), {"doctor", "nurse"});
  WrittenFiles w = write_setup_files(dir.string(), setup());
  EXPECT_TRUE(w.created_dir);
  EXPECT_EQ(mode_of(dir), 0700u);
  ASSERT_EQ(w.paths.size(), 5u);
  for (const auto& p : w.paths) {
    EXPECT_EQ(mode_of(p), 0600u) << p;
    EXPECT_GT(fs::file_size(p), 0u) << p;
  }
  EXPECT_EQ(w.paths, planned_paths(dir.string(), {"doctor", "nurse"}));
  // A second run into the same place is refused: the keys may be in use.
  std::string e;
  try {
    check_out_dir(dir.string(), {"doctor"});
  } catch (const Error& err) {
    e = err.what();
  }
  EXPECT_NE(e.find("already exists"), std::string::npos) << e;
  remove_written(w);
  EXPECT_FALSE(fs::exists(dir));
}

TEST_F(VpnFiles, RefusesAnOpenOrWrongDirectory) {
  fs::path open = m_root / "open";
  fs::create_directories(open);
  chmod(open.c_str(), 0755);
  EXPECT_THROW(check_out_dir(open.string(), {"doctor"}), Error);
  fs::path file = m_root / "file";
  std::ofstream(file) << "x";
  EXPECT_THROW(check_out_dir(file.string(), {"doctor"}), Error);
  fs::path mine = m_root / "mine";
  fs::create_directories(mine);
  chmod(mine.c_str(), 0700);
  EXPECT_NO_THROW(check_out_dir(mine.string(), {"doctor"}));
  WrittenFiles w = write_setup_files(mine.string(), setup());
  EXPECT_FALSE(w.created_dir);
  remove_written(w);
  EXPECT_TRUE(fs::exists(mine));  // not ours to remove
}

}  // namespace
}  // namespace bw::vpn
