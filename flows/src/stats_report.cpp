// Stats: turning the counters into a StatsReport — owned rows in a
// deterministic order (never hash-map order), ratios and delay summaries.

#include <algorithm>
#include <map>
#include <tuple>

#include "sipflow/flows/stats.hpp"
#include "stats_impl.hpp"

namespace sipflow::flows {
namespace {

DelaySummary summarize(const LogHistogram& h) {
  DelaySummary d;
  d.count = h.count();
  if (d.count == 0) return d;
  auto s = [](std::int64_t ns) { return static_cast<double>(ns) / 1e9; };
  d.avg = h.mean() / 1e9;
  d.min = s(h.min());
  d.max = s(h.max());
  d.p50 = s(h.quantile(0.50));
  d.p90 = s(h.quantile(0.90));
  d.p95 = s(h.quantile(0.95));
  d.p99 = s(h.quantile(0.99));
  return d;
}

// Ties in the method tables are broken in call-flow order, then by name.
int method_rank(std::string_view m) {
  static constexpr std::string_view kOrder[] = {
      "INVITE", "ACK",       "BYE",    "CANCEL",  "PRACK",   "UPDATE",   "INFO",
      "REFER",  "SUBSCRIBE", "NOTIFY", "MESSAGE", "OPTIONS", "REGISTER", "PUBLISH"};
  for (std::size_t i = 0; i < std::size(kOrder); ++i) {
    if (kOrder[i] == m) return static_cast<int>(i);
  }
  return static_cast<int>(std::size(kOrder));
}

bool method_before(bool other_a, std::uint64_t total_a, std::string_view a, bool other_b,
                   std::uint64_t total_b, std::string_view b) {
  if (other_a != other_b) return other_b;  // "other" last, whatever its count
  if (total_a != total_b) return total_a > total_b;
  if (method_rank(a) != method_rank(b)) return method_rank(a) < method_rank(b);
  return a < b;
}

std::optional<double> ratio(std::uint64_t num, std::uint64_t den) {
  if (den == 0) return std::nullopt;
  return static_cast<double>(num) / static_cast<double>(den);
}

// Rows of a capped table with a non-zero count, "other" (if used) last.
template <class Table, class Make, class NonZero>
auto rows_of(const Table& t, Make make, NonZero nonzero) {
  using Row = decltype(make(std::uint32_t{}, false));
  std::vector<Row> rows;
  for (std::size_t i = 0; i < t.size(); ++i) {
    auto index = static_cast<std::uint32_t>(i);
    if (nonzero(t.row(index))) rows.push_back(make(index, false));
  }
  if (t.other_used() && nonzero(t.row(detail::kOther))) rows.push_back(make(detail::kOther, true));
  return rows;
}

// The cells of a (row key << 16 | code) → counts map as report rows, in the
// order of `rows` (the already sorted table of the same keys), then by code.
template <class Out, class Map, class Rows, class Name, class KeyOf, class Fill>
std::vector<Out> breakdown(const Map& cells, const Rows& rows, Name name, KeyOf key_of, Fill fill) {
  std::map<std::pair<bool, std::string>, std::size_t> rank;
  for (std::size_t i = 0; i < rows.size(); ++i)
    rank.emplace(key_of(rows[i]), i);
  std::vector<std::pair<std::pair<std::size_t, int>, Out>> sorted;
  for (const auto& [key, n] : cells) {
    auto index = static_cast<std::uint32_t>(key >> 16);
    bool other = index == detail::kOther;
    std::string label = name(index);
    auto it = rank.find({other, label});
    if (it == rank.end()) continue;  // a row with no traffic left (cannot happen with counts)
    Out out;
    int code = static_cast<int>(key & 0xFFFF);
    fill(out, std::move(label), other, code, n);
    sorted.push_back({{it->second, code}, std::move(out)});
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Out> result;
  for (auto& [k, row] : sorted)
    result.push_back(std::move(row));
  return result;
}

}  // namespace

StatsReport Stats::report() const {
  const Impl& s = *impl_;
  StatsReport r;
  r.unparseable = s.unparseable;
  r.uncorrelated = s.uncorrelated;
  r.calls = s.calls;
  r.calls_matched = s.calls_matched;
  r.filtered = s.filtered;
  r.first_message = s.first_ts;
  r.last_message = s.last_ts;
  for (const auto& [error, n] : s.unparseable_by_error)
    r.unparseable_by_error.push_back({std::string(error), n});
  std::sort(r.unparseable_by_error.begin(), r.unparseable_by_error.end(),
            [](const auto& a, const auto& b) {
              return std::tie(b.count, a.error) < std::tie(a.count, b.error);
            });

  // Requests by method, most frequent first.
  r.methods = rows_of(
      s.methods,
      [&](std::uint32_t i, bool other) {
        return StatsReport::MethodRow{other ? std::string() : s.methods.key(i), other,
                                      s.methods.row(i)};
      },
      [](const RepeatCounts& n) { return n.total() > 0; });
  // Methods seen only in a CSeq of a response still get a row (of zeros) for the matrix.
  std::vector<std::uint32_t> all;
  for (std::size_t i = 0; i < s.methods.size(); ++i)
    all.push_back(static_cast<std::uint32_t>(i));
  if (s.methods.other_used()) all.push_back(detail::kOther);
  auto method_total = [&](std::uint32_t i) { return s.methods.row(i).total(); };
  auto method_name = [&](std::uint32_t i) -> std::string_view {
    return i == detail::kOther ? std::string_view() : std::string_view(s.methods.key(i));
  };
  std::sort(all.begin(), all.end(), [&](std::uint32_t a, std::uint32_t b) {
    return method_before(a == detail::kOther, method_total(a), method_name(a), b == detail::kOther,
                         method_total(b), method_name(b));
  });
  std::sort(r.methods.begin(), r.methods.end(), [](const auto& a, const auto& b) {
    return method_before(a.other, a.n.total(), a.method, b.other, b.n.total(), b.method);
  });
  for (const auto& m : r.methods) {
    r.requests += m.n.first;
    r.retransmissions += m.n.retransmissions;
    r.duplicates += m.n.duplicates;
  }

  for (int code = 0; code <= detail::kMaxCode; ++code) {
    const RepeatCounts& n = s.codes[static_cast<std::size_t>(code)];
    if (n.total() == 0) continue;
    r.codes.push_back({code, s.code_reasons[static_cast<std::size_t>(code)], n});
    r.responses += n.first;
    r.retransmissions += n.retransmissions;
    r.duplicates += n.duplicates;
  }
  r.messages = r.requests + r.responses + r.retransmissions + r.duplicates;

  // The matrix, methods in the order of the method table, then by code.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> cells(s.matrix.begin(), s.matrix.end());
  std::vector<std::size_t> rank_of_method(s.methods.size() + 1);
  for (std::size_t pos = 0; pos < all.size(); ++pos) {
    std::size_t slot = all[pos] == detail::kOther ? s.methods.size() : all[pos];
    rank_of_method[slot] = pos;
  }
  auto rank = [&](std::uint64_t key) {
    auto m = static_cast<std::uint32_t>(key >> 16);
    return std::pair(rank_of_method[m == detail::kOther ? s.methods.size() : m], key & 0xFFFF);
  };
  std::sort(cells.begin(), cells.end(),
            [&](const auto& a, const auto& b) { return rank(a.first) < rank(b.first); });
  for (const auto& [key, n] : cells) {
    if (n == 0) continue;
    auto m = static_cast<std::uint32_t>(key >> 16);
    bool other = m == detail::kOther;
    r.matrix.push_back(
        {other ? std::string() : s.methods.key(m), other, static_cast<int>(key & 0xFFFF), n});
  }

  r.hosts = rows_of(
      s.hosts,
      [&](std::uint32_t i, bool other) {
        const auto& h = s.hosts.row(i);
        return StatsReport::HostRow{other ? std::string() : s.hosts.key(i).to_string(),
                                    other,
                                    h.requests_sent,
                                    h.responses_sent,
                                    h.requests_received,
                                    h.responses_received,
                                    h.retransmissions_sent};
      },
      [](const detail::HostCounts& h) {
        return h.requests_sent + h.responses_sent + h.requests_received + h.responses_received > 0;
      });
  // By traffic; ties by address (as bytes, so 10.0.0.9 sorts before 10.0.0.10).
  std::sort(r.hosts.begin(), r.hosts.end(), [](const auto& a, const auto& b) {
    if (a.other != b.other) return b.other;
    if (a.total() != b.total()) return a.total() > b.total();
    auto ia = IpAddress::parse(a.host), ib = IpAddress::parse(b.host);
    if (ia && ib && *ia != *ib) return *ia < *ib;
    return a.host < b.host;
  });

  r.agents = rows_of(
      s.agents,
      [&](std::uint32_t i, bool other) {
        const auto& a = s.agents.row(i);
        return StatsReport::AgentRow{other ? std::string() : s.agents.key(i), other, a.requests,
                                     a.responses};
      },
      [](const detail::AgentCounts& a) { return a.requests + a.responses > 0; });
  std::sort(r.agents.begin(), r.agents.end(), [](const auto& a, const auto& b) {
    if (a.other != b.other) return b.other;
    if (a.requests + a.responses != b.requests + b.responses)
      return a.requests + a.responses > b.requests + b.responses;
    return a.agent < b.agent;
  });

  r.host_codes = breakdown<StatsReport::HostCodeRow>(
      s.host_codes, r.hosts,
      [&](std::uint32_t i) {
        return i == detail::kOther ? std::string() : s.hosts.key(i).to_string();
      },
      [](const StatsReport::HostRow& h) { return std::pair(h.other, h.host); },
      [](StatsReport::HostCodeRow& row, std::string key, bool other, int code, const auto& n) {
        row = {std::move(key), other, code, n.first, n.second};
      });
  r.agent_codes = breakdown<StatsReport::AgentCodeRow>(
      s.agent_codes, r.agents,
      [&](std::uint32_t i) { return i == detail::kOther ? std::string() : s.agents.key(i); },
      [](const StatsReport::AgentRow& a) { return std::pair(a.other, a.agent); },
      [](StatsReport::AgentCodeRow& row, std::string key, bool other, int code, std::uint64_t n) {
        row = {std::move(key), other, code, n};
      });

  r.failures = rows_of(
      s.failures,
      [&](std::uint32_t i, bool other) {
        const auto& f = s.failures.row(i);
        return StatsReport::FailureRow{f.method, f.code, f.reason, other, f.count};
      },
      [](const detail::FailureCounts& f) { return f.count > 0; });
  std::sort(r.failures.begin(), r.failures.end(), [](const auto& a, const auto& b) {
    if (a.other != b.other) return b.other;
    return std::tie(b.count, a.code, a.method, a.reason) <
           std::tie(a.count, b.code, b.method, b.reason);
  });

  r.reasons = rows_of(
      s.reasons,
      [&](std::uint32_t i, bool other) {
        const auto& x = s.reasons.row(i);
        return StatsReport::ReasonRow{x.protocol, x.cause, x.text, other, x.count};
      },
      [](const detail::ReasonCounts& x) { return x.count > 0; });
  std::sort(r.reasons.begin(), r.reasons.end(), [](const auto& a, const auto& b) {
    if (a.other != b.other) return b.other;
    return std::tie(b.count, a.protocol, a.cause, a.text) <
           std::tie(a.count, b.protocol, b.cause, b.text);
  });

  r.warnings = rows_of(
      s.warnings,
      [&](std::uint32_t i, bool other) {
        const auto& w = s.warnings.row(i);
        return StatsReport::WarningRow{w.code, w.agent, w.text, other, w.count};
      },
      [](const detail::WarningCounts& w) { return w.count > 0; });
  std::sort(r.warnings.begin(), r.warnings.end(), [](const auto& a, const auto& b) {
    if (a.other != b.other) return b.other;
    return std::tie(b.count, a.code, a.agent, a.text) < std::tie(a.count, b.code, b.agent, b.text);
  });

  r.sessions = s.sessions;
  SessionCounts& x = r.sessions;
  // RFC 6076 §4.6/§4.7: redirected attempts are neither successes nor failures.
  x.ser = ratio(x.answered, x.invite_attempts - x.redirected);
  x.seer = ratio(x.effective, x.invite_attempts - x.redirected);
  x.isa = ratio(x.ineffective, x.invite_attempts);
  x.scr = ratio(x.completed, x.invite_attempts);
  x.ira = ratio(x.register_failed, x.register_attempts);

  r.rrd = summarize(s.rrd);
  r.srd = summarize(s.srd);
  r.srd_failed = summarize(s.srd_failed);
  r.sdd = summarize(s.sdd);
  r.sdt = summarize(s.sdt);
  return r;
}

}  // namespace sipflow::flows
