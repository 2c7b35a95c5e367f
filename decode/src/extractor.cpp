#include "sipflow/decode/extractor.hpp"

#include "sipflow/decode/framing.hpp"
#include "sipflow/decode/validate.hpp"

namespace sipflow::decode {
namespace {

std::string_view as_text(std::span<const std::uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};  // bytes viewed as chars, no copy
}

// True when s[from - 2, end) holds an empty line: the header block may have ended.
bool has_blank_line(std::string_view s, std::size_t from) {
  from = from > 2 ? from - 2 : 0;
  return s.find("\n\n", from) != std::string_view::npos ||
         s.find("\n\r\n", from) != std::string_view::npos;
}

}  // namespace

void SipExtractor::on_payload(const capture::Payload& p) {
  MessageMeta meta{p.frame, p.ts, p.src, p.dst, p.transport, file_};
  switch (p.kind) {
    case capture::PayloadKind::Datagram:
      return datagram(p, meta);
    case capture::PayloadKind::StreamData:
      return stream_data(p, meta);
    case capture::PayloadKind::StreamGap: {
      auto it = streams_.find(p.stream);
      if (it != streams_.end()) {
        it->second.buffer.clear();
        it->second.synced = false;
        it->second.progress = {};
      }
      return;
    }
    case capture::PayloadKind::StreamEnd: {
      auto it = streams_.find(p.stream);
      if (it == streams_.end()) return;
      if (it->second.synced && find_start_line(it->second.buffer) == 0) {
        diag_.skipped("stream_ended_mid_message", p.frame);
      }
      streams_.erase(it);
      return;
    }
  }
}

void SipExtractor::datagram(const capture::Payload& p, const MessageMeta& meta) {
  std::string_view bytes = as_text(p.bytes);
  if (is_keepalive(bytes)) {
    diag_.info("crlf_keepalive", p.frame);
    return;
  }
  if (!looks_like_sip(bytes)) {
    diag_.info("non_sip_payload", p.frame);
    return;
  }
  ParseOptions options = options_.parse;
  options.truncated_input = p.truncated;
  deliver(meta, bytes, options);
}

void SipExtractor::stream_data(const capture::Payload& p, const MessageMeta& meta) {
  Stream& s = streams_[p.stream];
  s.buffer.append(as_text(p.bytes));
  std::size_t pos = 0;
  for (;;) {
    std::string_view rest = std::string_view(s.buffer).substr(pos);
    // CRLF keep-alives between messages (RFC 5626 §3.5.1: "ping" CRLFCRLF, "pong" CRLF).
    std::size_t crlf = 0;
    while (crlf < rest.size() && (rest[crlf] == '\r' || rest[crlf] == '\n'))
      ++crlf;
    if (crlf > 0) {
      if (crlf >= 2) diag_.info("crlf_keepalive", p.frame);
      pos += crlf;
      rest.remove_prefix(crlf);
    }
    if (rest.empty()) break;
    if (!s.synced || !looks_like_sip(rest.substr(0, 2048))) {
      if (rest.find('\n') == std::string_view::npos && rest.size() < 2048)
        break;  // need a whole line
      std::size_t start = find_start_line(rest);
      if (start == std::string_view::npos) {
        // No start line among the complete lines. The last line may still be
        // one whose end has not arrived (a segment can end anywhere): keep it.
        std::size_t last_nl = rest.rfind('\n');
        std::size_t skip = last_nl == std::string_view::npos ? rest.size() : last_nl + 1;
        diag_.count("non_sip_stream_bytes", Severity::Skipped, p.frame, skip);
        pos += skip;
        s.synced = false;
        break;
      }
      if (start > 0) diag_.count("non_sip_stream_bytes", Severity::Skipped, p.frame, start);
      pos += start;
      rest.remove_prefix(start);
      s.synced = true;
    }
    // A partial message left at the start of the buffer by the last segment:
    // wait for its body, or for an empty line, before framing it again.
    const std::size_t max_message = options_.parse.max_message_bytes;
    FrameProgress& progress = s.progress;
    if (pos != 0) progress = {};
    if (progress.total > rest.size()) break;
    if (progress.total == 0 && progress.scanned > 0 && rest.size() <= max_message &&
        !has_blank_line(rest, progress.scanned)) {
      progress.scanned = rest.size();
      break;
    }
    FrameResult f = frame_message(rest, max_message);
    if (f.status == FrameStatus::NeedMore) {
      progress = {rest.size(), f.length};  // rest starts the buffer once `pos` is erased
      break;
    }
    progress = {};
    if (f.status == FrameStatus::Invalid) {
      diag_.skipped("unparseable_sip", p.frame);
      sink_.on_unparseable(meta, rest.substr(0, 200), f.error);
      pos += 1;  // skip this start line and look for the next one
      s.synced = false;
      continue;
    }
    deliver(meta, rest.substr(0, f.length), options_.parse);
    pos += f.length;
  }
  s.buffer.erase(0, pos);
  if (s.buffer.size() > options_.max_stream_buffer) {
    diag_.limit("stream_buffer_limit", p.frame);
    s.buffer.clear();
    s.synced = false;
    s.progress = {};
  }
}

void SipExtractor::deliver(const MessageMeta& meta, std::string_view bytes,
                           const ParseOptions& options) {
  Status st = msg_.assign(bytes, options);
  if (!st) {
    diag_.skipped("unparseable_sip", meta.frame);
    sink_.on_unparseable(meta, bytes, st.error());
    return;
  }
  const ParseNotes& n = msg_.notes();
  // A capture cut short (snaplen) inside the headers is named for what it is.
  if (n.missing_blank_line)
    diag_.warning(options.truncated_input ? "truncated_sip_headers" : "missing_blank_line",
                  meta.frame);
  if (n.trailing_bytes) diag_.warning("trailing_bytes_ignored", meta.frame);
  if (n.body_truncated) diag_.warning("truncated_sip_body", meta.frame);
  if (options_.validate) {
    if (auto problem = validate(msg_)) diag_.warning(problem->code, meta.frame);
  }
  ++messages_;
  sink_.on_message(meta, msg_);
}

}  // namespace sipflow::decode
