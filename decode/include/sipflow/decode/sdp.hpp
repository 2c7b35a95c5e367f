#pragma once
// SDP session descriptions (RFC 8866, formerly 4566) as carried in SIP bodies.

#include <cstdint>
#include <string_view>
#include <vector>

#include "sipflow/capture/result.hpp"

namespace sipflow::decode {

enum class MediaDirection : std::uint8_t { SendRecv, SendOnly, RecvOnly, Inactive };

/// "sendrecv", "sendonly", "recvonly", "inactive".
std::string_view to_string(MediaDirection d) noexcept;

struct SdpRtpmap {
  std::size_t media = 0;  ///< index into Sdp::media
  int payload_type = 0;
  std::string_view encoding;  ///< "PCMU", "opus", "telephone-event"
  std::uint32_t clock_rate = 0;
  std::string_view channels;  ///< "" when absent
};

struct SdpFmtp {
  std::size_t media = 0;
  int payload_type = 0;
  std::string_view params;
};

struct SdpMedia {
  std::string_view type;     ///< "audio", "video", "image", "application"
  std::uint16_t port = 0;    ///< 0 = stream rejected or disabled
  std::string_view proto;    ///< "RTP/AVP", "RTP/SAVP", "udptl", ...
  std::string_view formats;  ///< payload types as written: "0 8 101"
  std::string_view address;  ///< effective connection address (media c=, else session c=)
  MediaDirection direction = MediaDirection::SendRecv;  ///< effective (media attr, else session)
  bool own_connection = false;  ///< the address came from this media's own c= line
  bool own_direction = false;   ///< the direction came from this media's own attribute
};

/// A parsed description; every view borrows from the body it was parsed from.
struct Sdp {
  std::string_view origin_user;
  std::string_view session_id;
  std::string_view session_version;
  std::string_view origin_address;
  std::string_view session_name;
  std::string_view connection_address;                  ///< session-level c=, "" when absent
  MediaDirection direction = MediaDirection::SendRecv;  ///< session-level attribute
  std::vector<SdpMedia> media;
  std::vector<SdpRtpmap> rtpmaps;  ///< of all media, in order
  std::vector<SdpFmtp> fmtps;

  /// Codec name of payload type `pt` in media `m`: its rtpmap, else the RFC
  /// 3551 static name ("PCMU" for 0), else "".
  std::string_view codec(std::size_t m, int pt) const noexcept;
  /// True when media `m` is on hold: sendonly/inactive, or c=0.0.0.0 (RFC 2543).
  bool on_hold(std::size_t m) const noexcept;
};

/// Parses `body`, reusing `out`'s vectors. Errors: not_sdp (no v= line first),
/// bad_sdp_line (a line that is not "x=value"), bad_sdp_media.
Status parse_sdp(std::string_view body, Sdp& out);

}  // namespace sipflow::decode
