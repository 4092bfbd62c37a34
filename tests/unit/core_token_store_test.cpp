// TokenStore: app tokens kept per box, 0600 in a 0700 directory, names that cannot leave it.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/error.hpp"
#include "core/token_store.hpp"

namespace bw {
namespace {

namespace fs = std::filesystem;

class TokenStoreTest : public ::testing::Test {
 protected:
  std::string dir;
  void SetUp() override {
    char tmpl[] = "/tmp/bw-tokens-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir = tmpl;
  }
  void TearDown() override { fs::remove_all(dir); }
  static unsigned mode(const std::string& p) {
    struct stat st {};
    EXPECT_EQ(stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
  }
};

TEST_F(TokenStoreTest, SavesPrivatelyAndLoadsBack) {
  umask(0);
  TokenStore store(dir + "/tokens");
  EXPECT_FALSE(store.load("freebox", "a1b2c3"));
  store.save("freebox", "a1b2c3", Secret("tok/en+=="));
  umask(022);
  EXPECT_EQ(mode(dir + "/tokens"), 0700u);
  EXPECT_EQ(mode(dir + "/tokens/freebox-a1b2c3"), 0600u);
  EXPECT_EQ(store.load("freebox", "a1b2c3")->reveal(), "tok/en+==");
  store.save("freebox", "a1b2c3", Secret("second"));  // replaced atomically
  EXPECT_EQ(store.load("freebox", "a1b2c3")->reveal(), "second");
  EXPECT_EQ(fs::directory_iterator(dir + "/tokens")->path().filename(), "freebox-a1b2c3");  // no temporary left
  EXPECT_TRUE(store.forget("freebox", "a1b2c3"));
  EXPECT_FALSE(store.forget("freebox", "a1b2c3"));
  EXPECT_FALSE(store.load("freebox", "a1b2c3"));
}

TEST_F(TokenStoreTest, NamesCannotLeaveTheDirectory) {
  TokenStore store(dir);
  for (const char* bad : {"../x", "a/b", "", "UPPER", "a.b"}) {
    EXPECT_THROW(store.path_for("freebox", bad), Error) << bad;
    EXPECT_THROW(store.path_for(bad, "abc"), Error) << bad;
  }
  EXPECT_EQ(store.path_for("freebox", "0a-1"), dir + "/freebox-0a-1");
}

TEST_F(TokenStoreTest, NoDirectoryIsAUsageError) {
  try {
    TokenStore("").load("freebox", "abc");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(std::string(e.what()).find("--state-dir"), std::string::npos);
  }
}

TEST_F(TokenStoreTest, OnlyARegularFileIsRead) {
  TokenStore store(dir);
  fs::create_directory(dir + "/freebox-abc");
  EXPECT_THROW(store.load("freebox", "abc"), Error);
  fs::create_symlink("/etc/passwd", dir + "/freebox-def");
  EXPECT_THROW(store.load("freebox", "def"), Error);
  std::ofstream(dir + "/freebox-empty") << "\n";
  EXPECT_FALSE(store.load("freebox", "empty"));
}

}  // namespace
}  // namespace bw
