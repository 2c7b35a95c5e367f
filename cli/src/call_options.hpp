#pragma once
// Options that select calls and tune correlation, shared by calls/flow/stats.

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sipflow/flows/correlator.hpp"
#include "sipflow/flows/filter.hpp"

namespace sipflow::cli {

struct CallOptions {
  // Filters (all must match).
  std::string call_id, from, to, method, status, state, host, since, until;
  // Correlation.
  std::vector<std::string> link_headers;
  std::string link_callid_regex;
  bool no_link_headers = false, no_link_icid = false, no_link_replaces = false, no_link_sdp = false;
  std::size_t max_calls = 200'000;
  std::size_t max_legs = flows::LinkOptions{}.max_legs;
  double linger_s = 4.0;
  double setup_timeout_s = 180.0;

  /// The filter these options describe. Throws CLI::ValidationError.
  flows::CallFilter filter() const;
  /// Correlator settings. Throws CLI::ValidationError (e.g. a bad regex).
  flows::CorrelatorOptions correlator() const;
};

/// Adds the filter options ("Selecting calls") to `cmd`.
void add_filter_options(CLI::App& cmd, CallOptions& o);
/// Adds the correlation options ("Linking legs", limits) to `cmd`.
void add_correlation_options(CLI::App& cmd, CallOptions& o);

}  // namespace sipflow::cli
