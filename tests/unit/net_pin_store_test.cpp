// The pin store (trust on first use) and the pinning client around a fake HttpClient, and
// the vendor CA roots shipped for TlsTrust::ca.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "net/pin_store.hpp"

namespace bw {
namespace {

namespace fs = std::filesystem;

// A self-signed EC certificate (CN=livebox, IP 127.0.0.1) and its key pin, computed with
// openssl x509 -pubkey | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64.
const char* const k_cert =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBizCCATCgAwIBAgIUIZiRldgZTAgbezDZrQCEiKQutqQwCgYIKoZIzj0EAwIw\n"
    "EjEQMA4GA1UEAwwHbGl2ZWJveDAeFw0yNjExMjMxODA2NTFaFw0yNjExMjUxODA2\n"
    "NTFaMBIxEDAOBgNVBAMMB2xpdmVib3gwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC\n"
    "AARqODiX7qnjBLxER1MJ+nIgIc3SSk0ZVlQuH/6/Ag/2C7O/FESzzvUTmEsuVroR\n"
    "paL30Z7YrCuwHQGzD0A7S9s5o2QwYjAdBgNVHQ4EFgQU+7HuOWfav0FSa0UN5UY2\n"
    "1RzWvcYwHwYDVR0jBBgwFoAU+7HuOWfav0FSa0UN5UY21RzWvcYwDwYDVR0TAQH/\n"
    "BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0kAMEYCIQCBEWB8\n"
    "lZTGJBw8/QXWLlhDcwcnUbMpaRRmaT07D0qbqQIhAKVjQhRARjVEF1w8woiG/IPO\n"
    "/apOEa/lsVa9ogqO163W\n"
    "-----END CERTIFICATE-----\n";
const char* const k_pin = "sha256//sv/GUfGS33VhKX9kAZ2oVN99edRsoFQEJbMwPMkNbnI=";
const char* const k_other = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

mode_t mode_of(const std::string& path) {
  struct stat st {};
  stat(path.c_str(), &st);
  return st.st_mode & 07777;
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/bw-pins-XXXXXX";
    m_root = mkdtemp(tmpl);
    dir = m_root + "/state/pins";
  }
  void TearDown() override { fs::remove_all(m_root); }
  std::string m_root;
  std::string dir;
};

TEST(SpkiPin, MatchesOpensslCommandLine) {
  EXPECT_EQ(spki_pin_of_certificate(k_cert), k_pin);
  EXPECT_EQ(spki_pin_of_certificate("not a certificate"), "");
  EXPECT_TRUE(is_spki_pin(k_pin));
  EXPECT_FALSE(is_spki_pin("sha256//short="));
  EXPECT_FALSE(is_spki_pin(std::string("sha1//") + (k_pin + 8)));
  EXPECT_FALSE(is_spki_pin("sha256//sv/GUfGS33VhKX9kAZ2oVN99edRsoFQEJbMwPMkNb\n="));
}

using PinStoreTest = TempDir;

TEST_F(PinStoreTest, SavesAtomicallyPrivateAndLoads) {
  PinStore store(dir);
  EXPECT_EQ(store.load("127.0.0.1", 8443), std::nullopt);
  store.save("127.0.0.1", 8443, k_pin);
  std::string path = dir + "/127.0.0.1_8443";
  EXPECT_EQ(store.path_for("127.0.0.1", 8443), path);
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(mode_of(dir), 0700u);
  EXPECT_EQ(store.load("127.0.0.1", 8443), k_pin);
  EXPECT_EQ(store.load("127.0.0.1", 443), std::nullopt);  // one pin per port
  store.save("127.0.0.1", 8443, k_other);                   // replaced, no temp file left
  EXPECT_EQ(store.load("127.0.0.1", 8443), k_other);
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) {
    ++files;
  }
  EXPECT_EQ(files, 1u);
}

TEST_F(PinStoreTest, DamagedFileIsAnErrorThatSaysWhatToDo) {
  PinStore store(dir);
  store.save("192.168.1.1", 443, k_pin);
  std::ofstream(dir + "/192.168.1.1_443") << "garbage\n";
  try {
    store.load("192.168.1.1", 443);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(std::string(e.what()).find("forget-certificate 192.168.1.1:443"), std::string::npos);
  }
}

TEST_F(PinStoreTest, HostNamesCannotLeaveTheDirectory) {
  PinStore store(dir);
  for (const char* bad : {"", "..", "../etc", "a/b", ".hidden", "a b", "x\ny"}) {
    EXPECT_THROW(store.path_for(bad, 443), Error) << bad;
  }
  EXPECT_EQ(store.path_for("livebox.home", 443), dir + "/livebox.home_443");
  EXPECT_EQ(store.path_for("[fe80::1]", 443), dir + "/fe80++1_443");
  EXPECT_THROW(PinStore("").path_for("127.0.0.1", 443), Error);
}

