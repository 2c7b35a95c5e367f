#include "sipflow/decode/extractor.hpp"

#include "sipflow/decode/framing.hpp"
#include "sipflow/decode/validate.hpp"

namespace sipflow::decode {
namespace {

std::string_view as_text(std::span<const std::uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};  // bytes viewed as chars, no copy
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
        diag_.skipped("non_sip_stream_bytes", p.frame);
        pos = s.buffer.size();
        s.synced = false;
        break;
      }
      if (start > 0) diag_.skipped("non_sip_stream_bytes", p.frame);
      pos += start;
      rest.remove_prefix(start);
      s.synced = true;
    }
    FrameResult f = frame_message(rest, options_.parse.max_message_bytes);
    if (f.status == FrameStatus::NeedMore) break;
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
  if (n.missing_blank_line) diag_.warning("missing_blank_line", meta.frame);
  if (n.trailing_bytes) diag_.warning("trailing_bytes_ignored", meta.frame);
  if (n.body_truncated) diag_.warning("truncated_sip_body", meta.frame);
  if (options_.validate) {
    if (auto problem = validate(msg_)) diag_.warning(problem->code, meta.frame);
  }
  ++messages_;
  sink_.on_message(meta, msg_);
}

}  // namespace sipflow::decode
