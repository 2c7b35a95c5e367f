#include "sipflow/flows/media.hpp"

#include "sipflow/capture/endpoint.hpp"
#include "sipflow/decode/chars.hpp"
#include "sipflow/decode/grammar.hpp"

namespace sipflow::flows {

namespace {

// RFC 3959 §3: "early-session" (parameters such as ;handling= aside); any
// other or no disposition is the session's own SDP.
SdpDisposition disposition_of(std::string_view value) {
  std::string_view token = decode::trim(value.substr(0, value.find(';')));
  return decode::iequals(token, "early-session") ? SdpDisposition::EarlySession
                                                 : SdpDisposition::Session;
}

}  // namespace

std::optional<std::string_view> find_sdp_body(const decode::SipMessage& m, SdpDisposition want) {
  std::string_view ct = m.first(decode::HeaderId::ContentType);
  if (ct.empty() || m.body().empty()) return std::nullopt;
  auto type = decode::parse_media_type(ct);
  if (!type) return std::nullopt;
  if (type->is("application", "sdp")) {
    if (disposition_of(m.first(decode::HeaderId::ContentDisposition)) != want) return std::nullopt;
    return m.body();
  }
  if (!decode::iequals(type->type, "multipart")) return std::nullopt;
  auto boundary = decode::find_param(type->params, "boundary");
  if (!boundary || boundary->empty()) return std::nullopt;
  // Parts are separated by CRLF "--" boundary; each has headers, a blank line, a body.
  std::string_view body = m.body();
  std::string delim = "--" + std::string(*boundary);
  std::size_t pos = body.find(delim);
  while (pos != std::string_view::npos) {
    std::size_t part = body.find('\n', pos);
    if (part == std::string_view::npos) break;
    ++part;
    std::size_t next = body.find(delim, part);
    std::string_view chunk =
        body.substr(part, next == std::string_view::npos ? std::string_view::npos : next - part);
    std::size_t blank = chunk.find("\r\n\r\n");
    std::size_t skip = 4;
    if (blank == std::string_view::npos) {
      blank = chunk.find("\n\n");
      skip = 2;
    }
    if (blank != std::string_view::npos) {
      std::string_view headers = chunk.substr(0, blank);
      std::size_t p = 0;
      bool is_sdp = false;
      SdpDisposition disposition = SdpDisposition::Session;
      while (p < headers.size()) {
        std::size_t e = headers.find('\n', p);
        std::string_view line = decode::trim(
            headers.substr(p, e == std::string_view::npos ? std::string_view::npos : e - p));
        std::size_t colon = line.find(':');
        decode::HeaderId id = colon == std::string_view::npos
                                  ? decode::HeaderId::Unknown
                                  : decode::lookup_header(decode::trim(line.substr(0, colon)));
        if (id == decode::HeaderId::ContentType) {
          auto pt = decode::parse_media_type(line.substr(colon + 1));
          is_sdp = pt && pt->is("application", "sdp");
        } else if (id == decode::HeaderId::ContentDisposition) {
          disposition = disposition_of(line.substr(colon + 1));
        }
        if (e == std::string_view::npos) break;
        p = e + 1;
      }
      if (is_sdp && disposition == want) {
        std::string_view sdp = chunk.substr(blank + skip);
        while (!sdp.empty() && (sdp.back() == '\n' || sdp.back() == '\r'))
          sdp.remove_suffix(1);
        return sdp;
      }
    }
    pos = next;
  }
  return std::nullopt;
}

std::vector<MediaInfo> media_of(const decode::Sdp& sdp) {
  std::vector<MediaInfo> out;
  for (std::size_t i = 0; i < sdp.media.size(); ++i) {
    const auto& m = sdp.media[i];
    if (m.port == 0) continue;
    MediaInfo info;
    info.type = std::string(m.type);
    if (auto ip = IpAddress::parse(m.address)) {
      info.address = Endpoint{*ip, m.port}.to_string();
    } else {
      info.address = std::string(m.address) + ":" + std::to_string(m.port);
    }
    std::string_view fmts = m.formats;
    while (!fmts.empty()) {
      std::size_t sp = fmts.find(' ');
      std::string_view f = fmts.substr(0, sp);
      fmts = sp == std::string_view::npos ? std::string_view{} : fmts.substr(sp + 1);
      if (f.empty()) continue;
      std::string_view name = f;
      if (auto pt = decode::parse_number(f, 127)) {
        std::string_view codec = sdp.codec(i, static_cast<int>(*pt));
        if (!codec.empty()) name = codec;
      }
      if (!info.codecs.empty()) info.codecs += ',';
      info.codecs += name;
    }
    info.direction = std::string(decode::to_string(m.direction));
    out.push_back(std::move(info));
  }
  return out;
}

std::string summarize_media(const std::vector<MediaInfo>& media) {
  std::string out;
  for (const auto& m : media) {
    if (!out.empty()) out += "; ";
    if (m.type != "audio") out += m.type + " ";
    // Codecs in preference order; the first three say enough.
    std::string_view codecs = m.codecs;
    std::size_t cut = std::string_view::npos;
    for (std::size_t i = 0, commas = 0; i < codecs.size(); ++i) {
      if (codecs[i] == ',' && ++commas == 3) {
        cut = i;
        break;
      }
    }
    out += codecs.substr(0, cut);
    if (cut != std::string_view::npos) out += ",…";
    out += " ";
    out += m.address;
    if (m.direction != "sendrecv") out += " " + m.direction;
  }
  return out;
}

bool puts_on_hold(const decode::Sdp& sdp) {
  bool any = false;
  for (std::size_t i = 0; i < sdp.media.size(); ++i) {
    if (sdp.media[i].port == 0) continue;
    any = true;
    if (!sdp.on_hold(i)) return false;
  }
  return any;
}

}  // namespace sipflow::flows
