// "Did you mean": the closest candidate by edit distance, or "" when none is close.
#pragma once

#include <string>
#include <vector>

namespace bw::cli {

std::string did_you_mean(const std::string& typed, const std::vector<std::string>& candidates);

}  // namespace bw::cli
