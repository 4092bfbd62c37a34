// boxwarden_https_get: one anonymous Livebox call through the real libcurl HttpClient, for
// tests/cli/livebox_tls_test.py to check TlsTrust::ca (a vendor's CA bundle) and
// TlsTrust::pinned against the emulator. Loopback URLs only.
//
//   boxwarden_https_get URL --ca FILE.pem | --pin sha256//... | --unverified
// Prints "HTTP <status> <key pin>" on success; else "boxwarden_https_get: <message>" on
// stderr and the exit status boxwarden would give (3 for a refused certificate).
#include <chrono>
#include <cstring>
#include <iostream>

#include "core/atomic_file.hpp"
#include "core/deadline.hpp"
#include "core/error.hpp"
#include "net/http_client.hpp"

int main(int argc, char** argv) {
  using namespace bw;
  if (argc != 3 && argc != 4) {
    std::cerr << "usage: boxwarden_https_get URL --ca FILE | --pin PIN | --unverified\n";
    return 2;
  }
  std::string url = argv[1];
  if (url.rfind("https://127.", 0) != 0) {
    std::cerr << "boxwarden_https_get: only https://127.x.y.z URLs (loopback)\n";
    return 2;
  }
  try {
    HttpRequest req;
    req.method = "POST";
    req.url = url;
    req.headers = {"Content-Type: application/x-sah-ws-4-call+json"};
    req.body = R"({"service":"DeviceInfo","method":"get","parameters":{}})";
    std::string mode = argv[2];
    if (mode == "--ca" && argc == 4) {
      req.tls = {TlsTrust::ca, read_file(argv[3], 1 << 20), ""};
    } else if (mode == "--pin" && argc == 4) {
      req.tls = {TlsTrust::pinned, "", argv[3]};
    } else if (mode == "--unverified" && argc == 3) {
      req.tls.trust = TlsTrust::unverified;
    } else {
      std::cerr << "boxwarden_https_get: bad arguments\n";
      return 2;
    }
    Deadline deadline(std::chrono::seconds(10));
    HttpResponse r = make_curl_http_client()->perform(req, deadline);
    std::cout << "HTTP " << r.status << " " << r.peer_pin << "\n";
    return 0;
  } catch (const Error& e) {
    std::cerr << "boxwarden_https_get: " << e.what() << "\n";
    return static_cast<int>(exit_code_for(e.kind()));
  }
}
