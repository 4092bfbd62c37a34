// NAT-PMP presence (RFC 6886) through libnatpmp: asks the gateway for its external address.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace bw {

class Cutoff;
class Deadline;

// The external address when the gateway answers NAT-PMP within `wait` (and before `cutoff`,
// when another thread sets it; null: no cutoff), else nullopt.
std::optional<std::string> natpmp_probe(const std::string& gateway, std::chrono::milliseconds wait,
                                        const Deadline& deadline, const Cutoff* cutoff = nullptr);

}  // namespace bw
