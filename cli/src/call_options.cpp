#include "call_options.hpp"

#include <regex>
#include <sstream>

namespace sipflow::cli {

void add_filter_options(CLI::App& cmd, CallOptions& o) {
  const char* g = "Selecting calls";
  cmd.add_option("--call-id", o.call_id, "Calls whose Call-ID is or contains ID")
      ->type_name("ID")
      ->group(g);
  cmd.add_option("--from", o.from, "Calls whose From URI or name contains TEXT")
      ->type_name("TEXT")
      ->group(g);
  cmd.add_option("--to", o.to, "Calls whose To URI or name contains TEXT")
      ->type_name("TEXT")
      ->group(g);
  cmd.add_option("--method", o.method, "Calls started by METHOD (INVITE, REGISTER, ...)")
      ->type_name("METHOD")
      ->group(g);
  cmd.add_option("--status", o.status, "Final status: 486, 4xx, !2xx, or a comma list (0 = none)")
      ->type_name("CODES")
      ->group(g);
  cmd.add_option("--state", o.state,
                 "Outcome(s), comma-separated: setup, ringing, in_call, completed, cancelled, "
                 "rejected, busy, redirected, failed, timed_out")
      ->type_name("STATES")
      ->group(g);
  cmd.add_option("--host", o.host,
                 "Calls from or to ADDR: an IP address (exactly), IP:PORT, or any part of "
                 "\"ip:port\" (e.g. 10.0.0. or :5080)")
      ->type_name("ADDR")
      ->group(g);
  cmd.add_option("--since", o.since,
                 "Calls that started at or after TIME (epoch seconds or ISO 8601, UTC)")
      ->type_name("TIME")
      ->group(g);
  cmd.add_option("--until", o.until, "Calls that started before TIME")->type_name("TIME")->group(g);
}

void add_correlation_options(CLI::App& cmd, CallOptions& o) {
  const char* g = "Linking B2BUA/SBC legs";
  cmd.add_option("--link-header", o.link_headers,
                 "Also link legs by this header carrying the other leg's Call-ID (repeatable; "
                 "X-Call-ID, X-CID and X-Orig-Call-ID are always used)")
      ->type_name("NAME")
      ->allow_extra_args(false)
      ->group(g);
  cmd.add_option("--link-callid-regex", o.link_callid_regex,
                 "Link legs whose Call-IDs share the part captured by group 1 of REGEX")
      ->type_name("REGEX")
      ->group(g);
  cmd.add_flag("--no-link-headers", o.no_link_headers, "Do not link by correlation headers")
      ->group(g);
  cmd.add_flag("--no-link-icid", o.no_link_icid, "Do not link by P-Charging-Vector icid-value")
      ->group(g);
  cmd.add_flag("--no-link-replaces", o.no_link_replaces, "Do not link by Replaces / Refer-To")
      ->group(g);
  cmd.add_flag("--no-link-sdp", o.no_link_sdp, "Do not link by a shared SDP media address")
      ->group(g);
  const char* l = "Limits";
  cmd.add_option("--max-calls", o.max_calls,
                 "Open calls kept at most; beyond that the least recently active is closed early "
                 "(counted as open_call_limit)")
      ->check(CLI::PositiveNumber)
      ->option_text("N (default 200000)")
      ->group(l);
  cmd.add_option("--max-legs", o.max_legs,
                 "Legs linked into one call at most; more are left unlinked (counted as "
                 "link_limit)")
      ->check(CLI::Range(std::size_t{2}, std::size_t{100000}))
      ->option_text("N (default 64)")
      ->group(l);
  cmd.add_option("--linger", o.linger_s, "Seconds a finished call waits for late retransmissions")
      ->check(CLI::NonNegativeNumber)
      ->option_text("SECONDS (default 4)")
      ->group(l);
  cmd.add_option("--setup-timeout", o.setup_timeout_s,
                 "Seconds an INVITE may wait for a final response before the call is timed_out")
      ->check(CLI::PositiveNumber)
      ->option_text("SECONDS (default 180)")
      ->group(l);
}

flows::CallFilter CallOptions::filter() const {
  flows::CallFilter f;
  f.call_id = call_id;
  f.from = from;
  f.to = to;
  f.method = method;
  f.host = host;
  if (!status.empty()) {
    auto s = flows::parse_status_filter(status);
    if (!s)
      throw CLI::ValidationError("--status",
                                 "'" + status + "' is not 486, 4xx, !2xx or a comma list of them");
    f.status = *s;
  }
  if (!state.empty()) {
    std::stringstream ss(state);
    std::string item;
    while (std::getline(ss, item, ',')) {
      auto st = flows::parse_call_state(item);
      if (!st) throw CLI::ValidationError("--state", "unknown state '" + item + "'");
      f.states.push_back(*st);
    }
  }
  for (auto [text, target, name] :
       {std::tuple{&since, &f.since, "--since"}, std::tuple{&until, &f.until, "--until"}}) {
    if (text->empty()) continue;
    auto t = flows::parse_time(*text);
    if (!t) throw CLI::ValidationError(name, "'" + *text + "' is not epoch seconds or ISO 8601");
    *target = *t;
  }
  return f;
}

flows::CorrelatorOptions CallOptions::correlator() const {
  flows::CorrelatorOptions c;
  c.max_open_calls = max_calls;
  c.linger_ns = static_cast<std::int64_t>(linger_s * 1e9);
  c.invite_timeout_ns = static_cast<std::int64_t>(setup_timeout_s * 1e9);
  c.link.headers = !no_link_headers;
  c.link.icid = !no_link_icid;
  c.link.replaces = !no_link_replaces;
  c.link.sdp = !no_link_sdp;
  c.link.max_legs = max_legs;
  for (const auto& h : link_headers)
    c.link.header_names.push_back(h);
  c.link.callid_regex = link_callid_regex;
  if (!link_callid_regex.empty()) {
    try {
      std::regex check(link_callid_regex, std::regex::ECMAScript);
      if (check.mark_count() < 1) {
        throw CLI::ValidationError("--link-callid-regex", "needs a capture group, e.g. '^([^-]+)'");
      }
    } catch (const std::regex_error& e) {
      throw CLI::ValidationError("--link-callid-regex", std::string("bad regex: ") + e.what());
    }
  }
  return c;
}

}  // namespace sipflow::cli
