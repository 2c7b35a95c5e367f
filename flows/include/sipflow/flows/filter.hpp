#pragma once
// Call filters shared by `calls`, `flow` and `stats`: each given criterion
// must match (they compose with AND).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sipflow/capture/result.hpp"
#include "sipflow/capture/timestamp.hpp"
#include "sipflow/flows/call.hpp"

namespace sipflow::flows {

/// A status criterion: "486", "4xx", "!2xx", or a comma list of them.
struct StatusFilter {
  struct Term {
    bool negate = false;
    int lo = 0, hi = 0;  // inclusive range of codes
  };
  std::vector<Term> terms;
  /// Positive terms: any may match; negative terms: none may match.
  bool matches(int status) const noexcept;
};
/// Errors: bad_status_filter.
Result<StatusFilter> parse_status_filter(std::string_view text);

/// Epoch seconds ("1700000000.25"), or UTC ISO 8601 ("2023-11-14T22:13:20.5Z",
/// "2023-11-14 22:13:20"). Errors: bad_time.
Result<Timestamp> parse_time(std::string_view text);

struct CallFilter {
  std::string call_id;  ///< exact Call-ID, or a substring of it
  std::string from;     ///< substring of the From URI or display name
  std::string to;       ///< substring of the To URI or display name
  std::string method;   ///< first request's method, case-insensitive
  std::optional<StatusFilter> status;
  std::vector<CallState> states;  ///< any of these
  /// Caller or callee: an IP address matches exactly, "ip:port" (IPv6 in
  /// brackets) that endpoint, any other text a substring of "ip:port".
  std::string host;
  std::optional<Timestamp> since;  ///< call started at or after
  std::optional<Timestamp> until;  ///< call started before

  bool empty() const noexcept;
  bool matches(const Call& c) const;
};

}  // namespace sipflow::flows
