#include "sipflow/decode/grammar.hpp"
#include "sipflow/decode/chars.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sipflow::decode {
namespace {

TEST(UriParser, SplitsSipUri) {
  auto u = parse_uri("sip:alice:secret@atlanta.example.com:5070;transport=tcp;lr?subject=x");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->is_sip());
  EXPECT_EQ(u->user, "alice");
  EXPECT_EQ(u->password, "secret");
  EXPECT_EQ(u->host, "atlanta.example.com");
  EXPECT_EQ(u->port, 5070);
  EXPECT_EQ(u->params, ";transport=tcp;lr");
  EXPECT_EQ(u->headers, "subject=x");
  EXPECT_EQ(find_param(u->params, "transport").value_or("?"), "tcp");
  EXPECT_EQ(find_param(u->params, "lr").value_or("?"), "");
}

TEST(UriParser, Ipv6HostAndNoUser) {
  auto u = parse_uri("sips:[2001:db8::10]:5061");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->ipv6_host);
  EXPECT_EQ(u->host, "2001:db8::10");
  EXPECT_EQ(u->port, 5061);
  EXPECT_EQ(u->user, "");
}

TEST(UriParser, UserPartMayContainSemicolonsAndEscapes) {
  auto u = parse_uri("sip:user;par=u%40example.net@example.com");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->user, "user;par=u%40example.net");
  EXPECT_EQ(u->host, "example.com");
}

TEST(UriParser, TelAndOtherSchemes) {
  auto t = parse_uri("tel:+1-201-555-0123;phone-context=example.com");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->is_tel());
  EXPECT_EQ(t->user, "+1-201-555-0123");
  EXPECT_EQ(t->params, ";phone-context=example.com");
  auto o = parse_uri("urn:service:sos");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->scheme, "urn");
  EXPECT_EQ(o->opaque, "service:sos");
}

TEST(UriParser, RejectsMalformedUris) {
  EXPECT_FALSE(parse_uri("no-scheme"));
  EXPECT_FALSE(parse_uri("sip:@host"));
  EXPECT_FALSE(parse_uri("sip:a@host:99999"));
  EXPECT_FALSE(parse_uri("sip:a@host:"));
  EXPECT_FALSE(parse_uri("sip:a@ho st"));
  EXPECT_FALSE(parse_uri("sip:a@[::1"));
  EXPECT_FALSE(parse_uri("1sip:a@b"));
}

TEST(NameAddrParser, QuotedDisplayNameWithEscapes) {
  auto n = parse_name_addr(R"("J Rosenberg \\\""  <sip:jdrosen@example.com> ; tag = 98asjd8)");
  ASSERT_TRUE(n);
  EXPECT_TRUE(n->quoted_display);
  EXPECT_EQ(n->display, R"(J Rosenberg \\\")");
  EXPECT_EQ(n->uri.host, "example.com");
  EXPECT_EQ(n->tag, "98asjd8");
}

TEST(QuotedString, UnescapingQuotedPairsGivesTheText) {
  EXPECT_EQ(unescape_quoted_pairs(R"(=HYPERLINK(\"x\"))"), R"(=HYPERLINK("x"))");
  EXPECT_EQ(unescape_quoted_pairs(R"(J Rosenberg \\\")"), R"(J Rosenberg \")");
  EXPECT_EQ(unescape_quoted_pairs("trailing\\"), "trailing\\");
}

TEST(Utf8Prefix, NeverCutsACharacterInTwo) {
  std::string_view s =
      "ab\xe2\x82\xac"
      "c";  // "ab€c"
  EXPECT_EQ(utf8_prefix(s, 2), "ab");
  EXPECT_EQ(utf8_prefix(s, 3), "ab");
  EXPECT_EQ(utf8_prefix(s, 4), "ab");
  EXPECT_EQ(utf8_prefix(s, 5), "ab\xe2\x82\xac");
  EXPECT_EQ(utf8_prefix(s, 99), s);
  EXPECT_EQ(utf8_prefix("\x80\x80\x80\x80\x80", 4), "\x80");  // not UTF-8: at most 3 back
}

TEST(NameAddrParser, TokenDisplayNameWithoutSpaceBeforeAngle) {
  auto n = parse_name_addr("caller<sip:caller@example.com>;tag=323");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->display, "caller");
  EXPECT_EQ(n->tag, "323");
}

TEST(NameAddrParser, AddrSpecParametersBelongToTheHeader) {
  auto n = parse_name_addr("sip:alice@atlanta.example.com;tag=88sja8x");
  ASSERT_TRUE(n);
  EXPECT_FALSE(n->bracketed);
  EXPECT_EQ(n->uri.params, "");
  EXPECT_EQ(n->tag, "88sja8x");
}

