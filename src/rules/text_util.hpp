// Small helpers for the rules: spelling suggestions, hosts in titles, IPv4 classes.
// Hostile text in general goes through core/text.hpp (printable, valid_utf8).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace bw {

// The candidate closest to `word` by edit distance, if it is close enough to be a
// plausible typo (at most a third of the word's length, and at least 1 edit);
// otherwise "".
std::string closest_match(std::string_view word, std::span<const std::string_view> candidates);

// A LAN host for a title: the address itself when it looks like an IPv4/IPv6
// address or a host name, otherwise "an unnamed device" (hostile or garbled text
// never reaches a title).
std::string host_for_title(std::string_view host);

// Parses a dotted-quad IPv4 address into a host-order integer.
std::optional<uint32_t> parse_ipv4(std::string_view text);

// An IPv4 or IPv6 address in its one canonical spelling (inet_ntop), or nullopt.
std::optional<std::string> canonical_ip(std::string_view text);

// True for 10/8, 172.16/12 and 192.168/16 (RFC 1918: the addresses a LAN uses).
bool is_rfc1918(uint32_t address);

}  // namespace bw
