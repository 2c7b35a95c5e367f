#include "relay.hpp"

namespace sipflow::cli {
namespace {

// Enough to ride out a burst of small messages; each slot keeps the buffers
// of the last message it carried, so the ring costs about 512 × a typical
// message once warm.
constexpr std::size_t kSlots = 512;
// A slot that carried a larger message gives its buffers back: a capture of
// 1 MB messages must not leave the ring holding half a gigabyte.
constexpr std::size_t kKeepBytes = 64 * 1024;
// Messages queued before a sleeping worker is woken.
constexpr std::size_t kWakeBatch = 32;

// Waits until `counter` is no longer `seen`: a short spin, then sleep with
// `waiting` set (and `counter` checked again after it, so no wake-up is lost).
void await_change(const std::atomic<std::uint64_t>& counter, std::uint64_t seen,
                  std::atomic<bool>& waiting) {
  for (int i = 0; i < 256; ++i) {
    if (counter.load(std::memory_order_acquire) != seen) return;
  }
  waiting.store(true, std::memory_order_seq_cst);
  while (counter.load(std::memory_order_seq_cst) == seen)
    counter.wait(seen, std::memory_order_acquire);
  waiting.store(false, std::memory_order_relaxed);
}

// Advances `counter` and wakes the other side if it sleeps on it and `wake`
// says there is enough to do: waking per slot would cost a futex call each.
void advance(std::atomic<std::uint64_t>& counter, std::atomic<bool>& waiting, bool wake) {
  counter.fetch_add(1, std::memory_order_seq_cst);
  if (wake && waiting.load(std::memory_order_seq_cst)) counter.notify_one();
}

}  // namespace

Relay::Relay(RelayTargets targets) : targets_(std::move(targets)), ring_(kSlots) {
  worker_ = std::thread([this] { work(); });
}

Relay::~Relay() {
  try {
    finish();
  } catch (...) {  // NOLINT(bugprone-empty-catch): already failing; finish() was not called
  }
}

Relay::Item& Relay::claim() {
  std::uint64_t head = head_.load(std::memory_order_relaxed);
  for (;;) {
    std::uint64_t tail = tail_.load(std::memory_order_acquire);
    if (head - tail < ring_.size()) return ring_[head % ring_.size()];
    await_change(tail_, tail, reader_waiting_);
  }
}

void Relay::publish() {
  // The worker wakes for a batch, or at once for anything but a message (a
  // live capture's idle tick included, so a quiet network still shows its
  // messages).
  std::uint64_t head = head_.load(std::memory_order_relaxed);
  bool message = ring_[head % ring_.size()].kind == Kind::Message;
  std::uint64_t queued = head + 1 - tail_.load(std::memory_order_relaxed);
  advance(head_, worker_waiting_, !message || queued >= kWakeBatch);
}

void Relay::on_message(const decode::MessageMeta& meta, const decode::SipMessage& msg) {
  Item& it = claim();
  it.kind = Kind::Message;
  it.meta = meta;
  it.msg = msg;  // reuses the slot's buffers: no allocation once warm
  publish();
}

void Relay::on_unparseable(const decode::MessageMeta& meta, std::string_view bytes, Error error) {
  Item& it = claim();
  it.kind = Kind::Unparseable;
  it.meta = meta;
  it.text.assign(bytes);
  it.error = error;
  publish();
}

void Relay::on_encrypted(const capture::EncryptedConversation& conversation) {
  Item& it = claim();
  it.kind = Kind::Encrypted;
  it.conversation = conversation;
  publish();
}

void Relay::error(const std::string& text) {
  Item& it = claim();
  it.kind = Kind::Error;
  it.text = text;
  publish();
}

void Relay::file(std::uint32_t index, const std::string& name) {
  Item& it = claim();
  it.kind = Kind::File;
  it.meta.file = index;
  it.text = name;
  publish();
}

void Relay::idle(Timestamp now) {
  Item& it = claim();
  it.kind = Kind::Idle;
  it.ts = now;
  publish();
}

void Relay::finish() {
  if (finished_) return;
  finished_ = true;
  claim().kind = Kind::Stop;
  publish();
  worker_.join();
  if (exception_) std::rethrow_exception(exception_);
}

void Relay::deliver(Item& it) {
  switch (it.kind) {
    case Kind::Message:
      targets_.sink.on_message(it.meta, it.msg);
      break;
    case Kind::Unparseable:
      targets_.sink.on_unparseable(it.meta, it.text, it.error);
      break;
    case Kind::Encrypted:
      if (targets_.conversations != nullptr) targets_.conversations->on_encrypted(it.conversation);
      break;
    case Kind::Error:
      if (targets_.report_error) targets_.report_error(it.text);
      break;
    case Kind::File:
      if (targets_.on_file) targets_.on_file(it.meta.file, it.text);
      break;
    case Kind::Idle:
      if (targets_.on_idle) targets_.on_idle(it.ts);
      break;
    case Kind::Stop:
      break;
  }
}

void Relay::work() {
  for (;;) {
    std::uint64_t tail = tail_.load(std::memory_order_relaxed);
    std::uint64_t head = head_.load(std::memory_order_acquire);
    if (tail == head) {
      await_change(head_, head, worker_waiting_);
      continue;
    }
    Item& it = ring_[tail % ring_.size()];
    bool stop = it.kind == Kind::Stop;
    // After a failure the rest is drained undelivered, so the reader never
    // waits on a full ring.
    if (!stop && !failed_.load(std::memory_order_relaxed)) {
      try {
        deliver(it);
      } catch (...) {
        exception_ = std::current_exception();
        failed_.store(true, std::memory_order_relaxed);
      }
    }
    if (it.msg.raw().size() > kKeepBytes) it.msg = decode::SipMessage{};
    if (it.text.size() > kKeepBytes) std::string().swap(it.text);
    // The reader wakes once half the ring is free again.
    advance(tail_, reader_waiting_,
            head_.load(std::memory_order_relaxed) - (tail + 1) <= ring_.size() / 2);
    if (stop) return;
  }
}

}  // namespace sipflow::cli
