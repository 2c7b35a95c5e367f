// flows::Correlator fed a sequence of SIP messages from fuzzer data.
//
// Input layout: segments separated by the byte 0x1E (ASCII record separator).
//   segment 0:  options; byte 0 bits 0-2 = max_open_calls - 1 (bit 3 set:
//               the default cap), bit 4 = keep_messages, bit 5 = no SDP
//               linking, bit 6 = a Call-ID regex linker
//   segment n:  one meta byte, then one SIP message (message_input.hpp).
//
// Invariants: no crash, leak or hang; every call is handed over exactly
// once and nothing stays open after finish(); the counters and times of a
// call are consistent.

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "message_input.hpp"
#include "sipflow/decode/sip_message.hpp"
#include "sipflow/flows/correlator.hpp"

namespace {

using namespace sipflow;
using fuzz::touch;

void touch_media(const std::vector<flows::MediaInfo>& media) {
  for (const auto& m : media) {
    touch(m.address);
    touch(m.type);
    touch(m.codecs);
    touch(m.direction);
  }
}

struct CheckingSink final : flows::CallSink {
  std::uint64_t calls = 0;
  void on_call(flows::Call& c) override {
    ++calls;
    SIPFLOW_FUZZ_CHECK(!c.call_id.empty());
    for (const std::string* s :
         {&c.call_id, &c.method, &c.from, &c.from_display, &c.to, &c.to_display, &c.request_uri,
          &c.from_tag, &c.caller_agent, &c.callee_agent, &c.reason, &c.reason_header, &c.hangup_by,
          &c.group, &c.contact})
      touch(*s);
    (void)c.caller.to_string();
    (void)c.callee.to_string();
    SIPFLOW_FUZZ_CHECK(c.start <= c.last);
    SIPFLOW_FUZZ_CHECK(c.messages >= 1);
    SIPFLOW_FUZZ_CHECK(std::uint64_t{c.retransmissions} + c.duplicates < c.messages);
    SIPFLOW_FUZZ_CHECK(c.auth_challenges <= c.messages);
    SIPFLOW_FUZZ_CHECK(!c.group.empty());
    SIPFLOW_FUZZ_CHECK(c.status == 0 || (c.status >= 100 && c.status <= 699));
    for (auto t : {c.invite, c.ringing, c.answer, c.acked, c.bye, c.end}) {
      if (t) SIPFLOW_FUZZ_CHECK(*t >= c.start && *t <= c.last);
    }
    (void)c.post_dial_delay();
    (void)c.time_to_answer();
    (void)c.setup_time();
    (void)c.talk_duration();
    for (const auto& d : c.dialogs) {
      touch(d.from_tag);
      touch(d.to_tag);
      touch_media(d.offer);
      touch_media(d.answer);
      SIPFLOW_FUZZ_CHECK(d.hold_events >= 0);
    }
    for (const auto& l : c.links) {
      SIPFLOW_FUZZ_CHECK(!l.call_id.empty() && l.call_id != c.call_id);
      touch(l.signal);
    }
    for (const auto& r : c.history) {
      touch(r.method);
      touch(r.reason);
      touch(r.sdp_summary);
      touch(r.raw);
    }
    SIPFLOW_FUZZ_CHECK(c.history.empty() || c.history.size() == c.messages);
  }
};

struct CheckingObserver final : flows::MessageObserver {
  void on_correlated(const decode::MessageMeta& meta, const decode::SipMessage& msg,
                     const flows::Correlation& c) override {
    (void)meta;
    (void)msg;
    if (c.call) touch(c.call->call_id);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::ExactCopy input(data, size);
  fuzz::Segments segments(input.view());
  std::string_view opts = segments.next();
  flows::CorrelatorOptions options;
  if (!opts.empty()) {
    auto b = static_cast<std::uint8_t>(opts[0]);
    if (!(b & 0x08)) options.max_open_calls = (b & 7u) + 1u;
    options.keep_messages = (b & 0x10) != 0;
    options.link.sdp = (b & 0x20) == 0;
    if (b & 0x40) options.link.callid_regex = "^([0-9a-f]+)[-@]";
  }

  Diagnostics diag;
  CheckingSink sink;
  CheckingObserver observer;
  flows::Correlator correlator(options, diag, sink, &observer);

  fuzz::feed_messages(segments, correlator, [&] {
    SIPFLOW_FUZZ_CHECK(correlator.open_calls() <= options.max_open_calls);
  });
  correlator.finish();
  SIPFLOW_FUZZ_CHECK(correlator.open_calls() == 0);
  SIPFLOW_FUZZ_CHECK(correlator.calls_emitted() == sink.calls);
  return 0;
}
