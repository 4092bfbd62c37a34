// What this computer knows about its own network: the address it uses towards the box
// and the IPv4 networks it already has (interfaces and routes). Read from the OS; the
// pure choices that use them live in subnet.hpp and setup.hpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vpn/subnet.hpp"

namespace bw::vpn {

struct LocalAddress {
  uint32_t address = 0;
  Ipv4Net network;  // address & netmask of its interface
};

// The source address this computer uses to reach `box` (IPv4 literal): a UDP socket is
// connected to it and asked for its local address; no packet is sent. Honours the
// BOXWARDEN_NETNS safety net. nullopt when there is no route.
std::optional<uint32_t> source_address_towards(const std::string& box);

// Every IPv4 address of this computer's interfaces with its network (getifaddrs).
std::vector<LocalAddress> local_addresses();

// The networks of the IPv4 routing table (/proc/net/route), the default route excluded.
std::vector<Ipv4Net> routed_networks(const std::string& route_table = "/proc/net/route");

}  // namespace bw::vpn
