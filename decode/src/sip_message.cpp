#include "sipflow/decode/sip_message.hpp"

#include <charconv>
#include <cstring>

#include "sipflow/decode/chars.hpp"

namespace sipflow::decode {
namespace {

constexpr Error fail(std::string_view code, std::size_t offset) {
  return Error{code, static_cast<std::uint32_t>(offset)};
}

constexpr Slice slice(std::size_t off, std::size_t len) {
  return Slice{static_cast<std::uint32_t>(off), static_cast<std::uint32_t>(len)};
}

// SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT; sipflow speaks 2.0 only.
bool is_sip_version(std::string_view v) {
  return iequals(v, "SIP/2.0");
}

bool looks_like_version(std::string_view v) {
  return v.size() >= 5 && istarts_with(v, "SIP/") && is(v[4], kDigit);
}

std::size_t skip_leading_crlf(std::string_view b) {
  std::size_t i = 0;
  while (i < b.size() && (b[i] == '\r' || b[i] == '\n'))
    ++i;
  return i;
}

}  // namespace

void SipMessage::clear() noexcept {
  raw_.clear();
  unfolded_.clear();
  fields_.clear();
  first_.fill(0);
  kind_ = Kind::Request;
  status_ = 0;
  start_line_ = method_ = uri_ = version_ = reason_ = body_ = Slice{};
  content_length_ = 0;
  notes_ = ParseNotes{};
}

Result<SipMessage> SipMessage::parse(std::string_view bytes, const ParseOptions& options) {
  SipMessage m;
  Status s = m.assign(bytes, options);
  if (!s) return s.error();
  return m;
}

Status SipMessage::assign(std::string_view bytes, const ParseOptions& options) {
  clear();
  std::size_t start = skip_leading_crlf(bytes);
  if (start == bytes.size()) return fail("empty_message", 0);
  if (bytes.size() - start > options.max_message_bytes) return fail("message_too_large", 0);
  raw_.assign(bytes.data() + start, bytes.size() - start);

  const char* base = raw_.data();
  const void* nl = std::memchr(base, '\n', raw_.size());
  if (nl == nullptr) {
    clear();
    return fail("bad_start_line", start);
  }
  std::size_t line_end = static_cast<std::size_t>(static_cast<const char*>(nl) - base);
  std::size_t next = line_end + 1;
  if (line_end > 0 && base[line_end - 1] == '\r') {
    --line_end;
  } else {
    notes_.bare_lf = true;
  }
  start_line_ = slice(0, line_end);
  Status s = parse_start_line(std::string_view(base, line_end), 0);
  if (s) s = parse_headers(next, options);
  if (s) s = parse_body(next, raw_.size(), options);
  if (!s) {
    Error e = s.error();
    e.offset += static_cast<std::uint32_t>(start);
    clear();
    return e;
  }
  return Ok{};
}

Status SipMessage::parse_start_line(std::string_view line, std::uint32_t off) {
  if (line.empty()) return fail("bad_start_line", off);
  if (istarts_with(line, "SIP/")) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    kind_ = Kind::Response;
    std::size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return fail("bad_start_line", off);
    std::string_view ver = line.substr(0, sp);
    if (!is_sip_version(ver)) return fail("bad_version", off);
    version_ = slice(0, sp);
    std::string_view rest = line.substr(sp + 1);
    std::size_t digits = 0;
    while (digits < rest.size() && is(rest[digits], kDigit))
      ++digits;
    if (digits != 3 || (rest.size() > 3 && rest[3] != ' '))
      return fail("bad_status_code", off + sp + 1);
    status_ = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
    if (status_ < 100 || status_ > 699) return fail("bad_status_code", off + sp + 1);
    std::size_t reason_off = sp + 1 + 3 + (rest.size() > 3 ? 1 : 0);
    reason_ = slice(reason_off, line.size() - reason_off);
    for (char c : line.substr(reason_off)) {
      if (is(c, kCtl)) return fail("bad_start_line", off + reason_off);
    }
    return Ok{};
  }
  // Request-Line = Method SP Request-URI SP SIP-Version, single spaces, nothing after.
  kind_ = Kind::Request;
  if (line.back() == ' ' || line.back() == '\t') return fail("bad_start_line", off);
  std::size_t sp1 = line.find(' ');
  std::size_t sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp1 == sp2) return fail("bad_start_line", off);
  std::string_view method = line.substr(0, sp1);
  std::string_view uri = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view ver = line.substr(sp2 + 1);
  if (!is_token(method)) return fail("bad_method", off);
  // Exactly one SP between the elements (RFC 4475 §3.1.2.9).
  if (uri.empty() || uri.front() == ' ' || uri.back() == ' ') {
    return fail("bad_start_line", off + sp1 + 1);
  }
  if (!looks_like_version(ver) || !is_sip_version(ver)) {
    return fail(looks_like_version(ver) ? "bad_version" : "bad_request_uri", off + sp2 + 1);
  }
  // The URI is one token of the grammar: no whitespace, no <> around it, a scheme.
  std::size_t colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0 || !is(uri[0], kAlpha)) {
    return fail("bad_request_uri", off + sp1 + 1);
  }
  for (char c : uri) {
    if (c == ' ' || c == '\t' || c == '<' || c == '>' || is(c, kCtl)) {
      return fail("bad_request_uri", off + sp1 + 1);
    }
  }
  method_ = slice(0, sp1);
  uri_ = slice(sp1 + 1, uri.size());
  version_ = slice(sp2 + 1, ver.size());
  return Ok{};
}

