// read_file: the whole file up to a cap, read as it comes (a 64 MiB cap must not cost 64 MiB
// for a 2 KiB backup), refused above the cap, with the path in every error.
#include <cstdint>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace bw {
namespace {

namespace fs = std::filesystem;

class CoreReadFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("bw-read-file-" + std::to_string(getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  std::string write(const std::string& name, const std::string& data) {
    std::string path = (dir / name).string();
    std::ofstream(path, std::ios::binary) << data;
    return path;
  }
  fs::path dir;
};

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) {
    s[i] = static_cast<char>(i * 131 + i / 251);
  }
  return s;
}

TEST_F(CoreReadFile, ReadsSmallEmptyAndBinaryFiles) {
  EXPECT_EQ(read_file(write("small", "hello\n"), 4096), "hello\n");
  EXPECT_EQ(read_file(write("empty", ""), 4096), "");
  std::string nul("a\0b\0", 4);
  EXPECT_EQ(read_file(write("nul", nul), 4096), nul);
}

TEST_F(CoreReadFile, ReadsAcrossManyChunks) {
  std::string big = pattern(1000 * 1000 + 7);  // more than one read(2) of 64 KiB
  EXPECT_EQ(read_file(write("big", big), 4 * 1000 * 1000), big);
}

TEST_F(CoreReadFile, ExactlyTheCapLoadsOneByteMoreIsRefused) {
  for (size_t cap : {size_t(1), size_t(4096), size_t(65536), size_t(65537), size_t(200000)}) {
    std::string at = pattern(cap);
    EXPECT_EQ(read_file(write("at", at), cap), at) << cap;
    std::string path = write("over", pattern(cap + 1));
    try {
      read_file(path, cap);
      FAIL() << "read " << cap + 1 << " bytes with a cap of " << cap;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::usage);
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("larger than " + std::to_string(cap)), std::string::npos) << e.what();
    }
  }
}

TEST_F(CoreReadFile, ACapOfZeroTakesOnlyAnEmptyFile) {
  EXPECT_EQ(read_file(write("empty", ""), 0), "");
  EXPECT_THROW(read_file(write("one", "x"), 0), Error);
}

TEST_F(CoreReadFile, AHugeCapAllocatesNothingInAdvance) {
  // The old reader made a zeroed buffer of cap + 1 bytes: with this cap it threw (or died
  // under ASan) before reading anything.
  EXPECT_EQ(read_file(write("small", "{}"), SIZE_MAX), "{}");
  EXPECT_EQ(read_file(write("small2", "{}"), size_t(1) << 40), "{}");
}

TEST_F(CoreReadFile, AStreamWithoutASizeIsCappedWhileReading) {
  // A FIFO has no size to check first: the cap is enforced on what arrives.
  std::string path = (dir / "fifo").string();
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::ofstream out(path, std::ios::binary);
    out << pattern(300000);
    out.close();
    _exit(0);
  }
  EXPECT_THROW(read_file(path, 100000), Error);
  int status = 0;
  waitpid(child, &status, 0);
}

TEST_F(CoreReadFile, MissingFilesAndDirectoriesNameThePath) {
  std::string missing = (dir / "missing").string();
  try {
    read_file(missing, 100);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(std::string(e.what()).find("cannot read " + missing), std::string::npos) << e.what();
  }
  try {
    read_file(dir.string(), 100);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(std::string(e.what()).find(dir.string()), std::string::npos) << e.what();
  }
}

TEST_F(CoreReadFile, PrivateDirsAre0700WhateverTheUmaskAndAChosenDirIsLeftAsItIs) {
  mode_t old = umask(0);
  fs::path deep = dir / "a" / "b" / "backups";
  make_private_dir((dir / "a" / "b").string(), false);
  make_private_dir(deep.string());
  umask(old);
  for (const fs::path& p : {dir / "a", dir / "a" / "b", deep}) {
    struct stat st {};
    ASSERT_EQ(stat(p.c_str(), &st), 0) << p;
    EXPECT_EQ(st.st_mode & 0777, 0700u) << p;
  }
  fs::path chosen = dir / "chosen";
  ASSERT_EQ(mkdir(chosen.c_str(), 0755), 0);
  chmod(chosen.c_str(), 0755);
  make_private_dir(chosen.string(), false);
  make_private_dir((chosen / "backups").string());
  struct stat st {};
  ASSERT_EQ(stat(chosen.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  ASSERT_EQ(stat((chosen / "backups").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  std::ofstream((dir / "file").string()) << "x";
  EXPECT_THROW(make_private_dir((dir / "file").string()), Error);
}

}  // namespace
}  // namespace bw
