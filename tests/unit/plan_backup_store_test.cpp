// Backups: atomic, private, complete, and refused when damaged.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
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
  a.kind = ChangeKind::delete_port_forward;
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
  EXPECT_EQ(back.plan[0].kind, ChangeKind::delete_port_forward);
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
    a.kind = ChangeKind::delete_port_forward;
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

// --- outcomes -------------------------------------------------------------------------------

TEST_F(BackupStoreTest, ANewBackupIsInProgressAndEachOutcomeRoundTrips) {
  BackupStore store(dir.string());
  Backup b = big_backup();
  std::string path = store.save(b);
  EXPECT_EQ(store.load(path).outcome, BackupOutcome::in_progress);
  EXPECT_NE(slurp(path).find("\"outcome\": \"in-progress\""), std::string::npos);
  for (auto o : {BackupOutcome::completed, BackupOutcome::undone, BackupOutcome::interrupted, BackupOutcome::failed,
                 BackupOutcome::rolled_back, BackupOutcome::in_progress}) {
    store.set_outcome(path, o);
    Backup back = store.load(path);
    EXPECT_EQ(back.outcome, o) << to_string(o);
    EXPECT_EQ(back.rolled_back_at.empty(), o != BackupOutcome::rolled_back) << to_string(o);
    EXPECT_EQ(parse_backup_outcome(to_string(o)), o);
    // The rest of the backup is untouched.
    EXPECT_EQ(back.plan.size(), 40u);
    EXPECT_EQ(back.state.port_forwards.size(), 40u);
    EXPECT_EQ(back.created, b.created);
  }
  EXPECT_EQ(parse_backup_outcome("done"), std::nullopt);
}

TEST_F(BackupStoreTest, TheExecutorsOutcomeMapsToTheBackupsOutcome) {
  EXPECT_EQ(backup_outcome_for(Outcome::applied), BackupOutcome::completed);
  EXPECT_EQ(backup_outcome_for(Outcome::nothing_to_do), BackupOutcome::completed);
  EXPECT_EQ(backup_outcome_for(Outcome::rolled_back), BackupOutcome::undone);
  EXPECT_EQ(backup_outcome_for(Outcome::interrupted), BackupOutcome::interrupted);
  EXPECT_EQ(backup_outcome_for(Outcome::rollback_failed), BackupOutcome::failed);
  EXPECT_TRUE(unfinished(BackupOutcome::in_progress));
  EXPECT_TRUE(unfinished(BackupOutcome::failed));
  for (auto o : {BackupOutcome::completed, BackupOutcome::undone, BackupOutcome::interrupted, BackupOutcome::rolled_back}) {
    EXPECT_FALSE(unfinished(o)) << to_string(o);
  }
}

TEST_F(BackupStoreTest, UpdatingTheOutcomeIsAtomicAndKeeps0600) {
  BackupStore store(dir.string());
  Backup b = big_backup();
  std::string path = store.save(b);
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  struct stat before {};
  ASSERT_EQ(stat(path.c_str(), &before), 0);
  store.set_outcome(path, BackupOutcome::completed);
  struct stat after {};
  ASSERT_EQ(stat(path.c_str(), &after), 0);
  EXPECT_EQ(after.st_mode & 0777, 0600u);
  EXPECT_NE(after.st_ino, before.st_ino) << "rewritten in place instead of renamed over";
  EXPECT_TRUE(temporary_files(dir / "backups").empty());
  EXPECT_EQ(store.list(), std::vector<std::string>{path});
}

TEST_F(BackupStoreTest, ARound1BackupWithoutOutcomeReadsAsCompleted) {
  BackupStore store(dir.string());
  Backup b = big_backup();
  std::string path = store.save(b);
  auto j = nlohmann::json::parse(slurp(path));
  j.erase("outcome");
  std::ofstream(path, std::ios::trunc) << j.dump();
  EXPECT_EQ(store.load(path).outcome, BackupOutcome::completed);
}

// --- which backups a plain `rollback` restores ----------------------------------------------

Backup made(const char* gateway, BackupOutcome o) {
  Backup b;
  b.gateway = gateway;
  b.outcome = o;
  return b;
}

