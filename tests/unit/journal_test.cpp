// The journal (journal/*): the hash chain and what verify finds, concurrent appends, the
// exposure keys, the timeline built from records, and the drift audit reports.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "cli/breach_html.hpp"
#include "journal/drift.hpp"
#include "journal/exposure_key.hpp"
#include "journal/history.hpp"
#include "journal/journal.hpp"

namespace bw {
namespace {

namespace fs = std::filesystem;

const JournalExposure k_dicom{"EXPOSE-SERVICE|port_forward|TCP/11112|192.168.1.10", "EXPOSE-SERVICE",
                              Severity::critical, "dicom", "port_forward", "DICOM to 192.168.1.10"};
const JournalExposure k_upnp{"UPNP-ENABLED|upnp_igd", "UPNP-ENABLED", Severity::medium, "", "upnp_igd", "UPnP on"};

JournalRecord record(const std::string& command, const std::string& time, std::vector<JournalExposure> open,
                     std::optional<std::vector<JournalExposure>> before = std::nullopt) {
  JournalRecord r;
  r.time = time;
  r.tool_version = "test";
  r.command = command;
  r.box_id = "sha256:0123456789abcdef0123456789abcdef";
  r.address = "192.168.1.1";
  r.profile = "medical-practice";
  r.exposures = std::move(open);
  r.exposures_before = std::move(before);
  r.outcome = "done";
  return r;
}

class JournalTest : public ::testing::Test {
 protected:
  std::string dir;
  void SetUp() override {
    char tmpl[] = "/tmp/bw-journal-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir = tmpl;
  }
  void TearDown() override { fs::remove_all(dir); }
  std::vector<std::string> lines() {
    std::ifstream in(journal_path(dir));
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) {
      out.push_back(l);
    }
    return out;
  }
  void rewrite(const std::vector<std::string>& ls, bool final_newline = true) {
    std::ofstream out(journal_path(dir), std::ios::trunc);
    for (size_t i = 0; i < ls.size(); ++i) {
      out << ls[i] << (i + 1 < ls.size() || final_newline ? "\n" : "");
    }
  }
  void three() {
    append_record(dir, record("audit", "2026-05-01T10:00:00Z", {k_dicom}));
    append_record(dir, record("fix", "2026-05-01T10:05:00Z", {}, std::vector{k_dicom}));
    append_record(dir, record("audit", "2026-05-02T09:00:00Z", {k_dicom}));
  }
};

TEST_F(JournalTest, ChainsRecordsAndVerifiesWhole) {
  three();
  struct stat st {};
  ASSERT_EQ(stat(journal_path(dir).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto records = read_journal(dir);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].prev, std::string(64, '0'));
  EXPECT_EQ(records[1].prev, sha256_hex(lines()[0]));
  EXPECT_EQ(records[2].seq, 3);
  EXPECT_EQ(records[1].exposures_before->at(0).key, k_dicom.key);
  JournalCheck c = verify_journal(dir);
  EXPECT_TRUE(c.ok) << c.problem;
  EXPECT_EQ(c.records, 3u);
}

TEST_F(JournalTest, VerifyNamesAnEditedRecord) {
  three();
  auto ls = lines();
  ls[1].replace(ls[1].find("medical-practice"), 16, "home-profile-xyz");
  rewrite(ls);
  JournalCheck c = verify_journal(dir);
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.first_bad_line, 2u);
  EXPECT_NE(c.problem.find("edited"), std::string::npos) << c.problem;
}

TEST_F(JournalTest, VerifyNamesARemovedAndAReorderedRecord) {
  three();
  auto ls = lines();
  rewrite({ls[0], ls[2]});
  JournalCheck removed = verify_journal(dir);
  EXPECT_FALSE(removed.ok);
  EXPECT_EQ(removed.first_bad_line, 2u);
  rewrite({ls[0], ls[2], ls[1]});
  EXPECT_EQ(verify_journal(dir).first_bad_line, 2u);
  rewrite({ls[1], ls[2]});  // the first removed
  EXPECT_EQ(verify_journal(dir).first_bad_line, 1u);
}

