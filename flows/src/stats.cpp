// Stats: counting. Per message (MessageObserver) and per finished call
// (CallSink); the report is built in stats_report.cpp.

#include "sipflow/flows/stats.hpp"

#include <algorithm>
#include <charconv>

#include "sipflow/decode/chars.hpp"
#include "sipflow/decode/grammar.hpp"
#include "stats_impl.hpp"

namespace sipflow::flows {

using detail::Counter;
using detail::kOther;
using detail::pack;

namespace {

// RFC 6076 §4.7: responses that show the user was reached (SEER numerator).
bool effective_failure(int status) {
  return status == 480 || status == 486 || status == 600 || status == 603;
}
// RFC 6076 §4.8: responses of a network that could not handle the attempt.
bool ineffective(int status) {
  return status == 408 || status == 500 || status == 503 || status == 504;
}
// RFC 6076 §4.3.2: 401, 402 and 407 are challenges, not failures.
bool challenge(int status) {
  return status == 401 || status == 402 || status == 407;
}

std::int64_t between(Timestamp from, Timestamp to) {
  return to.ns - from.ns;
}

}  // namespace

Result<WarningValue> parse_warning(std::string_view text) {
  // warning-value = warn-code SP warn-agent SP warn-text; warn-text is a quoted-string.
  std::string_view s = decode::trim(text);
  WarningValue w;
  if (s.size() < 3 || !decode::is(s[0], decode::kDigit) || !decode::is(s[1], decode::kDigit) ||
      !decode::is(s[2], decode::kDigit)) {
    return Error{"bad_warning", 0};
  }
  std::from_chars(s.data(), s.data() + 3, w.code);
  s.remove_prefix(3);
  if (s.empty() || !decode::is(s[0], decode::kSpace)) return Error{"bad_warning", 3};
  s = decode::trim(s);
  std::size_t sp = 0;
  while (sp < s.size() && !decode::is(s[sp], decode::kSpace))
    ++sp;
  w.agent = s.substr(0, sp);
  std::string_view rest = decode::trim(s.substr(sp));
  if (w.agent.empty() || rest.size() < 2 || rest.front() != '"' || rest.back() != '"') {
    return Error{"bad_warning", static_cast<std::uint32_t>(text.size() - rest.size())};
  }
  w.text = rest.substr(1, rest.size() - 2);
  return w;
}

std::string_view Stats::Impl::clip(std::string_view value, std::string& buffer) {
  if (value.size() <= options.max_value_bytes) return value;
  diag.limit("stats_value_truncated");
  buffer.assign(decode::utf8_prefix(value, options.max_value_bytes));
  buffer += "...";
  return buffer;
}

std::uint32_t Stats::Impl::method_index(std::string_view method, std::uint64_t frame) {
  detail::Slot s = methods.find_or_add(clip(method, clip_buffer));
  if (s.index == kOther) diag.limit("stats_method_limit", frame);
  return s.index;
}

std::uint32_t Stats::Impl::warning_index(std::string_view value, std::uint64_t frame) {
  auto w = parse_warning(value);
  WarningValue v = w ? *w : WarningValue{0, {}, decode::trim(value)};
  std::string agent(clip(v.agent, clip_buffer));
  std::string_view text = clip(v.text, clip_buffer);
  scratch.clear();
  scratch += std::to_string(v.code);
  scratch += '\n';  // cannot occur in a header value: the parts stay apart
  scratch += agent;
  scratch += '\n';
  scratch += text;
  detail::Slot s = warnings.find_or_add(std::string_view(scratch));
  if (s.index == kOther) diag.limit("stats_warning_limit", frame);
  if (s.inserted) {
    auto& row = warnings.row(s.index);
    row.code = v.code;
    row.agent = std::move(agent);
    row.text = std::string(text);
  }
  return s.index;
}

std::uint32_t Stats::Impl::reason_index(std::string_view value, std::uint64_t frame) {
  auto r = decode::parse_reason(value);
  decode::Reason v = r ? *r : decode::Reason{decode::trim(value), 0, {}};
  std::string protocol(clip(v.protocol, clip_buffer));
  std::string_view text = clip(v.text, clip_buffer);
  scratch.clear();
  scratch += protocol;
  scratch += '\n';
  scratch += std::to_string(v.cause);
  scratch += '\n';
  scratch += text;
  detail::Slot s = reasons.find_or_add(std::string_view(scratch));
  if (s.index == kOther) diag.limit("stats_reason_limit", frame);
  if (s.inserted) {
    auto& row = reasons.row(s.index);
    row.protocol = std::move(protocol);
    row.cause = v.cause;
    row.text = std::string(text);
  }
  return s.index;
}

template <class Emit>
void Stats::Impl::counters_of(const decode::MessageMeta& meta, const decode::SipMessage& m,
                              const Correlation& c, Emit&& emit) {
  auto repeat = static_cast<std::uint32_t>(c.repeat);
  bool response = !m.is_request();
  std::uint32_t sub = response ? 1 : 0;
  if (!response) {
    emit(pack(Counter::Request, method_index(m.method(), meta.frame), repeat));
  } else {
    int code = std::clamp(m.status(), 0, detail::kMaxCode);
    auto ucode = static_cast<std::uint32_t>(code);
    emit(pack(Counter::Response, ucode, repeat));
    auto& phrase = code_reasons[ucode];
    if (phrase.empty() && !m.reason().empty()) phrase = clip(m.reason(), clip_buffer);
    if (c.repeat == Repeat::First) {
      // Responses count under the method of their CSeq (RFC 3261 §8.1.1.5).
      if (auto cseq = decode::parse_cseq(m.first(decode::HeaderId::CSeq))) {
        emit(pack(Counter::Matrix, method_index(cseq->method, meta.frame), 0, ucode));
      }
    }
  }
  // A capture duplicate is one packet seen twice, not traffic a host sent.
  if (c.repeat == Repeat::Duplicate) return;
  detail::Slot src = hosts.find_or_add(meta.src.ip);
  detail::Slot dst = hosts.find_or_add(meta.dst.ip);
  if (src.index == kOther || dst.index == kOther) diag.limit("stats_host_limit", meta.frame);
  emit(pack(Counter::HostSent, src.index, sub));
  emit(pack(Counter::HostReceived, dst.index, sub));
  if (c.repeat == Repeat::Retransmission) emit(pack(Counter::HostRetrans, src.index));
  // Responses per host and code, and per answering agent and code: first sightings only.
  auto code = static_cast<std::uint32_t>(std::clamp(m.status(), 0, detail::kMaxCode));
  bool first_response = response && c.repeat == Repeat::First;
  if (first_response) {
    emit(pack(Counter::HostCode, src.index, 0, code));
    emit(pack(Counter::HostCode, dst.index, 1, code));
  }

  std::string_view agent =
      m.first(response ? decode::HeaderId::Server : decode::HeaderId::UserAgent);
  if (agent.empty() && response) agent = m.first(decode::HeaderId::UserAgent);
  agent = decode::trim(agent);
  if (!agent.empty()) {
    detail::Slot a = agents.find_or_add(clip(agent, clip_buffer));
    if (a.index == kOther) diag.limit("stats_agent_limit", meta.frame);
    emit(pack(Counter::Agent, a.index, sub));
    if (first_response) emit(pack(Counter::AgentCode, a.index, 0, code));
  }
  if (c.repeat != Repeat::First) return;
  if (m.has(decode::HeaderId::Warning)) {
    m.for_each(decode::HeaderId::Warning, [&](std::string_view value) {
      decode::CommaList list(value);
      while (auto item = list.next())
        emit(pack(Counter::Warning, warning_index(*item, meta.frame)));
    });
  }
  if (m.has(decode::HeaderId::Reason)) {
    m.for_each(decode::HeaderId::Reason, [&](std::string_view value) {
      decode::CommaList list(value);
      while (auto item = list.next())
        emit(pack(Counter::Reason, reason_index(*item, meta.frame)));
    });
  }
}

void Stats::Impl::apply(std::uint64_t key, std::uint64_t n) {
  auto kind = static_cast<Counter>(key >> 56);
  auto sub = static_cast<std::uint32_t>((key >> 48) & 0xFF);
  auto b = static_cast<std::uint32_t>((key >> 32) & 0xFFFF);
  auto a = static_cast<std::uint32_t>(key);
  auto bump = [n](RepeatCounts& r, std::uint32_t repeat) {
    switch (static_cast<Repeat>(repeat)) {
      case Repeat::First:
        r.first += n;
        break;
      case Repeat::Retransmission:
        r.retransmissions += n;
        break;
      case Repeat::Duplicate:
        r.duplicates += n;
        break;
    }
  };
  switch (kind) {
    case Counter::Request:
      bump(methods.row(a), sub);
      break;
    case Counter::Response:
      bump(codes[a], sub);
      break;
    case Counter::Matrix:
      matrix[static_cast<std::uint64_t>(a) << 16 | b] += n;
      break;
    case Counter::HostSent:
      (sub ? hosts.row(a).responses_sent : hosts.row(a).requests_sent) += n;
      break;
    case Counter::HostReceived:
      (sub ? hosts.row(a).responses_received : hosts.row(a).requests_received) += n;
      break;
    case Counter::HostRetrans:
      hosts.row(a).retransmissions_sent += n;
      break;
    case Counter::Agent:
      (sub ? agents.row(a).responses : agents.row(a).requests) += n;
      break;
    case Counter::Warning:
      warnings.row(a).count += n;
      break;
    case Counter::Reason:
      reasons.row(a).count += n;
      break;
    case Counter::HostCode: {
      auto& [sent, received] = host_codes[static_cast<std::uint64_t>(a) << 16 | b];
      (sub ? received : sent) += n;
      break;
    }
    case Counter::AgentCode:
      agent_codes[static_cast<std::uint64_t>(a) << 16 | b] += n;
      break;
  }
}

void Stats::Impl::account_invite(const Call& c) {
  SessionCounts& s = sessions;
  bool answered = c.answer.has_value();
  int status = c.status;
  if (!answered && status == 0 && !c.timed_out) {
    ++s.unfinished;  // the capture ended (or the call was evicted) before any outcome
    return;
  }
  ++s.invite_attempts;
  if (answered) {
    ++s.answered;
    ++s.effective;
    // §4.3.1: to the first provisional other than 100 (18x), else to the 2xx.
    Timestamp status_indication = c.ringing && *c.ringing < *c.answer ? *c.ringing : *c.answer;
    srd.add(between(*c.invite, status_indication));
    if (c.bye) {
      ++s.disconnects;
      sdt.add(between(*c.answer, *c.bye));
      for (const auto& d : c.dialogs) {
        if (!d.early && d.terminated) {  // the BYE's final response ended a confirmed dialog
          ++s.completed;
          sdd.add(between(*c.bye, *d.terminated));
          break;
        }
      }
    }
    return;
  }
  if (status == 0) {  // no final response within the setup timeout: Timer B, a local 408
    ++s.timed_out;
    ++s.ineffective;
    return;
  }
  if (status >= 300 && status < 400) {
    ++s.redirected;
    return;
  }
  ++s.failed;
  if (effective_failure(status)) ++s.effective;
  if (ineffective(status)) ++s.ineffective;
  if (c.state == CallState::Cancelled) {
    ++s.cancelled;  // the caller gave up: the delay is the caller's patience, not the network's
  } else if (!challenge(status) && c.end) {
    srd_failed.add(between(*c.invite, *c.end));
  }
}

void Stats::Impl::account_register(const Call& c) {
  SessionCounts& s = sessions;
  if (c.status == 0 && !c.timed_out) {
    ++s.register_unfinished;
    return;
  }
  ++s.register_attempts;
  if (c.status >= 200 && c.status < 300) {
    ++s.registered;
    // §4.1: from the first REGISTER to the 2xx, through any digest challenge.
    if (c.end) rrd.add(between(c.start, *c.end));
  } else if (c.status == 0 || c.status >= 400) {
    ++s.register_failed;  // a failure, a challenge that was never answered, or a timeout
  }
}

void Stats::Impl::account_call(const Call& c) {
  if (c.method == "INVITE" && c.invite) {
    account_invite(c);
  } else if (c.method == "REGISTER" && !c.request_uri.empty()) {  // opened by the request
    account_register(c);
  }
  if (c.status >= 400 && !c.answer) {
    scratch.clear();
    std::string method(clip(c.method, clip_buffer));
    std::string_view reason = clip(c.reason, clip_buffer);
    scratch += method;
    scratch += '\n';
    scratch += std::to_string(c.status);
    scratch += '\n';
    scratch += reason;
    detail::Slot s = failures.find_or_add(std::string_view(scratch));
    if (s.index == kOther) diag.limit("stats_failure_limit", c.first_frame);
    auto& row = failures.row(s.index);
    if (s.inserted) {
      row.method = std::move(method);
      row.code = c.status;
      row.reason = std::string(reason);
    }
    ++row.count;
  }
}

Stats::Stats(StatsOptions options, Diagnostics& diag)
    : impl_(std::make_unique<Impl>(std::move(options), diag)) {}

Stats::~Stats() = default;

void Stats::on_correlated(const decode::MessageMeta& meta, const decode::SipMessage& msg,
                          const Correlation& c) {
  Impl& s = *impl_;
  if (!s.first_ts || meta.ts < *s.first_ts) s.first_ts = meta.ts;
  if (!s.last_ts || *s.last_ts < meta.ts) s.last_ts = meta.ts;
  if (c.call == nullptr) ++s.uncorrelated;
  if (!s.filtered) {
    s.counters_of(meta, msg, c, [&s](std::uint64_t key) { s.apply(key, 1); });
    return;
  }
  // With a filter the call's outcome decides later whether these count.
  if (c.call == nullptr) return;
  detail::PendingCounters& pending = s.pending[c.call];
  s.counters_of(meta, msg, c, [&pending](std::uint64_t key) {
    for (auto& [k, n] : pending) {
      if (k == key) {
        ++n;
        return;
      }
    }
    pending.emplace_back(key, 1);
  });
}

void Stats::on_call(Call& call) {
  Impl& s = *impl_;
  ++s.calls;
  bool match = !s.filtered || s.options.filter.matches(call);
  if (s.filtered) {
    auto it = s.pending.find(&call);
    if (it != s.pending.end()) {
      if (match) {
        for (const auto& [key, n] : it->second)
          s.apply(key, n);
      }
      s.pending.erase(it);
    }
  }
  if (!match) return;
  ++s.calls_matched;
  s.account_call(call);
}

void Stats::on_unparseable(const decode::MessageMeta& meta, Error error) {
  Impl& s = *impl_;
  if (!s.first_ts || meta.ts < *s.first_ts) s.first_ts = meta.ts;
  if (!s.last_ts || *s.last_ts < meta.ts) s.last_ts = meta.ts;
  ++s.unparseable;
  for (auto& [code, n] : s.unparseable_by_error) {
    if (code == error.code) {
      ++n;
      return;
    }
  }
  s.unparseable_by_error.emplace_back(error.code, 1);
}

}  // namespace sipflow::flows