TEST_F(PinStoreTest, ForgetsOnePortOrEveryPortOfOneHost) {
  PinStore store(dir);
  EXPECT_TRUE(store.forget("127.0.0.1", std::nullopt).empty());  // no directory yet: nothing
  store.save("127.0.0.1", 443, k_pin);
  store.save("127.0.0.1", 8443, k_pin);
  store.save("127.0.0.10", 443, k_pin);
  EXPECT_EQ(store.forget("127.0.0.1", 8443), std::vector<std::string>{dir + "/127.0.0.1_8443"});
  EXPECT_TRUE(store.forget("127.0.0.1", 8443).empty());
  store.save("127.0.0.1", 8443, k_pin);
  auto removed = store.forget("127.0.0.1", std::nullopt);
  std::sort(removed.begin(), removed.end());
  EXPECT_EQ(removed, (std::vector<std::string>{dir + "/127.0.0.1_443", dir + "/127.0.0.1_8443"}));
  EXPECT_EQ(store.load("127.0.0.10", 443), k_pin);  // another host's pin stays
}

// Records what the pinning client sends, answers with a scripted key or failure.
class FakeTls : public HttpClient {
 public:
  std::vector<HttpRequest> seen;
  std::string key = k_pin;  // the key the "box" shows
  HttpResponse perform(const HttpRequest& req, const Deadline&) override {
    seen.push_back(req);
    if (req.tls.trust == TlsTrust::pinned && req.tls.pin != key) {
      throw HttpError(HttpFailure::key_changed, "mismatch", key);
    }
    HttpResponse r;
    r.status = 200;
    r.peer_pin = req.url.rfind("https://", 0) == 0 ? key : "";
    return r;
  }
};

class PinningClient : public TempDir {
 protected:
  std::unique_ptr<HttpClient> make(PinningOptions o = {}) {
    auto fake = std::make_unique<FakeTls>();
    box = fake.get();
    return make_pinning_http_client(std::move(fake), PinStore(dir), std::move(o));
  }
  static HttpRequest tofu(const std::string& url) {
    HttpRequest r;
    r.url = url;
    r.tls.trust = TlsTrust::first_use;
    return r;
  }
  FakeTls* box = nullptr;
  Deadline deadline{std::chrono::seconds(5)};
};

TEST_F(PinningClient, FirstUsePinsThenRequiresTheKey) {
  std::vector<std::string> notes;
  PinningOptions o;
  o.notify = [&](const std::string& m) { notes.push_back(m); };
  auto http = make(o);
  http->perform(tofu("https://127.0.0.1:8443/ws"), deadline);
  ASSERT_EQ(box->seen.size(), 1u);
  EXPECT_EQ(box->seen[0].tls.trust, TlsTrust::unverified);
  EXPECT_EQ(PinStore(dir).load("127.0.0.1", 8443), k_pin);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find(k_pin), std::string::npos);

  http->perform(tofu("https://127.0.0.1:8443/ws"), deadline);
  EXPECT_EQ(box->seen[1].tls.trust, TlsTrust::pinned);
  EXPECT_EQ(box->seen[1].tls.pin, k_pin);
  EXPECT_EQ(notes.size(), 1u);  // told once

  http->perform(tofu("https://127.0.0.1/ws"), deadline);  // port 443: its own pin
  EXPECT_EQ(box->seen[2].tls.trust, TlsTrust::unverified);
  EXPECT_EQ(PinStore(dir).load("127.0.0.1", 443), k_pin);
}

TEST_F(PinningClient, ChangedKeyIsRefusedWithOneLineThatSaysWhatToDo) {
  PinStore(dir).save("127.0.0.1", 8443, k_other);
  PinningOptions o;
  o.command = "boxwarden --state-dir /x";
  auto http = make(o);
  try {
    http->perform(tofu("https://127.0.0.1:8443/ws"), deadline);
    FAIL() << "accepted a changed key";
  } catch (const HttpError& e) {
    std::string m = e.what();
    EXPECT_EQ(e.failure(), HttpFailure::key_changed);
    EXPECT_EQ(exit_code_for(e.kind()), ExitCode::unreachable);
    EXPECT_EQ(m.find('\n'), std::string::npos);
    EXPECT_NE(m.find("boxwarden --state-dir /x forget-certificate 127.0.0.1:8443"), std::string::npos) << m;
    EXPECT_NE(m.find(k_pin), std::string::npos) << m;    // the key it shows now
    EXPECT_LT(m.size(), 400u) << m;                          // the command line shows 500
  }
  EXPECT_EQ(PinStore(dir).load("127.0.0.1", 8443), k_other);  // never replaced by itself
}

TEST_F(PinningClient, OtherRequestsPassUnchanged) {
  auto http = make();
  HttpRequest ca;
  ca.url = "https://127.0.0.1/ws";
  ca.tls = {TlsTrust::ca, "PEM", ""};
  http->perform(ca, deadline);
  EXPECT_EQ(box->seen[0].tls.trust, TlsTrust::ca);
  http->perform(tofu("http://127.0.0.1/ws"), deadline);  // plain HTTP: nothing to pin
  EXPECT_EQ(box->seen[1].tls.trust, TlsTrust::system);
  EXPECT_FALSE(fs::exists(dir));
}

TEST_F(PinningClient, NoKeyNoPin) {
  auto http = make();
  box->key = "";
  EXPECT_THROW(http->perform(tofu("https://127.0.0.1/ws"), deadline), HttpError);
  EXPECT_FALSE(fs::exists(dir + "/127.0.0.1_443"));
}

}  // namespace
}  // namespace bw