TEST(RollbackSelection, UnfinishedAndTheNewestCompletedNewestFirst) {
  using O = BackupOutcome;
  struct Case {
    const char* name;
    std::vector<Backup> oldest_first;
    std::string gateway;
    std::vector<size_t> expected;
  };
  const char* gw = "192.168.1.1";
  const char* other = "10.0.0.1";
  std::vector<Case> cases = {
      {"none", {}, "", {}},
      {"one completed", {made(gw, O::completed)}, "", {0}},
      {"killed, then completed (issue 12 case 2)", {made(gw, O::in_progress), made(gw, O::completed)}, "", {1, 0}},
      {"only the newest completed", {made(gw, O::completed), made(gw, O::completed)}, "", {1}},
      {"a rolled-back fix steps back to the one before",
       {made(gw, O::completed), made(gw, O::rolled_back)}, "", {0}},
      {"undone and interrupted runs left nothing", {made(gw, O::undone), made(gw, O::interrupted)}, "", {}},
      {"failed runs are unfinished",
       {made(gw, O::failed), made(gw, O::completed), made(gw, O::in_progress), made(gw, O::completed)}, "", {3, 2, 0}},
      {"everything rolled back", {made(gw, O::rolled_back), made(gw, O::rolled_back)}, "", {}},
      {"the box of the newest backup", {made(gw, O::in_progress), made(other, O::completed)}, "", {1}},
      {"the box given", {made(gw, O::in_progress), made(other, O::completed), made(gw, O::completed)}, gw, {2, 0}},
      {"a box without backups", {made(gw, O::completed)}, "192.168.1.254", {}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(select_for_rollback(c.oldest_first, c.gateway), c.expected) << c.name;
  }
}

// --- a backup is checked like network input -------------------------------------------------

class BackupValidation : public BackupStoreTest {
 protected:
  // A valid backup as JSON (a forward, the DMZ, UPnP, a plan with each kind of target).
  nlohmann::json valid() {
    BackupStore store(dir.string());
    Backup b = big_backup();
    b.state.dmz = Dmz{true, "192.168.1.10", nullptr};
    b.state.upnp_igd_enabled = true;
    Action dmz;
    dmz.kind = ChangeKind::disable_dmz;
    dmz.target.kind = SubjectKind::dmz;
    dmz.target.dmz = b.state.dmz;
    b.plan.push_back(dmz);
    return nlohmann::json::parse(slurp(store.save(b)));
  }
  // The message of loading `j` (exit 2, the one-line form), "" when it loads.
  std::string refusal(const nlohmann::json& j) {
    std::string path = (dir / "edited.json").string();
    std::ofstream(path, std::ios::trunc) << j.dump();
    try {
      BackupStore(dir.string()).load(path);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::usage) << e.what();
      EXPECT_EQ(exit_code_for(e.kind()), ExitCode::usage);
      std::string why = e.what();
      EXPECT_EQ(why.rfind(path + ": ", 0), 0u) << why;
      EXPECT_EQ(why.find('\n'), std::string::npos) << why;
      return why;
    }
    return "";
  }
};

