#pragma once
// Live capture from a network interface through libpcap.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "sipflow/capture/frame.hpp"

namespace sipflow::capture {

struct LiveOptions {
  std::string interface;   ///< e.g. "eth0", "any", "lo"
  std::string bpf_filter;  ///< optional capture filter (pcap-filter(7) syntax)
  int snaplen = 262144;    ///< bytes kept per packet
  bool promiscuous = true;
  bool immediate = true;  ///< deliver packets as they arrive (no kernel batching)
  int poll_ms = 200;      ///< how often next() returns Idle when nothing arrives
  int buffer_mib = 16;    ///< kernel ring buffer size
};

/// Opens a live capture. Throws InputError with a clear message when the
/// interface does not exist, privileges are missing (with how to grant them),
/// or the filter does not compile. next() returns End once `*stop` becomes
/// true (set it from a signal handler), after delivering what was buffered.
/// `stop` must outlive the source.
std::unique_ptr<PacketSource> open_live(const LiveOptions& options, const std::atomic<bool>* stop);

}  // namespace sipflow::capture
