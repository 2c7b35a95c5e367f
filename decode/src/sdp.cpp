#include "sipflow/decode/sdp.hpp"

#include "sipflow/decode/chars.hpp"
#include "sipflow/decode/grammar.hpp"

namespace sipflow::decode {
namespace {

constexpr Error fail(std::string_view code, std::size_t off) {
  return Error{code, static_cast<std::uint32_t>(off)};
}

// Splits "a b c" at single spaces, returning the i-th field or "".
std::string_view field(std::string_view s, int i) {
  while (i-- > 0) {
    std::size_t sp = s.find(' ');
    if (sp == std::string_view::npos) return {};
    s.remove_prefix(sp + 1);
  }
  return s.substr(0, s.find(' '));
}

// c=<nettype> <addrtype> <address>[/ttl[/count]]
std::string_view connection_address(std::string_view v) {
  std::string_view addr = field(v, 2);
  return addr.substr(0, addr.find('/'));
}

bool direction_attribute(std::string_view a, MediaDirection& d) {
  if (a == "sendrecv")
    d = MediaDirection::SendRecv;
  else if (a == "sendonly")
    d = MediaDirection::SendOnly;
  else if (a == "recvonly")
    d = MediaDirection::RecvOnly;
  else if (a == "inactive")
    d = MediaDirection::Inactive;
  else
    return false;
  return true;
}

}  // namespace

std::string_view to_string(MediaDirection d) noexcept {
  switch (d) {
    case MediaDirection::SendRecv:
      return "sendrecv";
    case MediaDirection::SendOnly:
      return "sendonly";
    case MediaDirection::RecvOnly:
      return "recvonly";
    case MediaDirection::Inactive:
      return "inactive";
  }
  return "sendrecv";
}

std::string_view Sdp::codec(std::size_t m, int pt) const noexcept {
  for (const auto& r : rtpmaps) {
    if (r.media == m && r.payload_type == pt) return r.encoding;
  }
  switch (pt) {  // RFC 3551 §6 static payload types
    case 0:
      return "PCMU";
    case 3:
      return "GSM";
    case 4:
      return "G723";
    case 8:
      return "PCMA";
    case 9:
      return "G722";
    case 13:
      return "CN";
    case 18:
      return "G729";
    default:
      return {};
  }
}

bool Sdp::on_hold(std::size_t m) const noexcept {
  if (m >= media.size()) return false;
  const SdpMedia& md = media[m];
  return md.direction == MediaDirection::SendOnly || md.direction == MediaDirection::Inactive ||
         md.address == "0.0.0.0";
}

Status parse_sdp(std::string_view body, Sdp& out) {
  out.origin_user = out.session_id = out.session_version = out.origin_address = {};
  out.session_name = out.connection_address = {};
  out.direction = MediaDirection::SendRecv;
  out.media.clear();
  out.rtpmaps.clear();
  out.fmtps.clear();

  std::size_t pos = 0;
  bool first = true;
  while (pos < body.size()) {
    std::size_t nl = body.find('\n', pos);
    std::size_t end = nl == std::string_view::npos ? body.size() : nl;
    std::string_view line = body.substr(pos, end - pos);
    std::size_t off = pos;
    pos = nl == std::string_view::npos ? body.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.size() < 2 || line[1] != '=' || !is(line[0], kAlpha)) {
      if (first) return fail("not_sdp", off);
      return fail("bad_sdp_line", off);
    }
    char type = line[0];
    std::string_view v = line.substr(2);
    if (first) {
      if (type != 'v') return fail("not_sdp", off);
      first = false;
      continue;
    }
    bool in_media = !out.media.empty();
    switch (type) {
      case 'o':
        out.origin_user = field(v, 0);
        out.session_id = field(v, 1);
        out.session_version = field(v, 2);
        out.origin_address = field(v, 5);
        break;
      case 's':
        out.session_name = v;
        break;
      case 'c':
        if (in_media) {
          out.media.back().address = connection_address(v);
          out.media.back().own_connection = true;
        } else {
          out.connection_address = connection_address(v);
        }
        break;
      case 'm': {
        // m=<media> <port>[/<count>] <proto> <fmt> ...
        SdpMedia m;
        m.type = field(v, 0);
        std::string_view port = field(v, 1);
        auto p = parse_number(port.substr(0, port.find('/')), 65535);
        if (m.type.empty() || !p) return fail("bad_sdp_media", off);
        m.port = static_cast<std::uint16_t>(*p);
        m.proto = field(v, 2);
        std::size_t fmt_start = m.type.size() + port.size() + m.proto.size() + 3;
        m.formats = fmt_start <= v.size() ? v.substr(fmt_start) : std::string_view{};
        out.media.push_back(m);
        break;
      }
      case 'a': {
        std::size_t colon = v.find(':');
        std::string_view name = v.substr(0, colon);
        std::string_view value =
            colon == std::string_view::npos ? std::string_view{} : v.substr(colon + 1);
        MediaDirection d;
        if (direction_attribute(name, d)) {
          if (in_media) {
            out.media.back().direction = d;
            out.media.back().own_direction = true;
          } else {
            out.direction = d;
          }
        } else if (in_media && (name == "rtpmap" || name == "fmtp")) {
          std::size_t sp = value.find(' ');
          auto pt = parse_number(value.substr(0, sp), 127);
          if (!pt || sp == std::string_view::npos) break;  // ignore a malformed attribute
          std::string_view rest = value.substr(sp + 1);
          if (name == "fmtp") {
            out.fmtps.push_back(SdpFmtp{out.media.size() - 1, static_cast<int>(*pt), rest});
            break;
          }
          // rtpmap: <encoding>/<clock>[/<channels>]
          SdpRtpmap r{out.media.size() - 1, static_cast<int>(*pt), {}, 0, {}};
          std::size_t s1 = rest.find('/');
          r.encoding = rest.substr(0, s1);
          if (s1 != std::string_view::npos) {
            std::string_view clock = rest.substr(s1 + 1);
            std::size_t s2 = clock.find('/');
            if (s2 != std::string_view::npos) r.channels = clock.substr(s2 + 1);
            r.clock_rate = static_cast<std::uint32_t>(
                parse_number(clock.substr(0, s2), 0xFFFFFFFFu).value_or(0));
          }
          out.rtpmaps.push_back(r);
        }
        break;
      }
      default:
        break;
    }
  }
  if (first) return fail("not_sdp", 0);
  for (auto& m : out.media) {  // media-level lines win over session-level ones
    if (!m.own_connection) m.address = out.connection_address;
    if (!m.own_direction) m.direction = out.direction;
  }
  return Ok{};
}

}  // namespace sipflow::decode