TEST_F(BackupValidation, EveryBadFieldIsRefusedAndNamed) {
  ASSERT_EQ(refusal(valid()), "");
  using J = nlohmann::json;
  struct Case {
    const char* field;           // what the message must name
    std::function<void(J&)> edit;
  };
  auto fwd = [](J& j) -> J& { return j["state"]["port_forwards"][0]; };
  auto act = [](J& j) -> J& { return j["plan"][0]; };
  std::vector<Case> cases = {
      {"format: must be \"boxwarden-backup-1\"", [](J& j) { j = J{{"format", 1}}; }},
      {"format: must be", [](J& j) { j["format"] = "boxwarden-backup-2"; }},
      {"format: must be", [](J& j) { j.erase("format"); }},
      {"the file: must be a JSON object", [](J& j) { j = J::array(); }},
      {"gateway: \"box.lan\" is not an address", [](J& j) { j["gateway"] = "box.lan"; }},
      {"gateway: ", [](J& j) { j["gateway"] = "192.168.1.1:0"; }},
      {"gateway: ", [](J& j) { j["gateway"] = "192.168.1.1:70000"; }},
      {"gateway: missing", [](J& j) { j.erase("gateway"); }},
      {"outcome: unknown outcome \"done\"", [](J& j) { j["outcome"] = "done"; }},
      {"outcome: must be a text", [](J& j) { j["outcome"] = 3; }},
      {"created: longer than", [](J& j) { j["created"] = std::string(100, '2'); }},
      {"profile: longer than", [](J& j) { j["profile"] = std::string(5000, 'p'); }},
      {"state: missing", [](J& j) { j.erase("state"); }},
      {"plan: must be a list", [](J& j) { j["plan"] = J::object(); }},
      {"state.port_forwards[0].internal_host: \"not-an-ip\" is not an IPv4 or IPv6 address",
       [&](J& j) { fwd(j)["internal_host"] = "not-an-ip"; }},
      {"state.port_forwards[0].internal_host:", [&](J& j) { fwd(j)["internal_host"] = ""; }},
      {"state.port_forwards[0].internal_host:", [&](J& j) { fwd(j)["internal_host"] = "192.168.1.10; rm -rf /"; }},
      {"state.port_forwards[0].protocol: must be \"TCP\" or \"UDP\"", [&](J& j) { fwd(j)["protocol"] = "SCTP"; }},
      {"state.port_forwards[0].external_port: must be a whole number from 1 to 65535",
       [&](J& j) { fwd(j)["external_port"] = 0; }},
      {"state.port_forwards[0].external_port: must be a whole number from 1 to 65535, not 70000",
       [&](J& j) { fwd(j)["external_port"] = 70000; }},
      {"state.port_forwards[0].external_port_end: must be a whole number from 10000 to 65535",
       [&](J& j) { fwd(j)["external_port_end"] = 9999; }},
      {"state.port_forwards[0].internal_port:", [&](J& j) { fwd(j)["internal_port"] = 0; }},
      {"state.port_forwards[0].source:", [&](J& j) { fwd(j)["source"] = "anywhere"; }},
      {"state.port_forwards[0].description: longer than", [&](J& j) { fwd(j)["description"] = std::string(20000, 'd'); }},
      {"state.port_forwards[0].enabled: must be true or false", [&](J& j) { fwd(j)["enabled"] = "yes"; }},
      {"state.port_forwards[0].origin: must be a list", [&](J& j) { fwd(j)["origin"] = "upnp"; }},
      {"state.port_forwards[0].vendor_data: larger than", [&](J& j) { fwd(j)["vendor_data"] = std::string(70000, 'v'); }},
      {"state.port_forwards[0].lease_seconds:", [&](J& j) { fwd(j)["lease_seconds"] = -1; }},
      {"state.port_forwards: must be a list", [](J& j) { j["state"]["port_forwards"] = J::object(); }},
      {"state.dmz.host: \"dmz-host\" is not", [](J& j) { j["state"]["dmz"]["host"] = "dmz-host"; }},
      {"state.dmz.enabled:", [](J& j) { j["state"]["dmz"]["enabled"] = 1; }},
      {"state.upnp_igd.enabled:", [](J& j) { j["state"]["upnp_igd"] = J{{"enabled", "on"}}; }},
      {"state.upnp_igd: must be a JSON object", [](J& j) { j["state"]["upnp_igd"] = true; }},
      {"plan[0].action: unknown action \"format-disk\"", [&](J& j) { act(j)["action"] = "format-disk"; }},
      {"plan[0].target_forward.internal_host: \"not-an-ip\"",
       [&](J& j) { act(j)["target_forward"]["internal_host"] = "not-an-ip"; }},
      {"plan[0].target_forward.external_port:", [&](J& j) { act(j)["target_forward"]["external_port"] = 65536; }},
      {"plan[0].target_forward: missing", [&](J& j) { act(j).erase("target_forward"); }},
      {"plan[0].target.kind: unknown subject", [&](J& j) { act(j)["target"]["kind"] = "toaster"; }},
      {"plan[0].automatic: a manual step cannot be automatic",
       [&](J& j) { act(j)["action"] = "manual"; act(j)["automatic"] = true; }},
      {"plan[0].summary: longer than", [&](J& j) { act(j)["summary"] = std::string(2000, 's'); }},
      {"plan[40].target_dmz.host: \"not-an-ip\"", [](J& j) { j["plan"][40]["target_dmz"]["host"] = "not-an-ip"; }},
  };
  for (const auto& c : cases) {
    J j = valid();
    c.edit(j);
    std::string why = refusal(j);
    EXPECT_NE(why.find(std::string(": ") + c.field), std::string::npos) << c.field << "\n  got: " << why;
    EXPECT_NE(why.find("; this file was not written by boxwarden or was edited"), std::string::npos) << why;
  }
}

TEST_F(BackupValidation, AddressesOfEveryFormLoad) {
  auto j = valid();
  j["gateway"] = "127.0.0.1:8080";
  j["state"]["port_forwards"][0]["internal_host"] = "fd00::10";
  j["state"]["port_forwards"][0]["source"] = "203.0.113.0/24";
  j["state"]["port_forwards"][1]["source"] = "2001:db8::1";
  j["state"]["dmz"]["host"] = nullptr;
  EXPECT_EQ(refusal(j), "");
  j["gateway"] = "[fd00::1]:443";
  EXPECT_EQ(refusal(j), "");
}

TEST_F(BackupValidation, ABoxThatReportsWhatABackupCannotHoldStopsTheFixBeforeAnyChange) {
  BackupStore store(dir.string());
  Backup b = big_backup();
  b.state.port_forwards[3].internal_host = "printer.lan";
  try {
    store.save(b);
    FAIL() << "saved a backup that would not load back";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("port_forwards[3].internal_host"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(store.list().empty());
}

}  // namespace
}  // namespace bw
