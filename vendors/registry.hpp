// The one table of compiled-in vendor plugins (STYLE.md rule 4): explicit, switched by
// CMake options, no static-initialisation tricks.
#pragma once

#include <span>
#include <string_view>

#include "vendors/vendor.hpp"

namespace bw {

std::span<const VendorPlugin* const> all_plugins();
const VendorPlugin* find_plugin(std::string_view id);  // nullptr when unknown

}  // namespace bw
