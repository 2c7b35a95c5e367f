#pragma once
// The pipeline on two cores. The reading thread runs capture and decode
// (read, link layers, reassembly, SIP parsing); a second thread runs
// everything that reaches the command (correlation, statistics, printing),
// in the order the reading thread produced it.
//
//   reader ── on_message / on_unparseable / on_encrypted / error / file / idle ──▶ ring ──▶ worker
//   ──▶ Targets
//
// Only the ring is shared. Every callback into command code happens on the
// worker, so commands stay single-threaded; the reading side counts into its
// own Diagnostics, merged by the caller after finish().

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "sipflow/capture/conversation.hpp"
#include "sipflow/decode/extractor.hpp"
#include "sipflow/decode/sip_message.hpp"

namespace sipflow::cli {

/// Where the worker delivers what the reader produced.
struct RelayTargets {
  decode::MessageSink& sink;
  capture::ConversationSink* conversations = nullptr;
  std::function<void(const std::string&)> report_error;
  std::function<void(std::uint32_t, const std::string&)> on_file;
  std::function<void(Timestamp)> on_idle;
};

/// Hands messages and events from the reading thread to a worker thread
/// through a bounded ring (the reader waits when it is full). Each call
/// copies what it is given: nothing borrowed outlives the call.
class Relay final : public decode::MessageSink, public capture::ConversationSink {
 public:
  explicit Relay(RelayTargets targets);
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;
  /// Finishes (see finish()) if not done yet, dropping any exception.
  ~Relay() override;

  void on_message(const decode::MessageMeta& meta, const decode::SipMessage& msg) override;
  void on_unparseable(const decode::MessageMeta& meta, std::string_view bytes,
                      Error error) override;
  void on_encrypted(const capture::EncryptedConversation& conversation) override;
  void error(const std::string& text);
  void file(std::uint32_t index, const std::string& name);
  void idle(Timestamp now);

  /// True once the worker has failed (its exception is rethrown by finish()):
  /// the reader should stop.
  bool failed() const noexcept { return failed_.load(std::memory_order_relaxed); }
  /// Delivers everything queued, stops the worker and rethrows the first
  /// exception a target threw on it.
  void finish();

 private:
  enum class Kind : std::uint8_t { Message, Unparseable, Encrypted, Error, File, Idle, Stop };
  struct Item {
    Kind kind = Kind::Message;
    decode::MessageMeta meta;
    decode::SipMessage msg;  // Message
    std::string text;        // Unparseable bytes, Error text, File name
    Error error;             // Unparseable
    capture::EncryptedConversation conversation;
    Timestamp ts;  // Idle
  };
  Item& claim();  // the next free slot, waiting while the ring is full
  void publish();
  void work();
  void deliver(Item& item);

  RelayTargets targets_;
  std::vector<Item> ring_;
  // Written by one side each; a slot belongs to the reader while
  // head - tail < size, to the worker once published.
  alignas(64) std::atomic<std::uint64_t> head_{0};  // slots published by the reader
  alignas(64) std::atomic<std::uint64_t> tail_{0};  // slots given back by the worker
  // Set by a side before it sleeps; the other side wakes it only then, so a
  // busy pipeline makes no futex calls.
  alignas(64) std::atomic<bool> reader_waiting_{false};
  alignas(64) std::atomic<bool> worker_waiting_{false};
  std::atomic<bool> failed_{false};
  std::exception_ptr exception_;
  std::thread worker_;
  bool finished_ = false;
};

}  // namespace sipflow::cli
