#include "sipflow/decode/framing.hpp"

#include <cstring>

#include "sipflow/decode/chars.hpp"
#include "sipflow/decode/grammar.hpp"
#include "sipflow/decode/header_id.hpp"
#include "sipflow/decode/sip_message.hpp"

namespace sipflow::decode {

FrameResult frame_message(std::string_view b, std::size_t max_message) noexcept {
  // Walk the header lines; the first empty line ends them.
  std::size_t pos = 0;
  std::size_t content_length = 0;
  bool first_line = true;
  for (;;) {
    const void* nl = std::memchr(b.data() + pos, '\n', b.size() - pos);
    if (nl == nullptr) {
      if (b.size() > max_message) return {FrameStatus::Invalid, 0, {"message_too_large", 0}};
      return {FrameStatus::NeedMore, 0, {}};
    }
    std::size_t end = static_cast<std::size_t>(static_cast<const char*>(nl) - b.data());
    std::string_view line = b.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::size_t line_start = pos;
    pos = end + 1;
    if (line.empty() && !first_line) break;
    if (!first_line && !line.empty() && !is(line[0], kSpace)) {
      std::size_t colon = line.find(':');
      if (colon != std::string_view::npos &&
          lookup_header(trim(line.substr(0, colon))) == HeaderId::ContentLength) {
        auto n = parse_number(line.substr(colon + 1), 0xFFFFFFFFu);
        if (!n) {
          return {FrameStatus::Invalid,
                  0,
                  {"bad_content_length", static_cast<std::uint32_t>(line_start)}};
        }
        if (*n > max_message) return {FrameStatus::Invalid, 0, {"message_too_large", 0}};
        content_length = static_cast<std::size_t>(*n);
      }
    }
    first_line = false;
    if (pos > max_message) return {FrameStatus::Invalid, 0, {"message_too_large", 0}};
  }
  std::size_t total = pos + content_length;
  if (total > max_message) return {FrameStatus::Invalid, 0, {"message_too_large", 0}};
  if (b.size() < total) return {FrameStatus::NeedMore, total, {}};
  return {FrameStatus::Complete, total, {}};
}

std::size_t find_start_line(std::string_view b) noexcept {
  std::size_t pos = 0;
  while (pos < b.size()) {
    if (looks_like_sip(b.substr(pos, 2048))) return pos;
    const void* nl = std::memchr(b.data() + pos, '\n', b.size() - pos);
    if (nl == nullptr) break;
    pos = static_cast<std::size_t>(static_cast<const char*>(nl) - b.data()) + 1;
  }
  return std::string_view::npos;
}

}  // namespace sipflow::decode
