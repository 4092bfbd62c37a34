// The service catalogue: which port/protocol pairs carry a service that is dangerous
// (or at least worth naming) when the box forwards it from the Internet, with the
// service's class, a default severity and a one-line why in plain words.
//
// Entries never overlap for the same protocol (a unit test checks it), so a port has
// at most one service. Class ids are stable: profiles name them (`class health
// critical`) and the JSON report may carry them. Sources: RISK-CATALOGUE.md §2.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/router_state.hpp"
#include "core/severity.hpp"

namespace bw {

// Which transport protocols an entry (or an allowed forward) covers.
enum class ProtocolSet { tcp, udp, both };
bool covers(ProtocolSet set, Protocol p);
std::string_view to_string(ProtocolSet set);  // "TCP", "UDP", "TCP and UDP"

struct Service {
  uint16_t port_first = 0;
  uint16_t port_last = 0;       // == port_first for one port
  ProtocolSet protocols = ProtocolSet::tcp;
  std::string_view id;          // "dicom": stable, lowercase, for scripts (service_id in reports);
                                // entries of one service (DICOM on 104 and 11112) share it
  std::string_view name;        // "DICOM (medical imaging)"
  std::string_view phrase;      // "the medical imaging service (DICOM)", for sentences
  std::string_view class_id;    // "health"; one of service_classes()
  Severity severity = Severity::medium;  // before any profile override
  std::string_view why;         // one line a non-expert understands
};

struct ServiceClass {
  std::string_view id;            // "remote-desktop"
  std::string_view display_name;  // "remote desktop"
};

// The whole table, in port order.
std::span<const Service> services();

// The service on this port, or nullptr when the catalogue does not know it.
const Service* find_service(Protocol protocol, uint16_t port);

// Every catalogued service with at least one port in [first, last], in port order.
std::vector<const Service*> services_in_range(Protocol protocol, uint16_t first, uint16_t last);

// The service inside [first, last] with the highest default severity (the lowest
// port wins a tie), or nullptr when none is catalogued.
const Service* most_severe_service(Protocol protocol, uint16_t first, uint16_t last);

// Every class id a service uses, with its display name, in a stable order.
std::span<const ServiceClass> service_classes();
const ServiceClass* find_service_class(std::string_view id);
// "remote desktop" for "remote-desktop"; the id itself when unknown.
std::string_view class_display_name(std::string_view id);

}  // namespace bw
