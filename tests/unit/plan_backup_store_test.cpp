// Backups: atomic, private, complete, and refused when damaged.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/error.hpp"
#include "plan/backup_store.hpp"
#include "tests/fakes/fake_router.hpp"

namespace bw {
namespace {

namespace fs = std::filesystem;

class BackupStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("bw-backup-" + std::to_string(getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  fs::path dir;
};

TEST_F(BackupStoreTest, SavesPrivatelyAndLoadsBackExactly) {
  BackupStore store(dir.string());
  Backup b;
  b.gateway = "192.168.1.1";
  b.profile = "medical-practice";
  b.state.port_forwards = {test::forward(Protocol::tcp, 11112, "192.168.1.10", "PACS \"DICOM\" \x1b")};
  b.state.port_forwards[0].vendor_data = {{"id", "webui_rdp"}};
  b.state.dmz = Dmz{true, "192.168.1.10", {{"key", "value"}}};
  Action a;
  a.kind = ActionKind::delete_port_forward;
  a.target.kind = SubjectKind::port_forward;
  a.target.forward = b.state.port_forwards[0];
  a.summary = "Close TCP port 11112";
  b.plan = {a};
  std::string path = store.save(b);

  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat((dir / "backups").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  Backup back = store.load(path);
  ASSERT_EQ(back.state.port_forwards.size(), 1u);
  EXPECT_EQ(back.state.port_forwards[0].description, "PACS \"DICOM\" \x1b");
  EXPECT_EQ(back.state.port_forwards[0].vendor_data["id"], "webui_rdp");
  EXPECT_EQ(back.state.dmz->host, "192.168.1.10");
  ASSERT_EQ(back.plan.size(), 1u);
  EXPECT_EQ(back.plan[0].kind, ActionKind::delete_port_forward);
  EXPECT_EQ(back.plan[0].target.forward->external_port, 11112);
  EXPECT_EQ(store.latest().value_or(""), path);
}

TEST_F(BackupStoreTest, TwoBackupsInOneSecondBothKept) {
  BackupStore store(dir.string());
  Backup a, b;
  a.gateway = b.gateway = "192.168.1.1";
  store.save(a);
  std::string second = store.save(b);
  EXPECT_EQ(store.list().size(), 2u);
  EXPECT_EQ(store.latest().value_or(""), second);
}

TEST_F(BackupStoreTest, DamagedBackupIsAUsageError) {
  BackupStore store(dir.string());
  fs::create_directories(dir / "backups");
  std::ofstream(dir / "backups" / "x.json") << "{\"format\": \"boxwarden-backup-1\", \"state\": {";
  try {
    store.load((dir / "backups" / "x.json").string());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
  }
}

TEST_F(BackupStoreTest, NoTemporaryFileIsLeftBehind) {
  BackupStore store(dir.string());
  Backup b;
  b.gateway = "192.168.1.1";
  store.save(b);
  for (const auto& e : fs::directory_iterator(dir / "backups")) {
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos);
  }
}

}  // namespace
}  // namespace bw
