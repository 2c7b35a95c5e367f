// The correlator: matches transactions (RFC 3261 §17), dialogs (§12) and
// offer/answer exchanges (RFC 3264, 3262, 3311, 6337) message by message.

#include "sipflow/flows/correlator.hpp"

#include <algorithm>
#include <array>
#include <list>
#include <unordered_map>

#include "linker.hpp"
#include "open_call.hpp"
#include "sipflow/decode/chars.hpp"
#include "sipflow/decode/grammar.hpp"
#include "sipflow/decode/sdp.hpp"
#include "sipflow/flows/media.hpp"

namespace sipflow::flows {

using namespace detail;

namespace {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

constexpr std::uint64_t fnv(std::string_view s, std::uint64_t h = 1469598103934665603ull) {
  for (char ch : s) {
    h ^= static_cast<unsigned char>(ch);
    h *= 1099511628211ull;
  }
  return h;
}
constexpr std::uint64_t fnv_u64(std::uint64_t v, std::uint64_t h) {
  for (int i = 0; i < 8; ++i) {
    h ^= (v >> (i * 8)) & 0xFF;
    h *= 1099511628211ull;
  }
  return h;
}

// What correlation needs from a message: borrowed views into it.
struct Parsed {
  std::string_view call_id;
  decode::CSeq cseq;
  Method method = Method::Other;  // request method, or the CSeq method of a response
  std::string_view from_tag;
  std::string_view to_tag;
  std::optional<decode::NameAddr> from;
  std::optional<decode::NameAddr> to;
  std::optional<decode::Via> via;
};

CallState outcome_of(int status) {
  if (status >= 200 && status < 300) return CallState::Completed;
  if (status >= 300 && status < 400) return CallState::Redirected;
  if (status == 486 || status == 600) return CallState::Busy;
  if (status == 487) return CallState::Cancelled;
  if (status == 408) return CallState::TimedOut;
  if (status == 603 || (status >= 400 && status < 500)) return CallState::Rejected;
  return CallState::Failed;
}

bool creates_dialog(Method m) {
  return m == Method::Invite || m == Method::Subscribe || m == Method::Refer;
}

// What a person reads as the display name: a quoted one without its escapes.
std::string display_name(const decode::NameAddr& a) {
  return a.quoted_display ? decode::unescape_quoted_pairs(a.display) : std::string(a.display);
}

int q850_cause(std::string_view reason_header) {
  decode::CommaList list(reason_header);
  while (auto item = list.next()) {
    auto r = decode::parse_reason(*item);
    if (r && decode::iequals(r->protocol, "Q.850")) return r->cause;
  }
  return 0;
}

Dialog* find_dialog(Call& c, std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return nullptr;
  for (auto& d : c.dialogs) {
    if ((d.from_tag == a && d.to_tag == b) || (d.from_tag == b && d.to_tag == a)) return &d;
  }
  return nullptr;
}

// Dialogs of one call at most: a real INVITE forks to a few, a flood of
// responses with made-up To-tags would make every lookup linear in them.
constexpr std::size_t kMaxDialogsPerCall = 64;

/// A new dialog, or nullptr (counted as dialog_limit) when the call has
/// kMaxDialogsPerCall already.
Dialog* add_dialog(Call& c, std::string_view from_tag, std::string_view to_tag, Timestamp ts,
                   Diagnostics& diag, std::uint64_t frame) {
  if (c.dialogs.size() >= kMaxDialogsPerCall) {
    diag.limit("dialog_limit", frame);
    return nullptr;
  }
  Dialog& d = c.dialogs.emplace_back();
  d.from_tag = std::string(from_tag);
  d.to_tag = std::string(to_tag);
  d.created = ts;
  return &d;
}

// Early dialogs other than `keep` end: a final failure, a CANCEL, or another
// fork's 2xx (RFC 3261 §13.2.2.4) finished the INVITE they were waiting on.
void end_early_dialogs(Call& c, Timestamp ts, const Dialog* keep = nullptr) {
  for (auto& d : c.dialogs) {
    if (&d != keep && d.early && d.state != SessionState::Terminated) {
      d.state = SessionState::Terminated;
      d.terminated = ts;
    }
  }
}

bool expires_zero(const decode::SipMessage& m) {
  auto e = decode::parse_number(m.first(decode::HeaderId::Expires), 0xFFFFFFFFu);
  return e && *e == 0;
}

// RFC 6665 §4.1.3: "Subscription-State: terminated;reason=..." ends it.
bool subscription_terminated(const decode::SipMessage& m) {
  std::string_view v = m.first(decode::HeaderId::SubscriptionState);
  return decode::iequals(decode::trim(v.substr(0, v.find(';'))), "terminated");
}

}  // namespace

Method detail::method_of(std::string_view m) noexcept {
  static constexpr std::pair<std::string_view, Method> kMethods[] = {
      {"INVITE", Method::Invite},     {"ACK", Method::Ack},
      {"BYE", Method::Bye},           {"CANCEL", Method::Cancel},
      {"REGISTER", Method::Register}, {"OPTIONS", Method::Options},
      {"PRACK", Method::Prack},       {"UPDATE", Method::Update},
      {"INFO", Method::Info},         {"REFER", Method::Refer},
      {"NOTIFY", Method::Notify},     {"SUBSCRIBE", Method::Subscribe},
      {"MESSAGE", Method::Message},   {"PUBLISH", Method::Publish}};
  for (const auto& [name, id] : kMethods) {
    if (name == m) return id;  // methods are case-sensitive (RFC 3261 §7.1)
  }
  return Method::Other;
}

struct Correlator::Impl {
  Impl(CorrelatorOptions options, Diagnostics& d, CallSink& s, MessageObserver* obs,
       Correlator& owner)
      : o(std::move(options)),
        diag(d),
        sink(s),
        observer(obs),
        self(owner),
        linker(o.link, d, [this](std::string_view id) -> OpenCall* {
          auto it = calls.find(id);
          return it == calls.end() ? nullptr : it->second.get();
        }) {}

