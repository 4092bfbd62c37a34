// The box lock: one run per box. A second taker (another process: fork) is refused with
// Error(busy) naming the holder's pid; the lock is free again when the holder ends, however it
// ends; a run that died holding it leaves a stale file that is reported and taken over.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/box_lock.hpp"
#include "core/error.hpp"

namespace bw {
namespace {

namespace fs = std::filesystem;

class BoxLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root = fs::temp_directory_path() / ("bw-box-lock-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root);
    fs::create_directories(root);
    dir = root / "locks";  // missing: the first taker creates it
    setenv("BOXWARDEN_LOCK_DIR", dir.c_str(), 1);
  }
  void TearDown() override {
    unsetenv("BOXWARDEN_LOCK_DIR");
    fs::remove_all(root);
  }

  // A child that takes the lock, says so on a pipe, and waits for a byte to release it (or
  // to die without releasing it, like a killed run).
  struct Holder {
    pid_t pid = -1;
    int go = -1;
  };
  Holder hold(const std::string& address, bool die_holding = false) {
    int ready[2], go[2];
    EXPECT_EQ(pipe(ready), 0);
    EXPECT_EQ(pipe(go), 0);
    pid_t pid = fork();
    if (pid == 0) {
      close(ready[0]);
      close(go[1]);
      try {
        BoxLock lock = BoxLock::take(address, 0, {});
        char c = 'y';
        (void)!write(ready[1], &c, 1);
        (void)!read(go[0], &c, 1);
        if (die_holding) {
          _exit(9);  // no destructor: the file keeps naming this run
        }
      } catch (...) {
        _exit(1);
      }
      _exit(0);
    }
    close(ready[1]);
    close(go[0]);
    char c = 0;
    EXPECT_EQ(read(ready[0], &c, 1), 1) << "the child did not take the lock";
    close(ready[0]);
    return {pid, go[1]};
  }
  int release(Holder& h) {
    char c = 'g';
    (void)!write(h.go, &c, 1);
    close(h.go);
    int status = 0;
    waitpid(h.pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  static std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  fs::path root, dir;
};

TEST(BoxLockName, AddressNetnsAndLoopbackPortOnly) {
  EXPECT_EQ(box_lock_name("192.168.1.1", 0, "4026531840"), "box-4026531840-192.168.1.1.lock");
  // A real box is one box whichever of its ports is used; emulators on the loopback are not.
  EXPECT_EQ(box_lock_name("192.168.1.1", 5000, "4026531840"), "box-4026531840-192.168.1.1.lock");
  EXPECT_EQ(box_lock_name("127.0.0.1", 8080, "7"), "box-7-127.0.0.1-8080.lock");
  EXPECT_EQ(box_lock_name("127.0.0.1", 0, "7"), "box-7-127.0.0.1.lock");
  // Never a path: no slash, whatever the address says.
  EXPECT_EQ(box_lock_name("../../etc/x y", 0, "7").find('/'), std::string::npos);
  EXPECT_NE(box_lock_name("1.2.3.4", 0, "7"), box_lock_name("1.2.3.4", 0, "8"));
}

TEST(BoxLockName, TheNetnsIsThisProcesss) {
  struct stat st {};
  ASSERT_EQ(stat("/proc/self/ns/net", &st), 0);
  EXPECT_EQ(current_netns(), std::to_string(st.st_ino));
}

TEST_F(BoxLockTest, ASecondTakerIsBusyAndNamesTheHolder) {
  Holder h = hold("192.168.1.1");
  try {
    BoxLock::take("192.168.1.1", 0, {});
    ADD_FAILURE() << "a second lock of the same box was granted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::busy);
    std::string m = e.what();
    EXPECT_NE(m.find("another boxwarden run (pid " + std::to_string(h.pid) + ", user "), std::string::npos) << m;
    EXPECT_NE(m.find("the box at 192.168.1.1"), std::string::npos) << m;
  }
  // Another box is not kept waiting.
  EXPECT_NO_THROW(BoxLock::take("192.168.1.254", 0, {}));
  EXPECT_EQ(release(h), 0);
  std::vector<std::string> notes;
  {
    BoxLock lock = BoxLock::take("192.168.1.1", 0, [&](const std::string& m) { notes.push_back(m); });
    EXPECT_TRUE(notes.empty()) << notes.front();  // a clean end leaves nothing stale
    std::string content = slurp(lock.path());
    EXPECT_EQ(content.rfind(std::to_string(getpid()) + " ", 0), 0u) << content;
  }
}

TEST_F(BoxLockTest, TheDirectoryAndFileAreForEveryUser) {
  mode_t old = umask(077);
  {
    BoxLock lock = BoxLock::take("192.168.1.1", 0, {});
    struct stat st {};
    ASSERT_EQ(stat(dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 01777u);
    ASSERT_EQ(stat(lock.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0666u);
    EXPECT_EQ(fs::path(lock.path()).parent_path(), dir);
  }
  umask(old);
}

TEST_F(BoxLockTest, ARunThatDiedHoldingItLeavesAStaleLockThatIsTakenOver) {
  Holder h = hold("192.168.1.1", true);
  EXPECT_EQ(release(h), 9);
  std::vector<std::string> notes;
  BoxLock lock = BoxLock::take("192.168.1.1", 0, [&](const std::string& m) { notes.push_back(m); });
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("pid " + std::to_string(h.pid)), std::string::npos) << notes[0];
  EXPECT_NE(notes[0].find("ended without finishing"), std::string::npos) << notes[0];
}

TEST_F(BoxLockTest, HostileContentIsNotQuoted) {
  fs::create_directories(dir);
  std::string path = (dir / box_lock_name("192.168.1.1", 0, current_netns())).string();
  std::ofstream(path) << "12\x1b[31m root now\n";
  std::vector<std::string> notes;
  BoxLock lock = BoxLock::take("192.168.1.1", 0, [&](const std::string& m) { notes.push_back(m); });
  EXPECT_TRUE(notes.empty());  // not "PID USER START": nothing to report, and nothing shown
}

TEST_F(BoxLockTest, ASymbolicLinkIsRefused) {
  fs::create_directories(dir);
  fs::path target = root / "elsewhere";
  std::ofstream(target) << "";
  fs::create_symlink(target, dir / box_lock_name("192.168.1.1", 0, current_netns()));
  try {
    BoxLock::take("192.168.1.1", 0, {});
    ADD_FAILURE() << "followed a symbolic link";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(std::string(e.what()).find("symbolic link"), std::string::npos) << e.what();
  }
}

TEST_F(BoxLockTest, ALockDirThatIsAFileIsAUsageError) {
  std::ofstream(root / "file") << "";
  setenv("BOXWARDEN_LOCK_DIR", (root / "file").c_str(), 1);
  try {
    BoxLock::take("192.168.1.1", 0, {});
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(std::string(e.what()).find("BOXWARDEN_LOCK_DIR="), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace bw
