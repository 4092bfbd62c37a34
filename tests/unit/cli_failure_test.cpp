#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/failure.hpp"
#include "core/error.hpp"

namespace bw::cli {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CliFailure : public ::testing::Test {
 protected:
  void SetUp() override {
    m_path = (std::filesystem::temp_directory_path() / ("bw_failure_" + std::to_string(getpid()) + ".out")).string();
    std::ofstream(m_path) << "report of an earlier run\n";
  }
  void TearDown() override { std::filesystem::remove(m_path); }
  std::string m_path;
};

TEST(CliFailureCodes, BugsAndBusyHaveTheirOwnExitCodes) {
  EXPECT_EQ(exit_code_for(ErrorKind::internal), ExitCode::internal);
  EXPECT_EQ(static_cast<int>(exit_code_for(ErrorKind::internal)), 70);
  EXPECT_EQ(static_cast<int>(exit_code_for(ErrorKind::busy)), 75);
  EXPECT_EQ(static_cast<int>(exit_code_for(ErrorKind::unreachable)), 3);
  EXPECT_EQ(kind_name(ErrorKind::internal), "internal");
  EXPECT_EQ(kind_name(ErrorKind::busy), "busy");
}

TEST(CliFailureCodes, InternalMessageSaysItIsABugAndHowToReportIt) {
  std::string m = internal_error_message("boom");
  EXPECT_NE(m.find("a bug in boxwarden"), std::string::npos) << m;
  EXPECT_NE(m.find("boom"), std::string::npos) << m;
  EXPECT_NE(m.find("boxwarden --version"), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << "one line";
}

TEST_F(CliFailure, JsonOutputFileGetsTheErrorDocumentInsteadOfTheOldReport) {
  FailureReport r;
  r.json = true;
  r.command = "audit";
  r.output = m_path;
  report_failure(r, nullptr, ExitCode::unreachable, "unreachable", "no box at 127.0.0.1");
  auto doc = nlohmann::json::parse(slurp(m_path));
  EXPECT_EQ(doc["command"], "audit");
  EXPECT_EQ(doc["error"]["exit_code"], 3);
  EXPECT_EQ(doc["error"]["kind"], "unreachable");
  EXPECT_EQ(doc["error"]["message"], "no box at 127.0.0.1");
  EXPECT_TRUE(r.written);
}

TEST_F(CliFailure, TextOutputFileGetsTheErrorLineInsteadOfTheOldReport) {
  FailureReport r;
  r.output = m_path;
  report_failure(r, nullptr, ExitCode::usage, "usage", "--timeout: give a number");
  EXPECT_EQ(slurp(m_path), "boxwarden: error: --timeout: give a number\n");
}

TEST_F(CliFailure, NothingIsWrittenTwiceOrOverAReport) {
  FailureReport r;
  r.json = true;
  r.output = m_path;
  r.written = true;  // the command wrote its own report (fix exiting 5)
  report_failure(r, nullptr, ExitCode::rolled_back, "refused", "ignored");
  EXPECT_EQ(slurp(m_path), "report of an earlier run\n");
}

}  // namespace
}  // namespace bw::cli
