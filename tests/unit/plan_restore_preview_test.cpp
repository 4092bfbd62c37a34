// What a rollback lists before asking: per backup, newest first, what is still to restore on
// the box as read, with what the profile says of each restored opening; a setting a newer
// backup puts back is not listed again for an older one.
#include <gtest/gtest.h>

#include "plan/executor.hpp"
#include "plan/restore_preview.hpp"
#include "rules/profile.hpp"
#include "tests/fakes/fake_router.hpp"

namespace bw {
namespace {

Profile medical() {
  return load_profile_file(std::string(BOXWARDEN_SOURCE_PROFILE_DIR) + "/medical-practice.profile");
}

Action close(const PortForward& f) {
  Action a;
  a.kind = ChangeKind::delete_port_forward;
  a.target.kind = SubjectKind::port_forward;
  a.target.forward = f;
  a.summary = "Close " + f.key();
  return a;
}

Action dmz_off(const Dmz& d) {
  Action a;
  a.kind = ChangeKind::disable_dmz;
  a.target.kind = SubjectKind::dmz;
  a.target.dmz = d;
  return a;
}

class RestorePreview : public ::testing::Test {
 protected:
  PortForward rdp = test::forward(Protocol::tcp, 3389, "192.168.1.10", "RDP");
  PortForward dicom = test::forward(Protocol::tcp, 11112, "192.168.1.10", "PACS");
  Dmz dmz{true, "192.168.1.10", nullptr};
};

TEST_F(RestorePreview, StillToRestoreIsWhatTheBoxDoesNotShow) {
  RouterState now;  // both forwards gone
  std::vector<Action> plan = {close(rdp), close(dicom)};
  plan.push_back(Action{});  // a manual step: never restored
  plan.back().automatic = false;
  EXPECT_EQ(still_to_restore(plan, now).size(), 2u);
  now.port_forwards = {dicom};
  auto left = still_to_restore(plan, now);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].target.forward->external_port, 3389);
  now.port_forwards = {dicom, rdp};
  EXPECT_TRUE(still_to_restore(plan, now).empty());
}

// Issue 12 case 2: the first fix (killed) closed RDP and was about to close DICOM; the second
// closed DICOM and the DMZ. Restoring newest first, the first backup has only RDP left.
TEST_F(RestorePreview, AnOlderBackupListsOnlyWhatTheNewerOnesLeave) {
  Backup killed;
  killed.state.port_forwards = {rdp, dicom};
  killed.state.dmz = dmz;
  killed.plan = {close(rdp), close(dicom), dmz_off(dmz)};
  killed.outcome = BackupOutcome::in_progress;
  Backup second;
  second.state.port_forwards = {dicom};
  second.state.dmz = dmz;
  second.plan = {close(dicom), dmz_off(dmz)};
  second.outcome = BackupOutcome::completed;

  RouterState now;
  now.dmz = Dmz{false, "192.168.1.10", nullptr};
  auto items = preview_restore({second, killed}, now, medical());
  ASSERT_EQ(items.size(), 2u);
  ASSERT_EQ(items[0].size(), 2u);
  // Listed in the order restore() undoes them: the reverse of the plan.
  EXPECT_EQ(items[0][0].summary, "Switch the DMZ back on (it sends everything to 192.168.1.10)");
  EXPECT_EQ(items[0][1].summary, "Reopen TCP port 11112 (forwarded to 192.168.1.10)");
  ASSERT_EQ(items[1].size(), 1u);
  EXPECT_EQ(items[1][0].summary, "Reopen TCP port 3389 (forwarded to 192.168.1.10)");

  // Each opening with its severity under the profile, judged on the backup's saved state.
  ASSERT_TRUE(items[1][0].finding);
  EXPECT_EQ(items[1][0].finding->rule, "EXPOSE-SERVICE");
  EXPECT_EQ(items[1][0].finding->severity, Severity::critical);
  ASSERT_TRUE(items[0][0].finding);
  EXPECT_EQ(items[0][0].finding->rule, "EXPOSE-DMZ");
  EXPECT_EQ(items[0][0].finding->severity, Severity::critical);
  ASSERT_TRUE(items[0][1].finding);
  EXPECT_EQ(items[0][1].finding->subject.forward->external_port, 11112);
}

TEST_F(RestorePreview, NothingToRestoreIsEmptyLists) {
  Backup b;
  b.state.port_forwards = {rdp};
  b.plan = {close(rdp)};
  RouterState now;
  now.port_forwards = {rdp};
  auto items = preview_restore({b, b}, now, medical());
  ASSERT_EQ(items.size(), 2u);
  EXPECT_TRUE(items[0].empty());
  EXPECT_TRUE(items[1].empty());
}

TEST_F(RestorePreview, PutBackShowsTheOriginal) {
  RouterState s;
  s.upnp_igd_enabled = false;
  s.remote_admin_enabled = false;
  Action upnp;
  upnp.kind = ChangeKind::disable_upnp;
  Action admin;
  admin.kind = ChangeKind::disable_remote_admin;
  for (const Action& a : {close(rdp), dmz_off(dmz), upnp, admin}) {
    EXPECT_FALSE(original_visible(a, s)) << to_string(a.kind);
    put_back(a, s);
    EXPECT_TRUE(original_visible(a, s)) << to_string(a.kind);
  }
}

}  // namespace
}  // namespace bw
