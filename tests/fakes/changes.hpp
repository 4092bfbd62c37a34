// What plugin session tests build and look up: a change of the vocabulary, a forward by its
// vendor id, and a rehearsal (--dry-run) through a RecordingHttpClient.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "core/change.hpp"
#include "net/recording_http_client.hpp"
#include "vendors/vendor.hpp"

namespace bw::test {

inline Change change(ChangeKind kind) {
  Change c;
  c.kind = kind;
  return c;
}

inline Change forward_change(ChangeKind kind, const PortForward& f) {
  Change c = change(kind);
  c.forward = f;
  return c;
}

inline const PortForward& forward_by_id(const RouterState& s, const std::string& id) {
  for (const PortForward& f : s.port_forwards) {
    if (f.id == id) {
      return f;
    }
  }
  throw std::runtime_error("no forward " + id);
}

// The same apply() as a real run, its changes written down instead of sent.
inline std::vector<std::string> rehearse(RecordingHttpClient& rec, Session& s, const Change& c) {
  rec.start();
  try {
    s.apply(c);
  } catch (...) {
    rec.stop();
    throw;
  }
  return rec.stop();
}

}  // namespace bw::test
