#pragma once
// Correlator: SIP messages in, transactions, dialogs and calls out.
//
// Streaming: a call is handed to the CallSink as soon as it is finished (plus
// a short linger for late retransmissions) and then freed, so memory is
// bounded by the calls that are open, never by the length of the capture.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sipflow/capture/diagnostics.hpp"
#include "sipflow/decode/extractor.hpp"
#include "sipflow/flows/call.hpp"

namespace sipflow::flows {

/// Which signals link the legs of one call through a B2BUA, SBC or PBX.
struct LinkOptions {
  bool headers = true;  ///< correlation headers carrying the other leg's Call-ID
  std::vector<std::string> header_names{"X-Call-ID", "X-CID", "X-Orig-Call-ID"};
  bool icid = true;          ///< P-Charging-Vector icid-value (RFC 7315)
  bool replaces = true;      ///< Replaces (RFC 3891) and Refer-To ...?Replaces=
  std::string callid_regex;  ///< ECMAScript regex; capture group 1 is the shared part ("" = off)
  bool sdp = true;           ///< the same SDP media address:port on two legs
  /// Open legs in one linked group, and links recorded per leg; beyond
  /// that a signal links nothing more (counted as link_limit). Real calls
  /// have a handful of legs; thousands sharing one icid is a flood.
  std::size_t max_legs = 64;
};

struct CorrelatorOptions {
  std::int64_t linger_ns = 4'000'000'000;  ///< keep finished calls for late retransmissions
  std::int64_t invite_timeout_ns = 180'000'000'000;  ///< INVITE without final response → timed_out
  std::int64_t request_timeout_ns = 32'000'000'000;  ///< other requests (Timer F, 64·T1)
  std::int64_t idle_timeout_ns =
      7'200'000'000'000;  ///< answered call with no message for this long
  std::int64_t duplicate_window_ns =
      10'000'000;                        ///< same message again within this = a capture duplicate
  std::size_t max_open_calls = 200'000;  ///< cap; the least recently active call is evicted
  bool keep_messages = false;            ///< fill Call::history (for ladders)
  LinkOptions link;
};

/// What the correlator decided about one message.
struct Correlation {
  const Call* call = nullptr;  ///< the call it belongs to (valid during the callback only)
  Repeat repeat = Repeat::First;
  SdpRole sdp = SdpRole::None;
  bool initial = false;  ///< a dialog-creating request outside any dialog (no To tag)
};

/// Receives each call when it is finished; `call` may be moved from.
class CallSink {
 public:
  virtual ~CallSink() = default;
  virtual void on_call(Call& call) = 0;
};

/// Optionally sees every message after correlation (statistics, live views).
class MessageObserver {
 public:
  virtual ~MessageObserver() = default;
  virtual void on_correlated(const decode::MessageMeta& meta, const decode::SipMessage& msg,
                             const Correlation& c) = 0;
};

class Correlator final : public decode::MessageSink {
 public:
  /// `diag`, `sink` and `observer` (optional) must outlive the correlator.
  Correlator(CorrelatorOptions options, Diagnostics& diag, CallSink& sink,
             MessageObserver* observer = nullptr);
  ~Correlator() override;
  Correlator(const Correlator&) = delete;
  Correlator& operator=(const Correlator&) = delete;

  void on_message(const decode::MessageMeta& meta, const decode::SipMessage& msg) override;
  /// Moves the clock (a live capture that is idle); finishes what expired.
  void advance(Timestamp now);
  /// End of input: hands over every call still open, in order of start.
  void finish();

  std::size_t open_calls() const noexcept;
  std::uint64_t calls_emitted() const noexcept { return emitted_; }
  std::size_t peak_open_calls() const noexcept { return peak_open_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint64_t emitted_ = 0;
  std::size_t peak_open_ = 0;
};

}  // namespace sipflow::flows
