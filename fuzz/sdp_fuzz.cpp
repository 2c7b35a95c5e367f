// decode::parse_sdp, and what flows make of a description (media_of,
// summarize_media, puts_on_hold), plus find_sdp_body on a multipart body.
//
// Invariants: no crash or over-read; every view borrows from the body;
// indexes stay in range; parsing into a reused Sdp gives the same result as
// parsing into a fresh one.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "sipflow/decode/sdp.hpp"
#include "sipflow/decode/sip_message.hpp"
#include "sipflow/flows/media.hpp"

namespace {

using namespace sipflow;
using fuzz::touch;
using fuzz::within;

void check_sdp(const decode::Sdp& sdp, std::string_view body) {
  for (std::string_view v : {sdp.origin_user, sdp.session_id, sdp.session_version,
                             sdp.origin_address, sdp.session_name, sdp.connection_address}) {
    SIPFLOW_FUZZ_CHECK(within(v, body));
    touch(v);
  }
  for (std::size_t i = 0; i < sdp.media.size(); ++i) {
    const auto& m = sdp.media[i];
    for (std::string_view v : {m.type, m.proto, m.formats, m.address}) {
      SIPFLOW_FUZZ_CHECK(within(v, body));
      touch(v);
    }
    (void)sdp.on_hold(i);
    for (int pt : {0, 8, 18, 96, 101, 127})
      touch(sdp.codec(i, pt));
  }
  (void)sdp.on_hold(sdp.media.size());  // out of range: false, not a crash
  for (const auto& r : sdp.rtpmaps) {
    SIPFLOW_FUZZ_CHECK(r.media < sdp.media.size());
    SIPFLOW_FUZZ_CHECK(r.payload_type >= 0 && r.payload_type <= 127);
    SIPFLOW_FUZZ_CHECK(within(r.encoding, body) && within(r.channels, body));
    touch(sdp.codec(r.media, r.payload_type));
  }
  for (const auto& f : sdp.fmtps) {
    SIPFLOW_FUZZ_CHECK(f.media < sdp.media.size());
    SIPFLOW_FUZZ_CHECK(within(f.params, body));
  }
  auto media = flows::media_of(sdp);
  SIPFLOW_FUZZ_CHECK(media.size() <= sdp.media.size());
  for (const auto& m : media) {
    touch(m.address);
    touch(m.codecs);
    touch(m.type);
    touch(m.direction);
  }
  touch(flows::summarize_media(media));
  (void)flows::puts_on_hold(sdp);
}

void parse_and_check(std::string_view body) {
  static decode::Sdp reused;  // parse_sdp reuses the vectors of its output
  decode::Sdp fresh;
  auto a = decode::parse_sdp(body, reused);
  auto b = decode::parse_sdp(body, fresh);
  SIPFLOW_FUZZ_CHECK(a.ok() == b.ok());
  if (!b) {
    SIPFLOW_FUZZ_CHECK(b.error().offset <= body.size());
    return;
  }
  SIPFLOW_FUZZ_CHECK(reused.media.size() == fresh.media.size());
  SIPFLOW_FUZZ_CHECK(reused.rtpmaps.size() == fresh.rtpmaps.size());
  check_sdp(fresh, body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::ExactCopy input(data, size);
  std::string_view body = input.view();
  parse_and_check(body);

  // The same bytes as the body of a SIP message, once as application/sdp and
  // once as a multipart body whose boundary is "b" (RFC 2046 §5.1).
  for (std::string_view type : {"application/sdp", "multipart/mixed;boundary=b"}) {
    std::string msg = "INVITE sip:b@example.com SIP/2.0\r\nContent-Type: ";
    msg += type;
    msg += "\r\nContent-Length: " + std::to_string(size) + "\r\n\r\n";
    msg += body;
    fuzz::ExactCopy msg_copy(msg);
    auto m = decode::SipMessage::parse(msg_copy.view());
    if (!m) continue;
    if (auto sdp = flows::find_sdp_body(*m)) {
      SIPFLOW_FUZZ_CHECK(within(*sdp, m->body()));
      fuzz::ExactCopy sdp_copy(*sdp);
      parse_and_check(sdp_copy.view());
    }
  }
  return 0;
}