Status SipMessage::parse_headers(std::size_t& pos, const ParseOptions& options) {
  const char* base = raw_.data();
  const std::size_t size = raw_.size();
  auto line_end_at = [&](std::size_t from) -> std::size_t {
    const void* nl = std::memchr(base + from, '\n', size - from);
    return nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - base) : size;
  };
  for (;;) {
    if (pos >= size) {
      notes_.missing_blank_line = true;
      return Ok{};
    }
    if (base[pos] == '\n' || (base[pos] == '\r' && pos + 1 < size && base[pos + 1] == '\n')) {
      pos += base[pos] == '\n' ? 1 : 2;  // the empty line ending the headers
      return Ok{};
    }
    if (base[pos] == ' ' || base[pos] == '\t') return fail("bad_header_line", pos);

    // header-name = token, then optional whitespace and the colon (RFC 3261
    // §7.3.1). One pass over the name: it stops at the first non-token byte.
    std::size_t begin = pos;
    std::size_t colon = begin;
    while (colon < size && is(base[colon], kToken))
      ++colon;
    std::size_t name_end = colon;
    while (colon < size && is(base[colon], kSpace))
      ++colon;
    if (name_end == begin || colon >= size || base[colon] != ':') {
      // A capture cut inside this line's name: the headers before it stand.
      if (options.truncated_input && colon >= size) {
        notes_.missing_blank_line = true;
        pos = size;
        return Ok{};
      }
      return fail("bad_header_line", begin);
    }

    // A header runs to its line end, plus any following lines that start with
    // whitespace (line folding, RFC 3261 §7.3.1).
    std::size_t end = line_end_at(colon);
    bool folded = false;
    while (end + 1 < size && (base[end + 1] == ' ' || base[end + 1] == '\t')) {
      folded = true;
      end = line_end_at(end + 1);
    }
    pos = end < size ? end + 1 : size;
    std::size_t content_end = end;
    if (content_end > begin && base[content_end - 1] == '\r') {
      --content_end;
    } else if (end < size) {
      notes_.bare_lf = true;
    }

    std::size_t v = colon + 1;
    while (v < content_end && is(base[v], kSpace))
      ++v;
    std::size_t ve = content_end;
    while (ve > v && is(base[ve - 1], kSpace))
      --ve;

    HeaderField f;
    f.id = lookup_header(std::string_view(base + begin, name_end - begin));
    f.name = slice(begin, name_end - begin);
    if (folded) {
      // Collapse [WSP] CRLF 1*WSP into one SP in a side buffer.
      std::size_t out_off = unfolded_.size();
      std::string_view value(base + v, ve - v);
      for (std::size_t i = 0; i < value.size();) {
        if (value[i] == '\r' || value[i] == '\n') {
          while (!unfolded_.empty() && unfolded_.size() > out_off &&
                 (unfolded_.back() == ' ' || unfolded_.back() == '\t')) {
            unfolded_.pop_back();
          }
          while (i < value.size() && (value[i] == '\r' || value[i] == '\n' || is(value[i], kSpace)))
            ++i;
          unfolded_.push_back(' ');
        } else {
          unfolded_.push_back(value[i++]);
        }
      }
      f.unfolded = true;
      f.value = slice(out_off, unfolded_.size() - out_off);
    } else {
      f.value = slice(v, ve - v);
    }
    if (fields_.size() >= options.max_headers) return fail("too_many_headers", begin);
    fields_.push_back(f);
    auto& first = first_[static_cast<std::size_t>(f.id)];
    if (first == 0) first = static_cast<std::uint16_t>(fields_.size());
  }
}