TEST_F(JournalTest, ATornLastLineIsNamedAndLaterAppendsChainFromTheLastWholeRecord) {
  three();
  auto ls = lines();
  rewrite({ls[0], ls[1], ls[2], ls[2].substr(0, 40)}, false);  // a crash in the middle of a write
  JournalCheck torn = verify_journal(dir);
  EXPECT_FALSE(torn.ok);
  EXPECT_EQ(torn.first_bad_line, 4u);
  EXPECT_NE(torn.problem.find("torn"), std::string::npos) << torn.problem;
  JournalRecord next = append_record(dir, record("audit", "2026-05-03T09:00:00Z", {}));
  EXPECT_EQ(next.seq, 4);
  EXPECT_EQ(next.prev, sha256_hex(ls[2]));
  EXPECT_EQ(lines().size(), 5u);  // the torn bytes stay on their own line
  EXPECT_EQ(read_journal(dir).size(), 4u);
  EXPECT_EQ(verify_journal(dir).first_bad_line, 4u);
}

TEST_F(JournalTest, ConcurrentAppendsFromThreadsKeepTheChainWhole) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        append_record(dir, record("audit", "2026-05-01T10:00:00Z", {k_dicom, k_upnp}));
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  JournalCheck c = verify_journal(dir);
  EXPECT_TRUE(c.ok) << "line " << c.first_bad_line << ": " << c.problem;
  EXPECT_EQ(c.records, 40u);
}

TEST(JournalExposureKey, IsStableAndNamesRuleAndSubject) {
  Finding f;
  f.rule = "EXPOSE-SERVICE";
  f.title = "changes with the language";
  f.subject.kind = SubjectKind::port_forward;
  PortForward pf;
  pf.external_port = pf.external_port_end = 11112;
  pf.internal_host = "192.168.1.10";
  pf.description = "label changes";
  f.subject.forward = pf;
  EXPECT_EQ(exposure_key(f), "EXPOSE-SERVICE|port_forward|TCP/11112|192.168.1.10");
  f.title = "another title";
  f.subject.forward->description = "another label";
  EXPECT_EQ(exposure_key(f), "EXPOSE-SERVICE|port_forward|TCP/11112|192.168.1.10");
  EXPECT_EQ(machine_of_key(exposure_key(f)), "192.168.1.10");
  Finding dmz;
  dmz.rule = "EXPOSE-DMZ";
  dmz.subject.kind = SubjectKind::dmz;
  dmz.subject.dmz = Dmz{true, "192.168.1.10", {}};
  EXPECT_EQ(exposure_key(dmz), "EXPOSE-DMZ|dmz|192.168.1.10");
  Finding upnp;
  upnp.rule = "UPNP-ENABLED";
  upnp.subject.kind = SubjectKind::upnp_igd;
  EXPECT_EQ(exposure_key(upnp), "UPNP-ENABLED|upnp_igd");
  EXPECT_EQ(machine_of_key(exposure_key(upnp)), "");
}

TEST(JournalTimeline, FirstLastSeenClosedByFixReopenedAndDisappeared) {
  std::vector<JournalRecord> rs = {
      record("audit", "2026-05-01T10:00:00Z", {k_dicom, k_upnp}),
      record("fix", "2026-05-01T10:05:00Z", {k_upnp}, std::vector{k_dicom, k_upnp}),
      record("audit", "2026-05-02T09:00:00Z", {k_dicom, k_upnp}),  // the box came back with old settings
      record("audit", "2026-05-03T09:00:00Z", {k_dicom}),          // UPnP off, by hand
  };
  rs[1].actions = {{"delete-port-forward", k_dicom.key, "done"}};
  Timeline t = build_timeline(rs, "192.168.1.1");
  ASSERT_EQ(t.spans.size(), 2u);
  const ExposureSpan& dicom = t.spans[0];
  EXPECT_EQ(dicom.key, k_dicom.key);
  EXPECT_EQ(dicom.first_seen, "2026-05-01T10:00:00Z");
  EXPECT_EQ(dicom.last_seen, "2026-05-03T09:00:00Z");
  EXPECT_EQ(dicom.closed_at, "");  // open again
  ASSERT_EQ(dicom.reopened.size(), 1u);
  EXPECT_EQ(dicom.reopened[0].seen_at, "2026-05-02T09:00:00Z");
  EXPECT_EQ(dicom.reopened[0].fixed_at, "2026-05-01T10:05:00Z");
  EXPECT_EQ(dicom.open_seconds, 5 * 60 + 24 * 3600);  // 5 min, then a day since it came back
  EXPECT_EQ(dicom.severity, Severity::critical);
  const ExposureSpan& upnp = t.spans[1];
  EXPECT_EQ(upnp.closed_at, "2026-05-03T09:00:00Z");
  EXPECT_EQ(upnp.closed_how, "disappeared");
  ASSERT_EQ(t.events.size(), 1u);
  EXPECT_EQ(t.events[0].command, "fix");
  EXPECT_EQ(t.first_record, "2026-05-01T10:00:00Z");
  EXPECT_EQ(t.last_record, "2026-05-03T09:00:00Z");

  Timeline closed = build_timeline({rs[0], rs[1]}, "sha256:0123456789abcdef0123456789abcdef");
  EXPECT_EQ(closed.spans[0].closed_at, "2026-05-01T10:05:00Z");
  EXPECT_EQ(closed.spans[0].closed_how, "fix");
  EXPECT_EQ(closed.spans[0].open_seconds, 300);
}

