#pragma once
// SDP bodies as flows see them: where the media goes and with which codecs.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sipflow/decode/sdp.hpp"
#include "sipflow/decode/sip_message.hpp"
#include "sipflow/flows/call.hpp"

namespace sipflow::flows {

/// What an SDP body is for (RFC 3959 Content-Disposition).
enum class SdpDisposition : std::uint8_t {
  Session,       ///< "session", or no Content-Disposition: the offer/answer of the session
  EarlySession,  ///< "early-session": early media only, a separate offer/answer
};

/// The SDP carried by `m` with disposition `want`: its body when Content-Type
/// is application/sdp, or the first application/sdp part of a multipart body
/// (RFC 2046 §5.1) whose Content-Disposition matches. Borrowed from `m`.
/// nullopt when there is none.
std::optional<std::string_view> find_sdp_body(const decode::SipMessage& m,
                                              SdpDisposition want = SdpDisposition::Session);

/// One MediaInfo per m= line with a non-zero port.
std::vector<MediaInfo> media_of(const decode::Sdp& sdp);

/// "PCMU,PCMA 10.0.0.1:4000" — audio first, for one-line summaries.
std::string summarize_media(const std::vector<MediaInfo>& media);

/// True when every active stream is sendonly/inactive or uses c=0.0.0.0.
bool puts_on_hold(const decode::Sdp& sdp);

}  // namespace sipflow::flows