Status SipMessage::parse_body(std::size_t pos, std::size_t input_size,
                              const ParseOptions& options) {
  std::size_t avail = input_size - pos;
  bool have_length = false;
  std::uint64_t length = 0;
  for (const auto& f : fields_) {
    if (f.id != HeaderId::ContentLength) continue;
    std::string_view v = value(f);
    std::uint64_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || p != v.data() + v.size() || v.empty() || n > 0xFFFFFFFFu) {
      return fail("bad_content_length", f.value.off);
    }
    if (have_length && n != length) return fail("multiple_content_length", f.value.off);
    have_length = true;
    length = n;
  }
  if (!have_length) {
    notes_.no_content_length = true;
    body_ = slice(pos, avail);
    content_length_ = static_cast<std::uint32_t>(avail);
    return Ok{};
  }
  content_length_ = static_cast<std::uint32_t>(length);
  if (length > avail) {
    if (!options.truncated_input) return fail("content_length_exceeds_body", pos);
    notes_.body_truncated = true;
    body_ = slice(pos, avail);
    return Ok{};
  }
  body_ = slice(pos, length);
  if (avail > length) {
    notes_.trailing_bytes = true;
    raw_.resize(pos + length);  // keep exactly this message
  }
  return Ok{};
}

std::string_view SipMessage::first(HeaderId id) const noexcept {
  std::uint16_t i = first_[static_cast<std::size_t>(id)];
  if (i == 0 || id == HeaderId::Unknown) return {};
  return value(fields_[i - 1u]);
}

std::string_view SipMessage::first(std::string_view name) const noexcept {
  HeaderId id = lookup_header(name);
  if (id != HeaderId::Unknown) return first(id);
  for (const auto& f : fields_) {
    if (f.id == HeaderId::Unknown && iequals(this->name(f), name)) return value(f);
  }
  return {};
}

std::size_t SipMessage::count(HeaderId id) const noexcept {
  std::size_t n = 0;
  for (const auto& f : fields_)
    n += f.id == id ? 1 : 0;
  return n;
}

bool looks_like_sip(std::string_view b) noexcept {
  b.remove_prefix(skip_leading_crlf(b));
  std::string_view line = b.substr(0, 2048);
  std::size_t nl = line.find('\n');
  if (nl == std::string_view::npos) return false;
  line = line.substr(0, nl);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() >= 11 && istarts_with(line, "SIP/")) {
    // "SIP/2.0 200": a status line with some version and a digit after it.
    std::size_t sp = line.find(' ');
    return sp != std::string_view::npos && sp + 1 < line.size() &&
           looks_like_version(line.substr(0, sp)) && is(line[sp + 1], kDigit);
  }
  std::size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0) return false;
  if (!is_token(line.substr(0, sp1))) return false;
  // Tolerate trailing whitespace so malformed requests are reported, not ignored.
  std::string_view tail = line.substr(sp1 + 1);
  while (!tail.empty() && (tail.back() == ' ' || tail.back() == '\t'))
    tail.remove_suffix(1);
  std::size_t sp2 = tail.rfind(' ');
  if (sp2 == std::string_view::npos) return false;
  return looks_like_version(tail.substr(sp2 + 1));
}

bool is_keepalive(std::string_view b) noexcept {
  if (b.empty()) return false;
  for (char c : b) {
    if (c != '\r' && c != '\n') return false;
  }
  return true;
}

}  // namespace sipflow::decode