  void handle(const decode::MessageMeta& meta, const decode::SipMessage& m);
  bool parse(const decode::SipMessage& m, Parsed& p);
  OpenCall& open(const Parsed& p, const decode::MessageMeta& meta, const decode::SipMessage& m);
  Transaction& transaction(OpenCall& oc, const Parsed& p, const decode::SipMessage& m, Timestamp ts,
                           bool& created);
  Repeat repeat_of(Timestamp previous, Timestamp ts) const {
    return ts.ns - previous.ns < o.duplicate_window_ns ? Repeat::Duplicate : Repeat::Retransmission;
  }
  SdpRole apply(OpenCall& oc, Transaction& t, const Parsed& p, const decode::MessageMeta& meta,
                const decode::SipMessage& m, std::string* sdp_summary);
  void request(OpenCall& oc, Transaction& t, const Parsed& p, const decode::MessageMeta& meta,
               const decode::SipMessage& m, Side side);
  void response(OpenCall& oc, Transaction& t, const Parsed& p, const decode::MessageMeta& meta,
                const decode::SipMessage& m);
  /// Ends the subscription dialog of `p`; the call lingers once none is left.
  void end_subscription(OpenCall& oc, const Parsed& p, Timestamp ts);
  /// A request with both tags: finds (or makes) its dialog and counts it there.
  void in_dialog(OpenCall& oc, const Parsed& p, const decode::MessageMeta& meta,
                 const decode::SipMessage& m);
  SdpRole offer_answer(OpenCall& oc, Transaction& t, const Parsed& p, const decode::SipMessage& m,
                       Side side, std::string* sdp_summary);

  void set_wait(OpenCall& oc, Wait w) {
    if (oc.wait == w) return;
    auto& from = waits[static_cast<std::size_t>(oc.wait)];
    auto& to = waits[static_cast<std::size_t>(w)];
    to.splice(to.end(), from, oc.position);
    oc.wait = w;
  }
  void touch(OpenCall& oc) {
    auto& l = waits[static_cast<std::size_t>(oc.wait)];
    l.splice(l.end(), l, oc.position);
  }
  std::int64_t timeout(Wait w) const {
    switch (w) {
      case Wait::Linger:
        return o.linger_ns;
      case Wait::Request:
        return o.request_timeout_ns;
      case Wait::Invite:
        return o.invite_timeout_ns;
      case Wait::Idle:
        return o.idle_timeout_ns;
    }
    return o.idle_timeout_ns;
  }
  void expire();
  void evict_one(std::uint64_t frame);
  void close(OpenCall& oc);

