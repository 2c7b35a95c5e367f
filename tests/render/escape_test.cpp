#include "sipflow/render/escape.hpp"

#include <gtest/gtest.h>

#include "sipflow/render/json_writer.hpp"

namespace sipflow::render {
namespace {

std::string json(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(JsonEscape, QuotesBackslashesAndControls) {
  EXPECT_EQ(json("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(json("\r\n\t"), R"("\r\n\t")");
  EXPECT_EQ(json(std::string_view("\x1b[31m\x00", 6)), R"("\u001b[31m\u0000")");
}

TEST(JsonEscape, Utf8PassesInvalidBytesBecomeReplacement) {
  EXPECT_EQ(json("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(json("bad\xff"), R"("bad\ufffd")");
  EXPECT_EQ(json("\xc0\xaf"), R"("\ufffd\ufffd")");  // overlong '/'
  EXPECT_EQ(json("\xe2\x80\xae"), R"("\u202e")");    // right-to-left override
}

TEST(JsonEscape, DelIsEscapedLikeTheOtherControls) {
  EXPECT_EQ(json("a\x7f"
                 "b"),
            R"("a\u007fb")");
}

TEST(TerminalSafe, EscapeSequencesCannotReachTheTerminal) {
  EXPECT_EQ(terminal_safe("\x1b[2J\x1b]0;pwned\x07"), "\\e[2J\\e]0;pwned\\x07");
  EXPECT_EQ(terminal_safe("\xc2\x9b"
                          "31m"),
            "\\u{9b}31m");  // C1 CSI
  EXPECT_EQ(terminal_safe("ok \xe4\xb8\xad"), "ok \xe4\xb8\xad");
  EXPECT_EQ(terminal_safe("\xff"), "\\xff");
  EXPECT_EQ(terminal_safe("a\r\nb"), "a\\r\\nb");
}

TEST(XmlText, MarkupAndForbiddenCharacters) {
  std::string out;
  append_xml_text(out, "<script>alert('x')</script> & \"q\" \x01");
  EXPECT_EQ(out,
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; \xEF\xBF\xBD");
}

TEST(CsvField, QuotingAndFormulaInjection) {
  std::string out;
  append_csv_field(out, "plain");
  out += '|';
  append_csv_field(out, "a,\"b\"");
  out += '|';
  append_csv_field(out, "=HYPERLINK(\"x\")");
  EXPECT_EQ(out, "plain|\"a,\"\"b\"\"\"|\"'=HYPERLINK(\"\"x\"\")\"");
}

TEST(CsvField, SemicolonSeparatedCellsCannotStartAFormula) {
  std::string out;
  append_csv_field(out, "agent x;@SUM(1+1)");
  EXPECT_EQ(out, R"x("agent x;'@SUM(1+1)")x");
  out.clear();
  append_csv_field(out, "a;b\tc");
  EXPECT_EQ(out, R"("a;b\tc")");
}

TEST(DisplayWidth, CountsColumnsNotBytes) {
  EXPECT_EQ(display_width("abc"), 3u);
  EXPECT_EQ(display_width("\xe2\x86\x92"), 1u);  // →
  EXPECT_EQ(display_width("\xe4\xb8\xad"), 2u);  // 中
}

TEST(JsonWriter, BuildsNestedDocumentsWithCommas) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("a", 1).key("b").begin_array().value("x").value(true).null().end_array();
  w.field("c", 1.5, 2).end_object();
  EXPECT_EQ(out, R"({"a":1,"b":["x",true,null],"c":1.50})");
}

}  // namespace
}  // namespace sipflow::render
