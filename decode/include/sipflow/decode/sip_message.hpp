#pragma once
// SipMessage: one parsed SIP request or response (RFC 3261 §7).
//
// Layout of the owned copy; every view handed out points into it:
//
//   raw_:  [start-line CRLF][header CRLF]...[CRLF][body]
//           ^start_line_    ^fields_[i]          ^body_
//   unfolded_: values of folded header lines, with each CRLF+WSP run
//              replaced by one SP (RFC 3261 §7.3.1)

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sipflow/capture/result.hpp"
#include "sipflow/decode/header_id.hpp"

namespace sipflow::decode {

/// A range inside a message's own buffer: offsets survive moves of the owner.
struct Slice {
  std::uint32_t off = 0;
  std::uint32_t len = 0;
};

/// One header line, in wire order; duplicates are kept.
struct HeaderField {
  HeaderId id = HeaderId::Unknown;
  bool unfolded = false;  ///< value lives in the unfolded buffer
  Slice name;
  Slice value;  ///< trimmed of surrounding whitespace
};

struct ParseOptions {
  std::size_t max_message_bytes = 1u << 20;  ///< longer input is rejected (message_too_large)
  std::size_t max_headers = 512;             ///< more header lines is rejected (too_many_headers)
  /// The input is a prefix of the real message (the capture cut it short):
  /// a body shorter than Content-Length is accepted and flagged.
  bool truncated_input = false;
};

/// Non-fatal oddities found while parsing; the message is still usable.
struct ParseNotes {
  bool missing_blank_line = false;  ///< the headers ran to the end of the input
  bool bare_lf = false;             ///< lines ended with LF instead of CRLF
  bool trailing_bytes = false;      ///< bytes after the body (Content-Length) were ignored
  bool body_truncated = false;      ///< fewer body bytes than Content-Length (truncated input)
  bool no_content_length = false;   ///< body taken to the end of the input
};

class SipMessage {
 public:
  enum class Kind : std::uint8_t { Request, Response };

  /// Parses one complete message, copying `bytes` once. Leading CRLFs are
  /// skipped (RFC 3261 §7.5). The body is what Content-Length says; without
  /// it, the rest of the input. Errors: empty_message, bad_start_line,
  /// bad_method, bad_request_uri, bad_version, bad_status_code,
  /// bad_header_line, bad_content_length, multiple_content_length,
  /// content_length_exceeds_body, too_many_headers, message_too_large.
  [[nodiscard]] static Result<SipMessage> parse(std::string_view bytes,
                                                const ParseOptions& options = {});
  /// Same as parse(), reusing this object's buffers (no allocation once warm).
  /// On error the object is left empty.
  [[nodiscard]] Status assign(std::string_view bytes, const ParseOptions& options = {});

  Kind kind() const noexcept { return kind_; }
  bool is_request() const noexcept { return kind_ == Kind::Request; }
  /// Request method as written ("INVITE"); "" for responses.
  std::string_view method() const noexcept { return view(method_); }
  std::string_view request_uri() const noexcept { return view(uri_); }
  std::string_view version() const noexcept { return view(version_); }
  /// Status code (100..699) of a response; 0 for requests.
  int status() const noexcept { return status_; }
  std::string_view reason() const noexcept { return view(reason_); }

  std::span<const HeaderField> fields() const noexcept { return fields_; }
  std::string_view name(const HeaderField& f) const noexcept { return view(f.name); }
  std::string_view value(const HeaderField& f) const noexcept {
    return f.unfolded ? std::string_view(unfolded_).substr(f.value.off, f.value.len)
                      : view(f.value);
  }
  /// Value of the first header with this id; "" when absent. Never inserts.
  std::string_view first(HeaderId id) const noexcept;
  /// Value of the first header with this name (any spelling, compact forms
  /// included, or an extension name such as "X-Call-ID"); "" when absent.
  std::string_view first(std::string_view name) const noexcept;
  bool has(HeaderId id) const noexcept { return first_[static_cast<std::size_t>(id)] != 0; }
  /// Number of header lines with this id.
  std::size_t count(HeaderId id) const noexcept;

  /// Calls `f(value)` for each header line with this id, in wire order.
  template <class F>
  void for_each(HeaderId id, F&& f) const {
    for (const auto& h : fields_) {
      if (h.id == id) f(value(h));
    }
  }

  std::string_view call_id() const noexcept { return first(HeaderId::CallId); }
  std::string_view start_line() const noexcept { return view(start_line_); }
  std::string_view body() const noexcept { return view(body_); }
  /// The whole message as parsed (start line to end of body).
  std::string_view raw() const noexcept { return raw_; }
  /// Content-Length as declared (or the body size when the header is absent).
  std::uint32_t content_length() const noexcept { return content_length_; }
  const ParseNotes& notes() const noexcept { return notes_; }

 private:
  std::string_view view(Slice s) const noexcept {
    return std::string_view(raw_).substr(s.off, s.len);
  }
  void clear() noexcept;
  Status parse_start_line(std::string_view line, std::uint32_t off);
  Status parse_headers(std::size_t& pos, const ParseOptions& options);
  Status parse_body(std::size_t pos, std::size_t input_size, const ParseOptions& options);

  std::string raw_;
  std::string unfolded_;
  std::vector<HeaderField> fields_;
  std::array<std::uint16_t, kHeaderIdCount> first_{};  // 1-based index into fields_; 0 = absent
  Kind kind_ = Kind::Request;
  int status_ = 0;
  Slice start_line_, method_, uri_, version_, reason_, body_;
  std::uint32_t content_length_ = 0;
  ParseNotes notes_;
};

/// True when `bytes` starts (after optional CRLFs) like a SIP message: a
/// request line "METHOD SP URI SP SIP/x.y" or a status line "SIP/x.y SP
/// 3DIGIT". Cheap enough to call on every UDP datagram on every port.
bool looks_like_sip(std::string_view bytes) noexcept;

/// True for the RFC 5626 §3.5.1 keep-alives: a payload of only CR/LF bytes.
bool is_keepalive(std::string_view bytes) noexcept;

}  // namespace sipflow::decode
