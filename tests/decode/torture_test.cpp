// RFC 4475 torture messages as the parser's acceptance suite: valid ones
// parse (and, unless the RFC files them under application semantics,
// validate); invalid ones are rejected with the reason listed here; none
// crash (each runs from an exactly-sized buffer under ASan in CI).

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "exact_buffer.hpp"
#include "sipflow/decode/sdp.hpp"
#include "sipflow/decode/sip_message.hpp"
#include "sipflow/decode/validate.hpp"

namespace sipflow::decode {
namespace {

struct Case {
  std::string file;
  std::string verdict;  // valid | invalid
  bool semantic = false;
};

std::string dir() {
  return std::string(SIPFLOW_SOURCE_DIR) + "/tests/data/rfc4475/";
}

std::vector<Case> load_manifest() {
  std::ifstream in(dir() + "manifest.tsv");
  std::vector<Case> cases;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t'))
      cols.push_back(col);
    if (cols.size() < 6) continue;
    cases.push_back({cols[0], cols[3], cols[5] == "yes"});
  }
  return cases;
}

std::string read(const std::string& file) {
  std::ifstream in(dir() + file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// What sipflow says about each message the RFC calls invalid, or that it
// files under application-layer semantics: the parse error or validate() code.
const std::map<std::string, std::string> kExpected = {
    {"badinv01.dat", "bad_via"},
    {"clerr.dat", "content_length_exceeds_body"},
    {"ncl.dat", "bad_content_length"},
    {"scalar02.dat", "bad_cseq"},
    {"scalarlg.dat", "bad_cseq"},
    {"quotbal.dat", "bad_to"},
    {"ltgtruri.dat", "bad_request_uri"},
    {"lwsruri.dat", "bad_request_uri"},
    {"lwsstart.dat", "bad_start_line"},
    {"trws.dat", "bad_start_line"},
    {"escruri.dat", "bad_request_uri"},
    {"baddate.dat", "bad_date"},
    {"regbadct.dat", "bad_contact"},
    {"badaspec.dat", "bad_to"},
    {"baddn.dat", "bad_from"},
    {"badvers.dat", "bad_version"},
    {"mismatch01.dat", "cseq_method_mismatch"},
    {"mismatch02.dat", "cseq_method_mismatch"},
    {"bigcode.dat", "bad_status_code"},
    {"insuf.dat", "missing_required_header"},
    {"multi01.dat", "multiple_single_value_header"},
    {"mcl01.dat", "multiple_content_length"},
};

std::string verdict_of(const std::string& bytes) {
  test::ExactBuffer buf(bytes);
  auto m = SipMessage::parse(buf.view());
  if (!m) return std::string(m.error().code);
  if (auto problem = validate(*m)) return std::string(problem->code);
  return "ok";
}

TEST(Rfc4475Torture, ManifestListsEveryMessage) {
  auto cases = load_manifest();
  EXPECT_GE(cases.size(), 49u);
}

TEST(Rfc4475Torture, EachMessageGetsItsExpectedVerdict) {
  for (const auto& c : load_manifest()) {
    SCOPED_TRACE(c.file);
    std::string bytes = read(c.file);
    ASSERT_FALSE(bytes.empty());
    std::string got = verdict_of(bytes);
    auto it = kExpected.find(c.file);
    if (c.verdict == "invalid") {
      ASSERT_NE(it, kExpected.end()) << "no expected reason for an invalid message";
      EXPECT_EQ(got, it->second);
    } else if (it != kExpected.end()) {
      EXPECT_TRUE(c.semantic);
      EXPECT_EQ(got, it->second);
    } else {
      EXPECT_EQ(got, "ok");
    }
  }
}

TEST(Rfc4475Torture, ValidMessagesExposeTheirFields) {
  test::ExactBuffer buf(read("wsinv.dat"));
  auto m = SipMessage::parse(buf.view());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->call_id(), "wsinv.ndaksdj@192.0.2.1");
  EXPECT_EQ(m->first(HeaderId::CSeq), "0009 INVITE");
  EXPECT_EQ(m->first("NewFangledHeader"), "newfangled value continued newfangled value");
  EXPECT_EQ(m->count(HeaderId::Via), 2u);
  Sdp sdp;
  EXPECT_TRUE(parse_sdp(m->body(), sdp));
  EXPECT_EQ(sdp.media.size(), 2u);
}

TEST(Rfc4475Torture, ExtraOctetsInADatagramAreIgnored) {
  test::ExactBuffer buf(read("dblreq.dat"));
  auto m = SipMessage::parse(buf.view());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->method(), "REGISTER");
  EXPECT_TRUE(m->notes().trailing_bytes);
}

TEST(Rfc4475Torture, EveryPrefixOfEveryMessageIsHandled) {
  // Truncations at every length: parse may fail, but must not crash or over-read.
  for (const auto& c : load_manifest()) {
    std::string bytes = read(c.file);
    for (std::size_t n = 0; n <= bytes.size(); n += 7) {
      test::ExactBuffer buf(std::string_view(bytes).substr(0, n));
      auto m = SipMessage::parse(buf.view());
      if (m) (void)validate(*m);
    }
  }
}

}  // namespace
}  // namespace sipflow::decode
