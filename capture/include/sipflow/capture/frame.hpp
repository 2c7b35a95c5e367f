#pragma once
// Frame and PacketSource: where packets come from (files, live interfaces).

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "sipflow/capture/timestamp.hpp"

namespace sipflow::capture {

/// One captured link-layer frame. `data` is borrowed from the source and valid
/// only until the source's next call to next().
struct Frame {
  std::uint64_t number = 0;     ///< 1-based position in its file, as tshark numbers frames
  Timestamp ts;                 ///< capture time
  std::uint32_t linktype = 0;   ///< LINKTYPE_* value of the interface it came from
  std::uint32_t wire_len = 0;   ///< original length on the wire (>= data.size())
  std::uint32_t interface = 0;  ///< pcapng interface id (0 for pcap and live)
  std::span<const std::uint8_t> data;
};

enum class ReadStatus : std::uint8_t {
  Frame,  ///< `out` holds the next frame
  Idle,   ///< live source: nothing arrived within the poll interval; `out.ts` is now
  End,    ///< no more frames (end of file, or a live capture was stopped)
  Error,  ///< the source failed; error() says why; no more frames
};

/// Kernel/driver counters of a live capture (pcap_stats).
struct LiveStats {
  std::uint64_t received = 0;
  std::uint64_t dropped_by_kernel = 0;
  std::uint64_t dropped_by_interface = 0;
};

/// A stream of frames. Not thread-safe.
class PacketSource {
 public:
  virtual ~PacketSource() = default;
  /// Reads the next frame into `out` (borrowed bytes, see Frame).
  virtual ReadStatus next(Frame& out) = 0;
  /// Why the last next() returned Error ("" otherwise).
  virtual std::string_view error() const = 0;
  /// What this source reads: a path, "-" or an interface name.
  virtual std::string_view name() const = 0;
  /// Live sources: the kernel's counters so far. Files: nullopt.
  virtual std::optional<LiveStats> live_stats() const { return std::nullopt; }
};

/// The input cannot be used at all (missing file, not a capture, bad
/// interface). Thrown by the open functions; the CLI reports it and exits 2.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace sipflow::capture
