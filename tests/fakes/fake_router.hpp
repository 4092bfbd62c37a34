// An in-memory router behind the plugin interface, for planner/executor/rollback tests
// (ninja's VirtualFileSystem idea). It can be told to fail a given call.
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "discovery/box.hpp"

namespace bw::test {

struct FakeRouter {
  RouterState state;
  int apply_calls = 0;
  int fail_apply_at = -1;       // 0-based index of the apply() call that throws
  bool fail_apply_after_effect = false;  // the failing call still changes the router
  int fail_reads_from = -1;     // read_state() calls from this index on throw
  int read_calls = 0;
  bool ignore_deletes = false;  // the box says yes but changes nothing
  int reboot_at_apply = -1;     // this apply() call finds the box rebooting: it and the
  int down_for_calls = 0;       // next `down_for_calls` calls (reads or applies) fail
  int down_left = 0;
  int repoint_at_apply = -1;    // before this apply() call, another machine takes the forward it
  std::string repoint_to;       // targets (re-points it here); the plugin's check refuses (conflict)
  std::function<void(int)> on_apply;  // called with the 0-based index of each apply() call

  void check_up() {
    if (down_left > 0) {
      --down_left;
      throw Error(ErrorKind::unreachable, "fake: box is rebooting");
    }
  }
};

class FakeSession : public Session {
 public:
  explicit FakeSession(FakeRouter& r) : m_r(r) {}
  RouterState read_state() override {
    if (m_r.fail_reads_from >= 0 && m_r.read_calls++ >= m_r.fail_reads_from) {
      throw Error(ErrorKind::unreachable, "fake: box is rebooting");
    }
    m_r.check_up();
    return m_r.state;
  }
  void apply(const Change& a) override {
    int n = m_r.apply_calls++;
    if (m_r.on_apply) {
      m_r.on_apply(n);
    }
    if (n == m_r.reboot_at_apply) {
      m_r.down_left = m_r.down_for_calls + 1;
    }
    m_r.check_up();
    if (n == m_r.repoint_at_apply && a.forward) {
      for (auto& f : m_r.state.port_forwards) {
        if (f.same_rule(*a.forward)) {
          f.internal_host = m_r.repoint_to;
          f.description = "taken";
        }
      }
      throw Error(ErrorKind::conflict, "fake: the forward now goes to " + m_r.repoint_to);
    }
    bool fail = n == m_r.fail_apply_at;
    if (fail && !m_r.fail_apply_after_effect) {
      throw Error(ErrorKind::refused, "fake: refused");
    }
    auto& fs = m_r.state.port_forwards;
    if (a.kind == ChangeKind::delete_port_forward && !m_r.ignore_deletes) {
      fs.erase(std::remove_if(fs.begin(), fs.end(), [&](const PortForward& f) { return f.same_rule(*a.forward); }),
               fs.end());
    } else if (a.kind == ChangeKind::add_port_forward) {
      fs.push_back(*a.forward);
    } else if (a.kind == ChangeKind::disable_dmz) {
      m_r.state.dmz->enabled = false;
    } else if (a.kind == ChangeKind::restore_dmz) {
      m_r.state.dmz = a.dmz;
    }
    if (fail) {
      throw Error(ErrorKind::unreachable, "fake: connection reset after the change");
    }
  }

 private:
  FakeRouter& m_r;
};

class FakePlugin : public VendorPlugin {
 public:
  explicit FakePlugin(FakeRouter& r) : m_r(r) {}
  std::string_view id() const override { return "fake"; }
  std::string_view display_name() const override { return "fake"; }
  std::string_view summary() const override { return "fake"; }
  Capabilities capabilities() const override {
    return Capability::delete_forward | Capability::add_forward | Capability::set_dmz;
  }
  bool matches(const Target&, SessionContext&) const override { return true; }
  std::unique_ptr<Session> open(const Target&, SessionContext&) const override {
    return std::make_unique<FakeSession>(m_r);
  }

 private:
  FakeRouter& m_r;
};

inline PortForward forward(Protocol p, uint16_t port, const std::string& host, const std::string& desc = "") {
  PortForward f;
  f.protocol = p;
  f.external_port = f.external_port_end = f.internal_port = port;
  f.internal_host = host;
  f.description = desc;
  f.origin = {"upnp"};
  f.apis = {"fake"};
  return f;
}

}  // namespace bw::test
