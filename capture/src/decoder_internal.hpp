#pragma once
// What packet_decoder.cpp and tunnels.cpp share: protocol numbers and the
// per-frame decoding context.

#include <cstdint>

#include "sipflow/capture/packet_decoder.hpp"

namespace sipflow::capture::detail {

// LINKTYPE_* values (https://www.tcpdump.org/linktypes.html) and the DLT_
// numbers some writers put in files instead.
enum Linktype : std::uint32_t {
  kNull = 0,
  kEthernet = 1,
  kRawDlt12 = 12,
  kRawDlt14 = 14,
  kRaw = 101,
  kLoop = 108,
  kLinuxSll = 113,
  kIpv4 = 228,
  kIpv6 = 229,
  kLinuxSll2 = 276,
};

enum EtherType : std::uint16_t {
  kEthIpv4 = 0x0800,
  kEthIpv6 = 0x86DD,
  kEthVlan = 0x8100,
  kEthQinQ = 0x88A8,
  kEthQinQOld = 0x9100,
  kEthMpls = 0x8847,
  kEthMplsMulticast = 0x8848,
  kEthTransparentBridging = 0x6558,  // GRE carrying Ethernet (NVGRE, gretap)
  kEthErspan2 = 0x88BE,
  kEthErspan3 = 0x22EB,
};

enum IpProto : std::uint8_t {
  kIpHopByHop = 0,
  kIpInIp = 4,
  kTcp = 6,
  kUdp = 17,
  kIpv6InIp = 41,
  kIpv6Routing = 43,
  kIpv6Fragment = 44,
  kGre = 47,
  kAh = 51,
  kIpv6NoNext = 59,
  kIpv6DestOpts = 60,
  kSctp = 132,
  kIpv6Mobility = 135,
  kIpv6Hip = 139,
  kIpv6Shim6 = 140,
};

}  // namespace sipflow::capture::detail

namespace sipflow::capture {

struct PacketDecoder::Context {
  const Frame& frame;
  PayloadSink& sink;
  int depth = 0;
  bool truncated = false;
};

}  // namespace sipflow::capture
