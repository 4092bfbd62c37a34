// The box's id in reports (gateway.box_id): a hash of what identifies the box (its serial
// number, its UPnP UDN, its API's uid), so that a fleet's reports that all say "192.168.1.1"
// can be told apart and matched over time without printing the serial itself.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace bw {

// "sha256:" + the first 32 hex digits of SHA-256(identity); nullopt when the identity is empty
// (the box did not say who it is).
std::optional<std::string> box_id(std::string_view identity);

}  // namespace bw