  CorrelatorOptions o;
  Diagnostics& diag;
  CallSink& sink;
  MessageObserver* observer;
  Correlator& self;
  std::unordered_map<std::string, std::unique_ptr<OpenCall>, StringHash, std::equal_to<>> calls;
  std::array<std::list<OpenCall*>, kWaitKinds> waits;
  Linker linker;
  decode::Sdp sdp;  // reused for every body
  std::uint64_t next_index = 0;
  Timestamp now{std::numeric_limits<std::int64_t>::min()};
};

bool Correlator::Impl::parse(const decode::SipMessage& m, Parsed& p) {
  p.call_id = decode::trim(m.call_id());
  auto cseq = decode::parse_cseq(m.first(decode::HeaderId::CSeq));
  if (p.call_id.empty() || !cseq) return false;
  p.cseq = *cseq;
  p.method = method_of(m.is_request() ? m.method() : cseq->method);
  if (auto from = decode::parse_name_addr(decode::first_element(m.first(decode::HeaderId::From)))) {
    p.from = *from;
    p.from_tag = from->tag;
  }
  if (auto to = decode::parse_name_addr(decode::first_element(m.first(decode::HeaderId::To)))) {
    p.to = *to;
    p.to_tag = to->tag;
  }
  auto via = decode::parse_via(decode::first_element(m.first(decode::HeaderId::Via)));
  if (via) p.via = *via;
  return true;
}

OpenCall& Correlator::Impl::open(const Parsed& p, const decode::MessageMeta& meta,
                                 const decode::SipMessage& m) {
  if (calls.size() >= o.max_open_calls) evict_one(meta.frame);
  auto oc = std::make_unique<OpenCall>();
  Call& c = oc->call;
  c.index = ++next_index;
  c.call_id = std::string(p.call_id);
  c.start = c.last = meta.ts;
  c.first_frame = meta.frame;
  c.file = meta.file;
  c.transport = meta.transport;
  if (m.is_request()) {
    c.method = std::string(m.method());
    c.request_uri = std::string(m.request_uri());
    c.caller = meta.src;
    c.callee = meta.dst;
    c.caller_agent = std::string(decode::trim(m.first(decode::HeaderId::UserAgent)));
  } else {
    // The capture began after the request: the response tells us the rest.
    c.method = std::string(p.cseq.method);
    c.caller = meta.dst;
    c.callee = meta.src;
  }
  if (p.from) {
    c.from = std::string(p.from->uri.text);
    c.from_display = display_name(*p.from);
    c.from_tag = std::string(p.from->tag);
  }
  if (p.to) {
    c.to = std::string(p.to->uri.text);
    c.to_display = display_name(*p.to);
  }
  c.state = CallState::Setup;
  oc->group = std::make_shared<Group>(Group{c.call_id, c.start, {oc.get()}});
  auto& list = waits[static_cast<std::size_t>(Wait::Request)];
  oc->wait = Wait::Request;
  oc->position = list.insert(list.end(), oc.get());
  OpenCall& ref = *oc;
  calls.emplace(c.call_id, std::move(oc));
  self.peak_open_ = std::max(self.peak_open_, calls.size());
  linker.on_new_call(ref);
  return ref;
}

namespace {

// RFC 3261 §17.1.3 / §17.2.3: branch + sent-by + method. RFC 2543 peers have
// no magic cookie: fall back to CSeq, From tag and the whole top Via.
std::uint64_t transaction_key(const Parsed& p, const decode::SipMessage& m, Method method) {
  std::uint64_t key;
  if (p.via && p.via->rfc3261_branch()) {
    key = fnv(p.via->branch);
    key = fnv(p.via->host, key);
    key = fnv_u64(p.via->port, key);
  } else {
    key = fnv(p.from_tag);
    key = fnv_u64(p.cseq.number, key);
    key = fnv(decode::first_element(m.first(decode::HeaderId::Via)), key);
  }
  return fnv_u64(static_cast<std::uint64_t>(method), key);
}

Transaction* find_transaction(OpenCall& oc, std::uint64_t key) {
  for (auto& t : oc.transactions) {
    if (t.key == key) return &t;
  }
  return nullptr;
}

}  // namespace

Transaction& Correlator::Impl::transaction(OpenCall& oc, const Parsed& p,
                                           const decode::SipMessage& m, Timestamp ts,
                                           bool& created) {
  // An ACK matches the INVITE it acknowledges.
  Method m_key = p.method == Method::Ack ? Method::Invite : p.method;
  std::uint64_t key = transaction_key(p, m, m_key);
  Transaction* found = find_transaction(oc, key);
  if (found && p.method == Method::Ack && found->method == Method::Invite &&
      found->final_status >= 200 && found->final_status < 300) {
    // The ACK of a 2xx is a transaction of its own (RFC 3261 §17.1.1.1), even
    // when it matches the INVITE: RFC 2543 peers (no magic cookie, same CSeq
    // and top Via) or a UA reusing the INVITE's branch.
    key = transaction_key(p, m, Method::Ack);
    found = find_transaction(oc, key);
  }
  if (found) {
    created = false;
    return *found;
  }
  created = true;
  Transaction t;
  t.key = key;
  t.method = p.method == Method::Ack && !m.is_request() ? Method::Invite : p.method;
  t.cseq = p.cseq.number;
  t.created = ts;
  if (p.method == Method::Cancel) {
    // RFC 3261 §9.2: a CANCEL matches the INVITE with its branch and sent-by.
    t.cancels = transaction_key(p, m, Method::Invite);
  }
  oc.transactions.push_back(std::move(t));
  // Forget transactions that are long finished (a REGISTER Call-ID reused for hours).
  if (oc.transactions.size() > 64) {
    oc.transactions.erase(oc.transactions.begin(), oc.transactions.begin() + 32);
    return oc.transactions.back();
  }
  return oc.transactions.back();
}

void Correlator::Impl::handle(const decode::MessageMeta& meta, const decode::SipMessage& m) {
  if (meta.ts > now) now = meta.ts;
  expire();
  Parsed p;
  if (!parse(m, p)) {
    diag.skipped("uncorrelated_message", meta.frame);
    if (observer) observer->on_correlated(meta, m, Correlation{});
    return;
  }
  auto it = calls.find(p.call_id);
  OpenCall& oc = it != calls.end() ? *it->second : open(p, meta, m);
  Call& c = oc.call;
  ++c.messages;
  if (meta.ts > c.last) c.last = meta.ts;
  oc.seen = now;
  touch(oc);

  bool created = false;
  Transaction& t = transaction(oc, p, m, meta.ts, created);
  Repeat repeat = Repeat::First;
  if (m.is_request()) {
    bool is_ack_of_invite = p.method == Method::Ack && t.method == Method::Invite && !created;
    if (is_ack_of_invite && !t.ack_seen) {
      t.ack_seen = true;  // the ACK of a non-2xx final response: part of the INVITE transaction
    } else if (!created && t.request_seen) {
      repeat = repeat_of(t.request_last, meta.ts);
    }
    if (!is_ack_of_invite) {
      t.request_seen = true;
      t.request_src = meta.src;
    }
    t.request_last = meta.ts;
    if (created) t.initial = p.to_tag.empty();
  } else {
    std::uint64_t rkey = fnv(p.to_tag, fnv_u64(static_cast<std::uint64_t>(m.status()), 7));
    // RFC 3262 §3: each reliable provisional response carries a new RSeq, so
    // a second 183 with RSeq 2 is a new response, not the first one again.
    if (m.status() > 100 && m.status() < 200) {
      if (auto rseq = decode::parse_number(m.first(decode::HeaderId::RSeq), 0xFFFFFFFFu))
        rkey = fnv_u64(*rseq + 1, rkey);
    }
    auto seen = std::find_if(t.responses.begin(), t.responses.end(),
                             [&](const SeenResponse& r) { return r.key == rkey; });
    if (seen != t.responses.end()) {
      repeat = repeat_of(seen->last, meta.ts);
      seen->last = meta.ts;
    } else {
      t.responses.push_back(SeenResponse{rkey, meta.ts});
    }
  }
  if (repeat == Repeat::Retransmission) ++c.retransmissions;
  if (repeat == Repeat::Duplicate) ++c.duplicates;

  SdpRole role = SdpRole::None;
  std::string summary;
  if (repeat == Repeat::First)
    role = apply(oc, t, p, meta, m, o.keep_messages ? &summary : nullptr);

  if (o.keep_messages) {
    MessageRecord r;
    r.frame = meta.frame;
    r.file = meta.file;
    r.ts = meta.ts;
    r.src = meta.src;
    r.dst = meta.dst;
    r.transport = meta.transport;
    r.request = m.is_request();
    r.method = std::string(m.is_request() ? m.method() : p.cseq.method);
    r.status = m.status();
    r.reason = std::string(m.reason());
    r.cseq = p.cseq.number;
    r.to_tag = std::string(p.to_tag);
    r.repeat = repeat;
    r.sdp = role;
    r.sdp_summary = std::move(summary);
    r.raw = std::string(m.raw());
    c.history.push_back(std::move(r));
  }
  if (observer)
    observer->on_correlated(meta, m, Correlation{&c, repeat, role, t.initial && m.is_request()});
}

SdpRole Correlator::Impl::apply(OpenCall& oc, Transaction& t, const Parsed& p,
                                const decode::MessageMeta& meta, const decode::SipMessage& m,
                                std::string* sdp_summary) {
  Call& c = oc.call;
  // Requests from the first request's sender carry its From tag; responses carry the request's.
  bool from_caller = c.from_tag.empty() || p.from_tag == c.from_tag;
  Side side = m.is_request() ? (from_caller ? Side::Caller : Side::Callee)
                             : (from_caller ? Side::Callee : Side::Caller);
  if (m.is_request()) {
    request(oc, t, p, meta, m, side);
  } else {
    response(oc, t, p, meta, m);
  }
  return offer_answer(oc, t, p, m, side, sdp_summary);
}

void Correlator::Impl::request(OpenCall& oc, Transaction& t, const Parsed& p,
                               const decode::MessageMeta& meta, const decode::SipMessage& m,
                               Side side) {
  Call& c = oc.call;
  linker.on_request(oc, m);
  if (!p.from_tag.empty() && !p.to_tag.empty() && p.method != Method::Ack &&
      p.method != Method::Cancel) {
    in_dialog(oc, p, meta, m);
    // A subscription (not an INVITE's implicit one from REFER) ends with a
    // NOTIFY saying so; an unsubscribe (Expires: 0) once it is answered.
    if (c.method != "INVITE") {
      if (p.method == Method::Notify && subscription_terminated(m)) {
        end_subscription(oc, p, meta.ts);
      } else if (p.method == Method::Subscribe && expires_zero(m)) {
        if (Dialog* d = find_dialog(c, p.from_tag, p.to_tag)) d->state = SessionState::Terminating;
      }
    }
  }
  switch (p.method) {
    case Method::Invite:
      if (t.initial) {
        if (!c.invite) c.invite = meta.ts;
        if (!oc.answered_initial) {
          // A new attempt (re-sent with credentials after a 401/407, RFC 3261
          // §22.2): what the challenge decided no longer holds.
          c.state = CallState::Setup;
          c.status = 0;
          c.reason.clear();
          c.end.reset();
          set_wait(oc, Wait::Invite);
        }
      }
      break;
    case Method::Ack:
      if (t.method == Method::Ack && c.answer && !c.acked) {  // ACK of a 2xx: its own transaction
        c.acked = meta.ts;
        if (Dialog* d = find_dialog(c, p.from_tag, p.to_tag)) d->state = SessionState::Established;
      }
      break;
    case Method::Bye:
      if (!c.bye) {
        c.bye = meta.ts;
        c.hangup_by = side == Side::Caller ? "caller" : "callee";
      }
      if (auto reason = m.first(decode::HeaderId::Reason); !reason.empty()) {
        c.reason_header = std::string(reason);
        c.q850_cause = q850_cause(reason);
      }
      if (Dialog* d = find_dialog(c, p.from_tag, p.to_tag)) d->state = SessionState::Terminating;
      set_wait(oc, Wait::Request);
      break;
    case Method::Cancel:
      if (auto reason = m.first(decode::HeaderId::Reason); !reason.empty()) {
        c.reason_header = std::string(reason);
        c.q850_cause = q850_cause(reason);
      }
      break;
    case Method::Register:
      if (auto contact =
              decode::parse_name_addr(decode::first_element(m.first(decode::HeaderId::Contact)))) {
        c.contact = std::string(contact->uri.text);
      }
      if (auto e = decode::parse_number(m.first(decode::HeaderId::Expires), 0xFFFFFFFFu)) {
        c.expires = static_cast<std::uint32_t>(*e);
      }
      if (oc.wait != Wait::Idle) set_wait(oc, Wait::Request);
      c.state = CallState::Setup;
      break;
    default:
      if (t.initial && c.method == m.method() && oc.wait != Wait::Idle) {
        set_wait(oc, Wait::Request);
        c.state = CallState::Setup;
      }
      break;
  }
}

void Correlator::Impl::in_dialog(OpenCall& oc, const Parsed& p, const decode::MessageMeta& meta,
                                 const decode::SipMessage& m) {
  Call& c = oc.call;
  Dialog* d = find_dialog(c, p.from_tag, p.to_tag);
  if (d == nullptr) {
    // A request with both tags for a dialog never seen: the capture began
    // inside it, or missed the response that made it (RFC 3261 §12.2).
    d = add_dialog(c, p.from_tag, p.to_tag, meta.ts, diag, meta.frame);
    if (d == nullptr) return;
    if (c.invite && !oc.answered_initial) {
      d->state = SessionState::Establishing;  // e.g. a PRACK to an uncaptured 183
    } else {
      d->state = SessionState::Established;
      d->early = false;
      if (!c.invite && c.method == "INVITE" && c.state == CallState::Setup) {
        c.state = CallState::InCall;  // an INVITE dialog already up when the capture began
        oc.answered_initial = true;
        set_wait(oc, Wait::Idle);
      }
    }
  }
  if (p.method == Method::Bye) return;
  std::string_view method = m.method();
  auto it = d->requests.find(method);
  if (it != d->requests.end()) {
    ++it->second;
  } else if (d->requests.size() < kMaxDialogMethods) {
    d->requests.emplace(std::string(method), 1);
  } else {
    diag.limit("dialog_method_limit", meta.frame);
  }
}

void Correlator::Impl::end_subscription(OpenCall& oc, const Parsed& p, Timestamp ts) {
  Call& c = oc.call;
  Dialog* d = find_dialog(c, p.from_tag, p.to_tag);
  if (d == nullptr || d->state == SessionState::Terminated) return;
  d->state = SessionState::Terminated;
  d->terminated = ts;
  bool open = std::any_of(c.dialogs.begin(), c.dialogs.end(), [](const Dialog& other) {
    return other.state != SessionState::Terminated;
  });
  if (!open) {
    if (!c.end || *c.end < ts) c.end = ts;
    set_wait(oc, Wait::Linger);  // emitted after the linger, not at the idle timeout
  }
}

void Correlator::Impl::response(OpenCall& oc, Transaction& t, const Parsed& p,
                                const decode::MessageMeta& meta, const decode::SipMessage& m) {
  Call& c = oc.call;
  int status = m.status();
  if (status > 100 && c.callee_agent.empty()) {
    std::string_view agent = m.first(decode::HeaderId::Server);
    if (agent.empty()) agent = m.first(decode::HeaderId::UserAgent);
    c.callee_agent = std::string(decode::trim(agent));
  }
  if (status == 401 || status == 407) ++c.auth_challenges;
  if (status >= 200) t.final_status = status;
  auto note_reason_header = [&] {
    if (auto reason = m.first(decode::HeaderId::Reason); !reason.empty()) {
      c.reason_header = std::string(reason);
      c.q850_cause = q850_cause(reason);
    }
  };

  if (t.method == Method::Invite && t.initial) {
    Dialog* d = nullptr;
    if (!p.to_tag.empty()) {
      d = find_dialog(c, p.from_tag, p.to_tag);
      if (d == nullptr && status < 300) {
        d = add_dialog(c, p.from_tag, p.to_tag, meta.ts, diag, meta.frame);
        if (d) d->offer = oc.initial_offer;
      }
      // RFC 3261 §12.1: only 101-199 and 2xx with a To tag create a dialog; a
      // 100 may carry the tag (§8.2.6.2) but leaves the dialog Initial.
      if (d && status > 100 && d->state == SessionState::Initial)
        d->state = SessionState::Establishing;
    }
    if (status > 100 && status < 200) {
      if (status != 199 && !c.ringing) c.ringing = meta.ts;
      if (status == 199 && d) d->state = SessionState::Terminated;  // RFC 6228
      if (c.state == CallState::Setup) c.state = CallState::Ringing;
    } else if (status >= 200 && status < 300) {
      if (!c.answer) c.answer = meta.ts;
      oc.answered_initial = true;
      c.status = status;
      c.reason = std::string(m.reason());
      c.state = CallState::InCall;
      if (d) {
        d->early = false;
        d->confirmed = meta.ts;
        d->state = SessionState::Established;
        end_early_dialogs(c, meta.ts, d);  // the other forks lost
      }
      set_wait(oc, Wait::Idle);
    } else if (status >= 300 && !oc.answered_initial) {
      c.status = status;
      c.reason = std::string(m.reason());
      c.state = outcome_of(status);
      c.end = meta.ts;
      note_reason_header();
      end_early_dialogs(c, meta.ts);
      set_wait(oc, Wait::Linger);
    }
    return;
  }
  if (t.method == Method::Cancel && status >= 200 && status < 300 && !oc.answered_initial) {
    // The CANCEL was accepted: the INVITE it matches ends cancelled even when
    // its 487 is not captured (RFC 3261 §9.2).
    const Transaction* invite = find_transaction(oc, t.cancels);
    if (invite && invite->initial && invite->final_status == 0) {
      c.state = CallState::Cancelled;
      c.end = meta.ts;
      end_early_dialogs(c, meta.ts);
      set_wait(oc, Wait::Linger);
    }
    return;
  }
  if (t.method == Method::Subscribe && !t.initial && status >= 200 && c.method != "INVITE") {
    Dialog* d = find_dialog(c, p.from_tag, p.to_tag);
    if (d && (d->state == SessionState::Terminating || (status < 300 && expires_zero(m))))
      end_subscription(oc, p, meta.ts);
    return;
  }
  if (t.method == Method::Bye && status >= 200) {
    if (!c.end) c.end = meta.ts;
    c.state = CallState::Completed;
    if (Dialog* d = find_dialog(c, p.from_tag, p.to_tag)) {
      d->state = SessionState::Terminated;
      d->terminated = meta.ts;
    }
    end_early_dialogs(c, meta.ts);
    set_wait(oc, Wait::Linger);
    return;
  }
  if (t.initial && t.method != Method::Invite && status >= 200 && !oc.answered_initial &&
      c.method != "INVITE") {
    // The outcome of a REGISTER, OPTIONS, MESSAGE, SUBSCRIBE, ... exchange.
    c.status = status;
    c.reason = std::string(m.reason());
    c.state = outcome_of(status);
    c.end = meta.ts;
    if (status < 300 && t.method == Method::Register) {
      if (auto contact =
              decode::parse_name_addr(decode::first_element(m.first(decode::HeaderId::Contact)))) {
        c.contact = std::string(contact->uri.text);
        if (auto e = decode::find_param(contact->params, "expires")) {
          if (auto n = decode::parse_number(*e, 0xFFFFFFFFu))
            c.expires = static_cast<std::uint32_t>(*n);
        }
      }
    }
    bool subscription = status < 300 && creates_dialog(t.method);
    if (subscription && !p.to_tag.empty() && !find_dialog(c, p.from_tag, p.to_tag)) {
      if (Dialog* d = add_dialog(c, p.from_tag, p.to_tag, meta.ts, diag, meta.frame)) {
        d->state = SessionState::Established;
        d->early = false;
        d->confirmed = meta.ts;
      }
    }
    set_wait(oc, subscription ? Wait::Idle : Wait::Linger);
  }
}

SdpRole Correlator::Impl::offer_answer(OpenCall& oc, Transaction& t, const Parsed& p,
                                       const decode::SipMessage& m, Side side,
                                       std::string* sdp_summary) {
  Call& c = oc.call;
  // RFC 3959: an early-session part is its own offer/answer, for early media
  // only; the session's offer and answer are the other SDP.
  if (find_sdp_body(m, SdpDisposition::EarlySession)) {
    if (Dialog* d = find_dialog(c, p.from_tag, p.to_tag); d && d->early) d->early_media = true;
  }
  auto body = find_sdp_body(m);
  if (!body) return SdpRole::None;
  if (!decode::parse_sdp(*body, sdp)) {
    diag.warning("bad_sdp", 0);
    return SdpRole::None;
  }
  // RFC 3264 §4 / RFC 6337: the first SDP is an offer; the next one from the
  // other side answers it. Every SDP in the responses to an INVITE whose
  // request carried the offer is an answer (early media, several forks).
  SdpRole role;
  if (!m.is_request() && t.request_offer) {
    role = SdpRole::Answer;
    oc.offer_pending = Side::None;
  } else if (oc.offer_pending != Side::None && oc.offer_pending != side) {
    role = SdpRole::Answer;
    oc.offer_pending = Side::None;
  } else {
    role = SdpRole::Offer;
    oc.offer_pending = side;
    if (m.is_request()) t.request_offer = true;
  }
  std::vector<MediaInfo> media = media_of(sdp);
  if (sdp_summary) *sdp_summary = summarize_media(media);
  Dialog* d = find_dialog(c, p.from_tag, p.to_tag);
  if (d && d->early && m.status() > 100 && m.status() < 200) d->early_media = true;
  if (role == SdpRole::Offer) {
    if (d) {
      bool hold = puts_on_hold(sdp);
      if (hold && !d->on_hold) ++d->hold_events;
      d->on_hold = hold;
      d->offer = media;
    } else {
      oc.initial_offer = media;
    }
  } else if (d) {
    d->answer = media;
  }
  linker.on_media(oc, media);
  return role;
}

void Correlator::Impl::close(OpenCall& oc) {
  Call& c = oc.call;
  c.group = oc.group ? oc.group->id : c.call_id;
  linker.forget(oc);
  waits[static_cast<std::size_t>(oc.wait)].erase(oc.position);
  auto node = calls.extract(c.call_id);
  ++self.emitted_;
  sink.on_call(node.mapped()->call);
}

void Correlator::Impl::expire() {
  for (std::size_t w = 0; w < kWaitKinds; ++w) {
    auto& list = waits[w];
    std::int64_t limit = timeout(static_cast<Wait>(w));
    while (!list.empty() && now.ns - list.front()->seen.ns > limit) {
      OpenCall& oc = *list.front();
      Call& c = oc.call;
      switch (oc.wait) {
        case Wait::Linger:
          break;
        case Wait::Request:
          if (c.bye) {
            c.state = CallState::Completed;  // the BYE's response was not captured
            if (!c.end) c.end = *c.bye;
            // RFC 3261 §15.1.1: a BYE without response ends the dialog anyway.
            for (auto& d : c.dialogs) {
              if (d.state == SessionState::Terminating) {
                d.state = SessionState::Terminated;
                d.terminated = *c.bye;
              }
            }
          } else if (c.state == CallState::Setup || c.state == CallState::Ringing) {
            c.state = CallState::TimedOut;
            c.timed_out = true;
          }
          break;
        case Wait::Invite:
          c.state = CallState::TimedOut;
          c.timed_out = true;
          end_early_dialogs(c, c.last);  // Timer B
          diag.info("call_setup_timeout");
          break;
        case Wait::Idle:
          c.timed_out = true;
          diag.info("call_idle_timeout");
          break;
      }
      close(oc);
    }
  }
}

void Correlator::Impl::evict_one(std::uint64_t frame) {
  OpenCall* oldest = nullptr;
  for (auto& list : waits) {
    if (!list.empty() && (oldest == nullptr || list.front()->seen < oldest->seen)) {
      oldest = list.front();
    }
  }
  if (oldest == nullptr) return;
  diag.limit("open_call_limit", frame);
  oldest->call.evicted = true;
  close(*oldest);
}

Correlator::Correlator(CorrelatorOptions options, Diagnostics& diag, CallSink& sink,
                       MessageObserver* observer)
    : impl_(std::make_unique<Impl>(std::move(options), diag, sink, observer, *this)) {}

Correlator::~Correlator() = default;

void Correlator::on_message(const decode::MessageMeta& meta, const decode::SipMessage& msg) {
  impl_->handle(meta, msg);
}

void Correlator::advance(Timestamp now) {
  if (now > impl_->now) impl_->now = now;
  impl_->expire();
}

void Correlator::finish() {
  std::vector<OpenCall*> open;
  open.reserve(impl_->calls.size());
  for (auto& [id, oc] : impl_->calls)
    open.push_back(oc.get());
  std::sort(open.begin(), open.end(), [](const OpenCall* a, const OpenCall* b) {
    if (a->call.start != b->call.start) return a->call.start < b->call.start;
    return a->call.first_frame < b->call.first_frame;
  });
  for (OpenCall* oc : open)
    impl_->close(*oc);
}

std::size_t Correlator::open_calls() const noexcept {
  return impl_->calls.size();
}

}  // namespace sipflow::flows
