#include "sipflow/decode/sip_message.hpp"

#include <gtest/gtest.h>

#include <string>

#include "exact_buffer.hpp"

namespace sipflow::decode {
namespace {

using test::crlf;
using test::ExactBuffer;

Result<SipMessage> parse(std::string_view text, ParseOptions o = {}) {
  ExactBuffer buf(text);
  return SipMessage::parse(buf.view(), o);
}

const std::string kInvite = crlf(
    "INVITE sip:bob@biloxi.example.com SIP/2.0\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\n"
    "Max-Forwards: 70\n"
    "To: Bob <sip:bob@biloxi.example.com>\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\n"
    "CSeq: 314159 INVITE\n"
    "Contact: <sip:alice@pc33.atlanta.example.com>\n"
    "Content-Type: application/sdp\n"
    "Content-Length: 4\n"
    "\n"
    "v=0\n");

TEST(SipParser, ParsesRequestLineHeadersAndBody) {
  auto m = parse(kInvite);
  ASSERT_TRUE(m) << m.error().code;
  EXPECT_TRUE(m->is_request());
  EXPECT_EQ(m->method(), "INVITE");
  EXPECT_EQ(m->request_uri(), "sip:bob@biloxi.example.com");
  EXPECT_EQ(m->version(), "SIP/2.0");
  EXPECT_EQ(m->call_id(), "a84b4c76e66710@pc33.atlanta.example.com");
  EXPECT_EQ(m->first(HeaderId::CSeq), "314159 INVITE");
  EXPECT_EQ(m->body(), "v=0\r");
  EXPECT_EQ(m->fields().size(), 9u);
  EXPECT_EQ(m->raw().size(), kInvite.size() - 1);  // Content-Length: 4 leaves the final LF out
}

TEST(SipParser, ParsesStatusLine) {
  auto m = parse(crlf("SIP/2.0 180 Ringing\nCall-ID: x\n\n"));
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->is_request());
  EXPECT_EQ(m->status(), 180);
  EXPECT_EQ(m->reason(), "Ringing");
  EXPECT_EQ(m->method(), "");
}

TEST(SipParser, EmptyReasonPhraseIsAccepted) {
  auto a = parse(crlf("SIP/2.0 100 \nCall-ID: x\n\n"));
  auto b = parse(crlf("SIP/2.0 100\nCall-ID: x\n\n"));
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_EQ(a->reason(), "");
  EXPECT_EQ(b->reason(), "");
}

TEST(SipParser, HeaderNamesAreCaseInsensitiveAndCompactFormsAreHonoured) {
  auto m = parse(crlf("OPTIONS sip:a@b SIP/2.0\ni: abc\nCSEQ: 1 OPTIONS\nl: 0\nX-Custom: yes\n\n"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->call_id(), "abc");
  EXPECT_EQ(m->first(HeaderId::CSeq), "1 OPTIONS");
  EXPECT_EQ(m->first("Call-ID"), "abc");
  EXPECT_EQ(m->first("x-custom"), "yes");
  EXPECT_EQ(m->first("X-Missing"), "");
  EXPECT_EQ(m->name(m->fields()[0]), "i");  // spelling kept
}

TEST(SipParser, CompactContentLengthIsHonoured) {
  auto m = parse(crlf("MESSAGE sip:a@b SIP/2.0\nl: 5\n\nhello world"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->body(), "hello");
  EXPECT_TRUE(m->notes().trailing_bytes);
}

TEST(SipParser, DuplicateHeadersAreKeptInWireOrder) {
  auto m =
      parse(crlf("SIP/2.0 200 OK\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\n"
                 "Via: SIP/2.0/UDP b;branch=z9hG4bK2, SIP/2.0/UDP c;branch=z9hG4bK3\n\n"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->count(HeaderId::Via), 2u);
  std::vector<std::string_view> vias;
  m->for_each(HeaderId::Via, [&](std::string_view v) { vias.push_back(v); });
  ASSERT_EQ(vias.size(), 2u);
  EXPECT_EQ(vias[0], "SIP/2.0/UDP a;branch=z9hG4bK1");
  EXPECT_EQ(m->first(HeaderId::Via), vias[0]);
}

TEST(SipParser, FoldedHeaderLinesAreUnfolded) {
  auto m =
      parse(crlf("OPTIONS sip:a@b SIP/2.0\nSubject: I know you're there,\n"
                 "   pick up the phone   \n\t and talk to me!\nCall-ID: z\n\n"));
  ASSERT_TRUE(m) << m.error().code;
  EXPECT_EQ(m->first(HeaderId::Subject), "I know you're there, pick up the phone and talk to me!");
  EXPECT_EQ(m->call_id(), "z");
}

TEST(SipParser, WhitespaceBeforeColonAndPaddedValues) {
  auto m = parse(crlf("OPTIONS sip:a@b SIP/2.0\nContent-Length   :    0\nCall-ID :x\n\n"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->content_length(), 0u);
  EXPECT_EQ(m->call_id(), "x");
}

TEST(SipParser, LeadingCrlfIsSkippedAndBareLfAccepted) {
  auto m = parse("\r\n\r\nOPTIONS sip:a@b SIP/2.0\nCall-ID: x\n\n");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->notes().bare_lf);
  EXPECT_EQ(m->call_id(), "x");
}

TEST(SipParser, MissingBlankLineIsNotedNotFatal) {
  auto m = parse(crlf("OPTIONS sip:a@b SIP/2.0\nCall-ID: x\n"));
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->notes().missing_blank_line);
}

TEST(SipParser, NoContentLengthTakesTheRestOfTheDatagram) {
  auto m = parse(crlf("MESSAGE sip:a@b SIP/2.0\nCall-ID: x\n\nhi there"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->body(), "hi there");
  EXPECT_TRUE(m->notes().no_content_length);
}

TEST(SipParser, ContentLengthLargerThanBodyIsRejectedUnlessTruncated) {
  std::string msg = crlf("MESSAGE sip:a@b SIP/2.0\nContent-Length: 50\n\nshort");
  auto m = parse(msg);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, "content_length_exceeds_body");
  ParseOptions o;
  o.truncated_input = true;
  auto t = parse(msg, o);
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->notes().body_truncated);
  EXPECT_EQ(t->content_length(), 50u);
}

TEST(SipParser, HeadersCutInsideANameStandWhenTheInputIsTruncated) {
  std::string msg = crlf("SIP/2.0 200 OK\nCall-ID: abc\nCSeq: 1 INVITE\nConta");
  EXPECT_EQ(parse(msg).error().code, "bad_header_line");
  ParseOptions o;
  o.truncated_input = true;
  auto t = parse(msg, o);
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->notes().missing_blank_line);
  EXPECT_EQ(t->call_id(), "abc");
  EXPECT_EQ(t->fields().size(), 2u);
  // A line that is whole but wrong is still wrong.
  EXPECT_FALSE(parse(crlf("SIP/2.0 200 OK\nCall-ID: abc\nbroken line\nCSeq: 1 INVITE\n"), o));
}

TEST(SipParser, BadContentLengthsAreRejected) {
  EXPECT_EQ(parse(crlf("MESSAGE sip:a@b SIP/2.0\nContent-Length: -1\n\n")).error().code,
            "bad_content_length");
  EXPECT_EQ(parse(crlf("MESSAGE sip:a@b SIP/2.0\nContent-Length: 99999999999\n\n")).error().code,
            "bad_content_length");
  EXPECT_EQ(parse(crlf("MESSAGE sip:a@b SIP/2.0\nContent-Length: 1\nl: 2\n\nab")).error().code,
            "multiple_content_length");
  EXPECT_TRUE(parse(crlf("MESSAGE sip:a@b SIP/2.0\nContent-Length: 2\nl: 2\n\nab")));
}

TEST(SipParser, MalformedStartLinesAreRejectedWithReasons) {
  EXPECT_EQ(parse("").error().code, "empty_message");
  EXPECT_EQ(parse("\r\n\r\n").error().code, "empty_message");
  EXPECT_EQ(parse("INVITE sip:a@b SIP/2.0").error().code, "bad_start_line");  // no line end
  EXPECT_EQ(parse(crlf("SIP/7.0 200 OK\n\n")).error().code, "bad_version");
  EXPECT_EQ(parse(crlf("SIP/2.0 4294967301 Huge\n\n")).error().code, "bad_status_code");
  EXPECT_EQ(parse(crlf("SIP/2.0 099 Low\n\n")).error().code, "bad_status_code");
  EXPECT_EQ(parse(crlf("SIP/2.0 20 Short\n\n")).error().code, "bad_status_code");
  EXPECT_EQ(parse(crlf("INVITE <sip:a@b> SIP/2.0\n\n")).error().code, "bad_request_uri");
  EXPECT_EQ(parse(crlf("INVITE  sip:a@b SIP/2.0\n\n")).error().code, "bad_start_line");
  EXPECT_EQ(parse(crlf("INVITE sip:a@b SIP/2.0 \n\n")).error().code, "bad_start_line");
  EXPECT_EQ(parse(crlf("INVITE sip:a@b; lr SIP/2.0\n\n")).error().code, "bad_request_uri");
  EXPECT_EQ(parse(crlf("INV(ITE sip:a@b SIP/2.0\n\n")).error().code, "bad_method");
  EXPECT_EQ(parse(crlf("INVITE sip:a@b SIP/3.0\n\n")).error().code, "bad_version");
}

TEST(SipParser, MalformedHeaderLinesAreRejected) {
  EXPECT_EQ(parse(crlf("OPTIONS sip:a@b SIP/2.0\nno colon here\n\n")).error().code,
            "bad_header_line");
  EXPECT_EQ(parse(crlf("OPTIONS sip:a@b SIP/2.0\n folded first\n\n")).error().code,
            "bad_header_line");
  EXPECT_EQ(parse(crlf("OPTIONS sip:a@b SIP/2.0\nBad Name: x\n\n")).error().code,
            "bad_header_line");
}

TEST(SipParser, LimitsAreEnforced) {
  std::string many = "OPTIONS sip:a@b SIP/2.0\r\n";
  for (int i = 0; i < 20; ++i)
    many += "X-H: 1\r\n";
  many += "\r\n";
  ParseOptions o;
  o.max_headers = 10;
  EXPECT_EQ(parse(many, o).error().code, "too_many_headers");
  o = {};
  o.max_message_bytes = 16;
  EXPECT_EQ(parse(many, o).error().code, "message_too_large");
}

TEST(SipParser, AssignReusesTheObjectWithoutLeakingOldHeaders) {
  SipMessage m;
  ExactBuffer a(kInvite);
  ASSERT_TRUE(m.assign(a.view()));
  ExactBuffer b(crlf("SIP/2.0 200 OK\nCall-ID: second\n\n"));
  ASSERT_TRUE(m.assign(b.view()));
  EXPECT_EQ(m.call_id(), "second");
  EXPECT_FALSE(m.has(HeaderId::Contact));
  EXPECT_EQ(m.body(), "");
  ExactBuffer c("garbage\r\n\r\n");
  EXPECT_FALSE(m.assign(c.view()));
  EXPECT_EQ(m.call_id(), "");
}

TEST(SipParser, ViewsSurviveAMoveOfTheMessage) {
  auto m = parse(crlf("SIP/2.0 200 OK\nCall-ID: short\n\n"));
  ASSERT_TRUE(m);
  SipMessage moved = std::move(*m);
  EXPECT_EQ(moved.call_id(), "short");
  EXPECT_EQ(moved.reason(), "OK");
}

TEST(SipDetect, RecognisesRequestAndStatusLines) {
  EXPECT_TRUE(looks_like_sip("INVITE sip:a@b SIP/2.0\r\n"));
  EXPECT_TRUE(looks_like_sip("\r\nSIP/2.0 200 OK\r\n"));
  EXPECT_TRUE(looks_like_sip("FOO-BAR tel:+123 SIP/2.0\n"));
  EXPECT_TRUE(looks_like_sip("OPTIONS sip:a@b SIP/2.0  \r\n"));  // malformed, still SIP
  EXPECT_TRUE(looks_like_sip("INVITE sip:a@b SIP/7.0\r\n"));     // reported as bad_version
}

TEST(SipDetect, RejectsOtherProtocols) {
  EXPECT_FALSE(looks_like_sip("GET / HTTP/1.1\r\n"));
  EXPECT_FALSE(looks_like_sip("HTTP/1.1 200 OK\r\n"));
  EXPECT_FALSE(looks_like_sip(std::string_view("\x80\x00\x12\x34", 4)));
  EXPECT_FALSE(looks_like_sip("INVITE sip:a@b SIP/2.0"));  // no line end yet
  EXPECT_FALSE(looks_like_sip(""));
}

TEST(SipDetect, KeepalivesAreOnlyCrlf) {
  EXPECT_TRUE(is_keepalive("\r\n\r\n"));
  EXPECT_TRUE(is_keepalive("\r\n"));
  EXPECT_FALSE(is_keepalive(""));
  EXPECT_FALSE(is_keepalive("\r\nx"));
}

}  // namespace
}  // namespace sipflow::decode
