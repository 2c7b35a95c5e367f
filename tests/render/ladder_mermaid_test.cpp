#include "sipflow/render/ladder_mermaid.hpp"

#include <gtest/gtest.h>

namespace sipflow::render {
namespace {

using flows::ArrowKind;
using flows::Repeat;

std::string mermaid_text(std::string_view s) {
  std::string out;
  append_mermaid_text(out, s);
  return out;
}

flows::LadderRow row(std::size_t from, std::size_t to, std::string label, ArrowKind kind,
                     double offset, Repeat repeat = Repeat::First) {
  flows::LadderRow r;
  r.from = from;
  r.to = to;
  r.label = std::move(label);
  r.kind = kind;
  r.repeat = repeat;
  r.offset = offset;
  return r;
}

flows::Ladder call() {
  flows::Ladder l;
  l.title = "INVITE alice \xe2\x86\x92 bob \xc2\xb7 completed 200";
  l.legs = {{"abc@10.0.0.1", l.title}};
  l.columns = {{"10.0.0.1:5060", {"10.0.0.1:5060"}, "Zoiper 5.6"}, {"PBX", {"10.0.0.2:5060"}, ""}};
  l.rows = {row(0, 1, "INVITE (SDP offer)", ArrowKind::Request, 0),
            row(0, 1, "INVITE", ArrowKind::Request, 0.5, Repeat::Retransmission),
            row(1, 0, "200 OK (SDP answer)", ArrowKind::Success, 0.75),
            row(1, 0, "200 OK", ArrowKind::Success, 0.75, Repeat::Duplicate),
            row(0, 1, "ACK", ArrowKind::Request, 0.8),
            row(1, 1, "OPTIONS", ArrowKind::Request, 1.0)};
  l.rows[0].sdp = "PCMU 10.0.0.1:4000";
  l.rows[2].delta = 0.25;
  return l;
}

TEST(MermaidText, SyntaxCharactersBecomeEntityCodes) {
  EXPECT_EQ(mermaid_text("a;b#c%%d"), "a#59;b#35;c#37;#37;d");
  EXPECT_EQ(mermaid_text("<script>\"x\"&</script>"), "#60;script#62;#34;x#34;#38;#60;/script#62;");
  EXPECT_EQ(mermaid_text("-->> $$x^2$$"), "--#62;#62; #36;#36;x^2#36;#36;");
  EXPECT_EQ(mermaid_text("#35;"), "#35;35#59;");  // an entity in the packet stays literal
  EXPECT_EQ(mermaid_text("sip:bob@10.0.0.2:5060, 'x' {y}"), "sip:bob@10.0.0.2:5060, 'x' {y}");
}

TEST(MermaidText, NoLineBreakOrControlCharacterGetsThrough) {
  EXPECT_EQ(mermaid_text("BYE\nNote over P1: x\r"), "BYE\\nNote over P1: x\\r");
  EXPECT_EQ(mermaid_text("\x1b[31mred"), "\\e[31mred");
  EXPECT_EQ(mermaid_text("a\xe2\x80\xae"
                         "b\xff"),
            "a\\u{202e}b\\xff");
  EXPECT_EQ(mermaid_text("caf\xc3\xa9 \xe2\x86\x92"), "caf\xc3\xa9 \xe2\x86\x92");
}

TEST(MermaidText, LeadingWrapDirectiveIsDefused) {
  EXPECT_EQ(mermaid_text("wrap:x"), "#119;rap:x");
  EXPECT_EQ(mermaid_text("NoWrap:x"), "#78;oWrap:x");
  EXPECT_EQ(mermaid_text("a wrap:x"), "a wrap:x");
}

TEST(MermaidLadder, ParticipantsHaveSafeIdsAndAliases) {
  std::string m = render_mermaid(call(), {});
  EXPECT_TRUE(
      m.starts_with("sequenceDiagram\n    title INVITE alice \xe2\x86\x92 bob "
                    "\xc2\xb7 completed 200\n    %% Call-ID abc@10.0.0.1\n"));
  EXPECT_NE(m.find("\n    participant P1 as 10.0.0.1:5060<br/>Zoiper 5.6\n"), std::string::npos);
  EXPECT_NE(m.find("\n    participant P2 as PBX<br/>10.0.0.2:5060\n"), std::string::npos);
  MermaidOptions o;
  o.details = false;
  o.title = false;
  std::string bare = render_mermaid(call(), o);
  EXPECT_NE(bare.find("\n    participant P2 as PBX\n"), std::string::npos);
  EXPECT_EQ(bare.find("title"), std::string::npos);
}

TEST(MermaidLadder, RequestsSolidResponsesDashedRepeatsOpen) {
  std::string m = render_mermaid(call(), {});
  EXPECT_NE(m.find("\n    P1->>P2: INVITE (SDP offer)\n"), std::string::npos);
  EXPECT_NE(m.find("\n    P1-)P2: INVITE (retransmission)\n"), std::string::npos);
  EXPECT_NE(m.find("\n    P2-->>P1: 200 OK (SDP answer)\n"), std::string::npos);
  EXPECT_NE(m.find("\n    P2--)P1: 200 OK (duplicate)\n"), std::string::npos);
  EXPECT_NE(m.find("\n    P2->>P2: OPTIONS\n"), std::string::npos);
  EXPECT_EQ(m.find("Note"), std::string::npos);
  EXPECT_EQ(m.find("autonumber"), std::string::npos);
}

TEST(MermaidLadder, NotesForTimeAndSdpWhenAsked) {
  MermaidOptions o;
  o.time_notes = true;
  o.sdp_notes = true;
  o.autonumber = true;
  std::string m = render_mermaid(call(), o);
  EXPECT_NE(m.find("\n    autonumber\n    Note over P1,P2: 0.000 s (+0.000 s)\n"
                   "    P1->>P2: INVITE (SDP offer)\n"
                   "    Note over P1,P2: SDP PCMU 10.0.0.1:4000\n"),
            std::string::npos);
  EXPECT_NE(m.find("\n    Note over P1,P2: 0.750 s (+0.250 s)\n    P2-->>P1: 200 OK"),
            std::string::npos);
  EXPECT_NE(m.find("\n    Note over P2: 1.000 s"), std::string::npos);  // message to itself
}

TEST(MermaidLadder, SeveralLegsAreNumberedAndListed) {
  flows::Ladder l = call();
  l.title = "2 calls";
  l.legs.push_back({"def;1", "OPTIONS pbx \xe2\x86\x92 pbx"});
  l.rows[5].leg = 1;
  std::string m = render_mermaid(l, {});
  EXPECT_EQ(m.find("%% Call-ID"), std::string::npos);
  EXPECT_NE(m.find("\n    Note over P1,P2: [1] INVITE alice \xe2\x86\x92 bob \xc2\xb7 completed "
                   "200 \xc2\xb7 abc@10.0.0.1<br/>[2] OPTIONS pbx \xe2\x86\x92 pbx \xc2\xb7 "
                   "def#59;1\n"),
            std::string::npos);
  EXPECT_NE(m.find("\n    P1->>P2: [1] INVITE (SDP offer)\n"), std::string::npos);
  EXPECT_NE(m.find("\n    P2->>P2: [2] OPTIONS\n"), std::string::npos);
}

}  // namespace
}  // namespace sipflow::render