TEST(NameAddrParser, RejectsWhatRfc3261Forbids) {
  EXPECT_EQ(parse_name_addr(R"("Unterminated <sip:a@b>)").error().code,
            "unterminated_quoted_string");
  EXPECT_EQ(parse_name_addr("Bell, Alexander <sip:a@b>").error().code, "bad_display_name");
  EXPECT_EQ(parse_name_addr("\"W\" < sip:t@example.org >").error().code, "bad_addr_spec");
  EXPECT_EQ(parse_name_addr("sip:user@example.com?Route=%3Csip:x%3E").error().code,
            "bad_addr_spec");
  EXPECT_EQ(parse_name_addr("<sip:a@b").error().code, "bad_name_addr");
  EXPECT_EQ(parse_name_addr("<sip:a@b> junk").error().code, "bad_name_addr");
}

TEST(NameAddrParser, WildcardContact) {
  auto n = parse_name_addr(" * ");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->uri.text, "*");
}

TEST(ViaParser, ParsesSentByAndParameters) {
  auto v =
      parse_via("SIP/2.0/UDP 192.0.2.1:5060;received=198.51.100.7;rport=5062;branch=z9hG4bK74bf9");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->protocol, "SIP/2.0");
  EXPECT_EQ(v->transport, "UDP");
  EXPECT_EQ(v->host, "192.0.2.1");
  EXPECT_EQ(v->port, 5060);
  EXPECT_EQ(v->branch, "z9hG4bK74bf9");
  EXPECT_TRUE(v->rfc3261_branch());
  EXPECT_EQ(v->received, "198.51.100.7");
  EXPECT_TRUE(v->has_rport);
  EXPECT_EQ(v->rport, "5062");
}

TEST(ViaParser, ToleratesLinearWhitespaceEverywhereTheGrammarAllows) {
  auto v = parse_via("SIP  / 2.0  / TCP     spindle.example.com   ; branch  =   z9hG4bK9ikj8");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->transport, "TCP");
  EXPECT_EQ(v->host, "spindle.example.com");
  EXPECT_EQ(v->branch, "z9hG4bK9ikj8");
}

TEST(ViaParser, Ipv6SentByAndRportFlag) {
  auto v = parse_via("SIP/2.0/WSS [2001:db8::9]:443;rport;branch=abc");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->host, "2001:db8::9");
  EXPECT_EQ(v->port, 443);
  EXPECT_TRUE(v->has_rport);
  EXPECT_EQ(v->rport, "");
  EXPECT_FALSE(v->rfc3261_branch());
}

TEST(ViaParser, RejectsMalformedVias) {
  EXPECT_FALSE(parse_via(";"));
  EXPECT_FALSE(parse_via("SIP/2.0 host"));
  EXPECT_FALSE(parse_via("SIP/2.0/UDP"));
  EXPECT_FALSE(parse_via("SIP/2.0/UDP host:abc"));
}

TEST(CSeqParser, NumberAndMethod) {
  auto c = parse_cseq(" 0009\t INVITE ");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->number, 9u);
  EXPECT_EQ(c->method, "INVITE");
  EXPECT_FALSE(parse_cseq("36893488147419103232 REGISTER"));
  EXPECT_FALSE(parse_cseq("2147483648 INVITE"));  // must be < 2^31
  EXPECT_FALSE(parse_cseq("1"));
  EXPECT_FALSE(parse_cseq("INVITE"));
  EXPECT_FALSE(parse_cseq("1 INVITE extra"));
}

TEST(CommaList, SplitsOutsideQuotesAndAngles) {
  CommaList list(R"("Bell, Alexander" <sip:a@b;x=1,2>, <sip:c@d> ,, sip:e@f)");
  std::vector<std::string_view> items;
  while (auto i = list.next())
    items.push_back(*i);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0], R"("Bell, Alexander" <sip:a@b;x=1,2>)");
  EXPECT_EQ(items[1], "<sip:c@d>");
  EXPECT_EQ(items[2], "sip:e@f");
}

TEST(ReasonParser, Q850AndSip) {
  auto r = parse_reason(R"(Q.850;cause=16;text="Normal call clearing")");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->protocol, "Q.850");
  EXPECT_EQ(r->cause, 16);
  EXPECT_EQ(r->text, "Normal call clearing");
  auto s = parse_reason("SIP ;cause=200 ;text=\"Call completed elsewhere\"");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->cause, 200);
}

TEST(MediaTypeParser, TypeSubtypeParams) {
  auto m = parse_media_type("multipart/mixed;boundary=unique-boundary-1");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->is("Multipart", "MIXED"));
  EXPECT_EQ(find_param(m->params, "boundary").value_or(""), "unique-boundary-1");
  EXPECT_FALSE(parse_media_type("application"));
}

TEST(NumberParser, RangeAndGarbage) {
  EXPECT_EQ(parse_number(" 70 ", 255).value_or(0), 70u);
  EXPECT_FALSE(parse_number("300", 255));
  EXPECT_FALSE(parse_number("7a", 255));
  EXPECT_FALSE(parse_number("", 255));
  EXPECT_FALSE(parse_number("-1", 255));
}

}  // namespace
}  // namespace sipflow::decode
