// The fixture the executor tests share: an in-memory router (fake_router.hpp) behind a Box, and
// the plan that closes everything it exposes (every forward, and the DMZ when it is on).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "core/deadline.hpp"
#include "net/http_client.hpp"
#include "plan/planner.hpp"
#include "tests/fakes/fake_router.hpp"

namespace bw::test {

class FakeBoxTest : public ::testing::Test {
 protected:
  // The box at 192.168.1.1 holds `forwards` (and `dmz`); `original` keeps it for comparisons.
  void use(std::vector<PortForward> forwards, std::optional<Dmz> dmz = std::nullopt) {
    router.state.address = "192.168.1.1";
    router.state.port_forwards = std::move(forwards);
    router.state.dmz = std::move(dmz);
    original = router.state;
    found.target.address = "192.168.1.1";
    found.plugins = {&plugin};
  }

  // Every forward and the DMZ as critical findings, planned at --fail-on high (DMZ first, as
  // the findings come).
  std::vector<Action> plan() {
    std::vector<Finding> findings;
    if (router.state.dmz) {
      Finding dmz;
      dmz.rule = "EXPOSE-DMZ";
      dmz.severity = Severity::critical;
      dmz.subject.kind = SubjectKind::dmz;
      dmz.action = "disable-dmz";  // as the evaluator says
      dmz.subject.dmz = router.state.dmz;
      findings.push_back(dmz);
    }
    for (const auto& f : router.state.port_forwards) {
      Finding fd;
      fd.rule = "EXPOSE-SERVICE";
      fd.severity = Severity::critical;
      fd.subject.kind = SubjectKind::port_forward;
      fd.action = "delete-port-forward";
      fd.subject.forward = f;
      findings.push_back(fd);
    }
    return make_plan(findings, Severity::high, "192.168.1.1", [](const Action&) { return true; });
  }

  FakeRouter router;
  RouterState original;
  FakePlugin plugin{router};
  Discovered found;
  std::unique_ptr<HttpClient> http = make_curl_http_client();  // never used by the fake
  Deadline deadline{std::chrono::seconds(5)};
  SessionContext ctx{*http, deadline};
};

}  // namespace bw::test
