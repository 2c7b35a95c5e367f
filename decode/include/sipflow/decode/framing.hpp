#pragma once
// Framing SIP messages in a byte stream (RFC 3261 §18.3): the headers end at
// the first empty line, the body is Content-Length bytes after it.
//
// Same contract as picohttpparser: look at a borrowed buffer, allocate
// nothing, and answer "complete, n bytes" / "need more" / "invalid".

#include <cstddef>
#include <string_view>

#include "sipflow/capture/result.hpp"

namespace sipflow::decode {

enum class FrameStatus : unsigned char { Complete, NeedMore, Invalid };

struct FrameResult {
  FrameStatus status = FrameStatus::NeedMore;
  std::size_t length = 0;  ///< Complete: bytes of the first message (headers + body);
                           ///< NeedMore: the same once the headers are complete, else 0
  Error error{};           ///< Invalid: why (bad_content_length, message_too_large)
};

/// Frames the message at the start of `bytes` (which must begin with its
/// start line). A missing Content-Length means an empty body, as a stream
/// transport requires the header. A message whose headers or declared size
/// exceed `max_message` bytes is Invalid.
FrameResult frame_message(std::string_view bytes, std::size_t max_message) noexcept;

/// Offset of the first line in `bytes` (at index 0 or after an LF) that
/// looks like a SIP start line, or npos. Used to resynchronise after a gap.
std::size_t find_start_line(std::string_view bytes) noexcept;

}  // namespace sipflow::decode
