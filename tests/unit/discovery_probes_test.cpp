// Discovery of a named box (--gateway): its vendor plugins are asked while SSDP and NAT-PMP wait,
// and once a plugin has recognised the box the probes are cut short instead of waiting out their
// whole window (issue 10: every audit of a Livebox waited 2 s for an SSDP answer). The real
// plugins run against a fake Livebox; the probes are fakes that wait in real time until the
// cutoff or the end of their own window, and say which ended them. Nothing is timed: what is
// asserted is which of the two ended each wait.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "core/cutoff.hpp"
#include "core/deadline.hpp"
#include "core/error.hpp"
#include "discovery/discovery.hpp"
#include "tests/fakes/loopback_only.hpp"
#include "tests/unit/vendors_livebox_fake_http.hpp"

namespace bw {
namespace {

using namespace std::chrono_literals;

// Waits until the cutoff passes or `wait` ends; true when the cutoff ended it.
bool wait_for_cutoff(std::chrono::milliseconds wait, const Cutoff* cutoff) {
  auto end = Deadline::Clock::now() + wait;
  while (Deadline::Clock::now() < end) {
    if (cutoff != nullptr && cutoff->passed()) {
      return true;
    }
    std::this_thread::sleep_for(1ms);
  }
  return false;
}

class WaitingSsdp : public SsdpScanner {
 public:
  SsdpResult search(const std::string&, std::chrono::milliseconds wait, const Deadline&, Multicast m,
                    const Cutoff* cutoff) override {
    multicast = m;
    cut = wait_for_cutoff(wait, cutoff);
    ended = true;
    return {};
  }
  std::atomic<bool> cut{false};
  std::atomic<bool> ended{false};
  Multicast multicast = Multicast::yes;
};

// The fake Livebox answers its /ws calls; whatever else the other plugins ask (the Freebox's
// API, a UPnP description) gets the 404 a Livebox gives.
class LiveboxOnly : public livebox_test::FakeLivebox {
 public:
  HttpResponse perform(const HttpRequest& req, const Deadline& d) override {
    if (!spain && req.url.find("/ws") != std::string::npos && nlohmann::json::accept(req.body)) {
      return FakeLivebox::perform(req, d);
    }
    HttpResponse r;
    r.status = 404;
    r.headers = {"Content-Type: text/html"};
    r.body = "<html></html>";
    return r;
  }
};

class DiscoveryProbes : public ::testing::Test {
 protected:
  test::LoopbackOnly loopback_only;  // only 127.0.0.0/8 and no multicast, whatever the fakes do

  LiveboxOnly box;
  WaitingSsdp ssdp;
  std::atomic<bool> natpmp_cut{false};
  std::atomic<bool> natpmp_ended{false};

  Discovered run(std::chrono::milliseconds window, const std::string& vendor = "auto") {
    Deadline deadline(60s);
    SessionContext ctx{box, deadline, Credentials{}};
    bw::DiscoveryProbes probes{ssdp, [] { return std::optional<std::string>(); },
                               [&](const std::string&, std::chrono::milliseconds, const Cutoff* cutoff) {
                                 natpmp_cut = wait_for_cutoff(window, cutoff);
                                 natpmp_ended = true;
                                 return std::optional<std::string>();
                               },
                               [this] { return box.logins >= 0; }};  // the fake always answers
    DiscoveryOptions opts;
    opts.gateway = HostPort{"127.0.0.1", 1};
    opts.ssdp_wait = window;
    opts.vendor = vendor;
    return discover(opts, ctx, probes);
  }

};

bool has_plugin(const Discovered& d, const std::string& id) {
  for (const VendorPlugin* p : d.plugins) {
    if (p->id() == id) {
      return true;
    }
  }
  return false;
}

TEST_F(DiscoveryProbes, ANamedBoxThatItsPluginRecognisedDoesNotWaitForSsdpOrNatPmp) {
  // A window no run would sit out: only the cutoff can end these waits.
  Discovered d = run(60s);
  EXPECT_TRUE(has_plugin(d, "livebox"));
  EXPECT_TRUE(ssdp.cut) << "SSDP waited out its window although the box's plugin had answered";
  EXPECT_TRUE(natpmp_cut) << "NAT-PMP waited out its window although the box's plugin had answered";
  EXPECT_EQ(ssdp.multicast, SsdpScanner::Multicast::no);  // a named box: unicast only
  EXPECT_LT(d.took, 60s);
}

TEST_F(DiscoveryProbes, AForcedVendorGetsTheProbesOnlyForTheGrace) {
  Discovered d = run(60s, "livebox");
  ASSERT_FALSE(d.plugins.empty());
  EXPECT_EQ(d.plugins.front()->id(), "livebox");
  EXPECT_TRUE(ssdp.cut);
  EXPECT_TRUE(natpmp_cut);
}

TEST_F(DiscoveryProbes, WithoutAPluginThatAnsweredTheProbesHaveTheirWholeWindow) {
  box.spain = true;  // 404 text/html to everything: no vendor API, no UPnP description
  EXPECT_THROW(run(300ms), Error);
  EXPECT_TRUE(ssdp.ended);
  EXPECT_FALSE(ssdp.cut) << "SSDP was cut although nothing else had answered";
  EXPECT_FALSE(natpmp_cut);
}

TEST_F(DiscoveryProbes, AnUnknownVendorIsRefusedBeforeAnyProbeStarts) {
  EXPECT_THROW(run(60s, "no-such-vendor"), Error);
  EXPECT_FALSE(ssdp.ended);
  EXPECT_FALSE(natpmp_ended);
}

}  // namespace
}  // namespace bw
