// Backups: atomic, private, complete, and refused when damaged.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

// A backup of a box with many forwards: several KiB of JSON, far above the file size limit
// the crash tests set.
Backup big_backup() {
  Backup b;
  b.gateway = "192.168.1.1";
  b.profile = "medical-practice";
  for (int i = 0; i < 40; ++i) {
    b.state.port_forwards.push_back(
        test::forward(Protocol::tcp, static_cast<uint16_t>(10000 + i), "192.168.1.10", "service " + std::to_string(i)));
    Action a;
    a.kind = ActionKind::delete_port_forward;
    a.target.kind = SubjectKind::port_forward;
    a.target.forward = b.state.port_forwards.back();
    a.summary = "Close TCP port " + std::to_string(10000 + i);
    b.plan.push_back(a);
  }
  return b;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<fs::path> temporary_files(const fs::path& d) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(d)) {
    if (e.path().filename().string().find(".tmp-") != std::string::npos) {
      out.push_back(e.path());
    }
  }
  return out;
}

// Runs store.save(big_backup()) in a child process whose files may not grow past `limit`
// bytes (RLIMIT_FSIZE). With SIGXFSZ at its default action the kernel kills the child in the
// middle of the write; ignored, the write fails with EFBIG. Returns the wait() status; the
// child exits 0 when save() threw bw::Error, 1 when it returned, 2 on another exception.
int save_in_child_with_file_limit(BackupStore& store, rlim_t limit, bool ignore_sigxfsz) {
  pid_t child = fork();
  if (child == 0) {
    rlimit core{0, 0};
    setrlimit(RLIMIT_CORE, &core);
    std::signal(SIGXFSZ, ignore_sigxfsz ? SIG_IGN : SIG_DFL);
    rlimit fsize{limit, limit};
    setrlimit(RLIMIT_FSIZE, &fsize);
    try {
      Backup b = big_backup();
      store.save(b);
      _exit(1);
    } catch (const Error&) {
      _exit(0);
    } catch (...) {
      _exit(2);
    }
  }
  int status = 0;
  waitpid(child, &status, 0);
  return status;
}

// A crash (kill -9, power loss) while a backup is written must not cost the backups already
// there, nor leave a truncated file that `rollback` would take as the latest backup.
TEST_F(BackupStoreTest, CrashInTheMiddleOfAWriteLeavesEarlierBackupsIntact) {
  BackupStore store(dir.string());
  Backup first = big_backup();
  std::string first_path = store.save(first);
  std::string first_bytes = slurp(first_path);
  ASSERT_GT(first_bytes.size(), 8192u) << "the backup must be larger than the limit below";

  int status = save_in_child_with_file_limit(store, 4096, false);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child was not killed in the write (status " << status << ")";
  EXPECT_EQ(WTERMSIG(status), SIGXFSZ);

  // The half-written backup is a temporary file (4096 bytes of truncated JSON), never listed.
  auto tmp = temporary_files(dir / "backups");
  ASSERT_EQ(tmp.size(), 1u);
  EXPECT_EQ(fs::file_size(tmp[0]), 4096u);
  EXPECT_EQ(store.list(), std::vector<std::string>{first_path});
  EXPECT_EQ(store.latest().value_or(""), first_path);
  EXPECT_EQ(slurp(first_path), first_bytes);
  Backup back = store.load(*store.latest());
  EXPECT_EQ(back.state.port_forwards.size(), 40u);
  EXPECT_EQ(back.plan.size(), 40u);

  // The next fix saves its backup as usual, and it becomes the latest.
  Backup next = big_backup();
  std::string next_path = store.save(next);
  EXPECT_EQ(store.list(), (std::vector<std::string>{first_path, next_path}));
  EXPECT_EQ(store.latest().value_or(""), next_path);
  EXPECT_EQ(store.load(next_path).plan.size(), 40u);
}

// A write that fails (disk full, file too large) is an error that names the file, leaves no
// temporary file behind, and leaves the earlier backups as they were.
TEST_F(BackupStoreTest, FailedWriteThrowsAndLeavesNoTrace) {
  BackupStore store(dir.string());
  Backup first = big_backup();
  std::string first_path = store.save(first);
  std::string first_bytes = slurp(first_path);

  int status = save_in_child_with_file_limit(store, 4096, true);
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 0) << "save() should have thrown bw::Error (1: returned, 2: other exception)";
  EXPECT_TRUE(temporary_files(dir / "backups").empty());
  EXPECT_EQ(store.list(), std::vector<std::string>{first_path});
  EXPECT_EQ(slurp(first_path), first_bytes);
}

}  // namespace
}  // namespace bw