TEST(JournalTimeline, OtherBoxesAreNotMixedIn) {
  JournalRecord other = record("audit", "2026-05-01T11:00:00Z", {k_upnp});
  other.box_id = "sha256:ffffffffffffffffffffffffffffffff";  // same address, another box
  std::vector<JournalRecord> rs = {record("audit", "2026-05-01T10:00:00Z", {k_dicom}), other};
  EXPECT_EQ(build_timeline(rs, "sha256:0123456789abcdef0123456789abcdef").spans.size(), 1u);
  EXPECT_EQ(journal_boxes(rs).size(), 2u);
}

TEST(JournalDrift, NewClosedAndReopenedSinceTheFix) {
  std::vector<JournalRecord> rs = {
      record("audit", "2026-05-01T10:00:00Z", {k_dicom, k_upnp}),
      record("fix", "2026-05-01T10:05:00Z", {k_upnp}, std::vector{k_dicom, k_upnp}),
  };
  JournalExposure rdp{"EXPOSE-SERVICE|port_forward|TCP/3389|192.168.1.10", "EXPOSE-SERVICE", Severity::high, "rdp",
                      "port_forward", "RDP"};
  Drift d = compute_drift(rs, record("audit", "2026-05-02T09:00:00Z", {k_dicom, rdp}));
  EXPECT_EQ(d.previous_at, "2026-05-01T10:05:00Z");
  ASSERT_EQ(d.reopened.size(), 1u);
  EXPECT_EQ(d.reopened[0].key, k_dicom.key);
  EXPECT_EQ(d.reopened[0].fixed_at, "2026-05-01T10:05:00Z");
  ASSERT_EQ(d.opened.size(), 1u);
  EXPECT_EQ(d.opened[0].key, rdp.key);
  ASSERT_EQ(d.closed.size(), 1u);
  EXPECT_EQ(d.closed[0].key, k_upnp.key);
  nlohmann::json j = to_json(d);
  EXPECT_EQ(j["reopened"][0]["fixed_at"], "2026-05-01T10:05:00Z");
  std::ostringstream text;
  print_drift_text(text, d);
  EXPECT_NE(text.str().find("Reopened since the fix of 2026-05-01T10:05:00Z: DICOM to 192.168.1.10"), std::string::npos)
      << text.str();

  Drift first = compute_drift({}, record("audit", "2026-05-02T09:00:00Z", {k_dicom}));
  EXPECT_EQ(to_json(first)["previous_at"], nullptr);
  EXPECT_TRUE(first.opened.empty());
}


TEST(JournalBreachHtml, IsSelfContainedAndEscapesTheJournal) {
  nlohmann::json doc = {
      {"box", {{"address", "192.168.1.1"}, {"model", "<script>alert(1)</script>"}, {"profile", "medical-practice"}}},
      {"legal_notice", "not legal advice"},
      {"drafts",
       {{{"label", "DICOM & \"RDP\""}, {"severity", "critical"}, {"first_seen", "2026-05-01T10:00:00Z"},
         {"last_seen", "2026-05-02T09:00:00Z"}, {"still_open", true}, {"closed_at", nullptr}, {"closed_how", nullptr},
         {"reopened", nlohmann::json::array()}, {"measures", nlohmann::json::array()}}}},
      {"blanks", {{{"field", "contact_point"}, {"text", "[TO FILL IN: the contact point]"}}}},
  };
  std::ostringstream out;
  cli::write_breach_html(out, doc);
  std::string html = out.str();
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("DICOM &amp; &quot;RDP&quot;"), std::string::npos);
  EXPECT_NE(html.find("@page{size:A4"), std::string::npos);
  EXPECT_NE(html.find("[TO FILL IN: the contact point]"), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos);
}

}  // namespace
}  // namespace bw
