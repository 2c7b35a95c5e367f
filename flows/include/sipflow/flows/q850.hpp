#pragma once
// ITU-T Q.850 cause values, as carried in Reason: Q.850;cause=N (RFC 3326).

#include <string_view>

namespace sipflow::flows {

/// The Q.850 name of a cause ("Normal call clearing" for 16); "" if unknown.
std::string_view q850_name(int cause) noexcept;

}  // namespace sipflow::flows
