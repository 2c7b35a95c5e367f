#include "sipflow/decode/header_id.hpp"

#include <gtest/gtest.h>

namespace sipflow::decode {
namespace {

TEST(HeaderId, EveryCanonicalNameRoundTrips) {
  for (std::size_t i = 1; i < kHeaderIdCount; ++i) {
    auto id = static_cast<HeaderId>(i);
    EXPECT_EQ(lookup_header(canonical_name(id)), id) << canonical_name(id);
  }
}

TEST(HeaderId, NamesAreCaseInsensitive) {
  EXPECT_EQ(lookup_header("call-id"), HeaderId::CallId);
  EXPECT_EQ(lookup_header("CALL-ID"), HeaderId::CallId);
  EXPECT_EQ(lookup_header("MaX-fOrWaRdS"), HeaderId::MaxForwards);
  EXPECT_EQ(lookup_header("www-authenticate"), HeaderId::WwwAuthenticate);
}

TEST(HeaderId, CompactFormsMapToTheirHeaders) {
  EXPECT_EQ(lookup_header("i"), HeaderId::CallId);
  EXPECT_EQ(lookup_header("f"), HeaderId::From);
  EXPECT_EQ(lookup_header("t"), HeaderId::To);
  EXPECT_EQ(lookup_header("v"), HeaderId::Via);
  EXPECT_EQ(lookup_header("m"), HeaderId::Contact);
  EXPECT_EQ(lookup_header("L"), HeaderId::ContentLength);
  EXPECT_EQ(lookup_header("c"), HeaderId::ContentType);
  EXPECT_EQ(lookup_header("k"), HeaderId::Supported);
  EXPECT_EQ(lookup_header("s"), HeaderId::Subject);
  EXPECT_EQ(lookup_header("e"), HeaderId::ContentEncoding);
  EXPECT_EQ(lookup_header("o"), HeaderId::Event);
  EXPECT_EQ(lookup_header("u"), HeaderId::AllowEvents);
  EXPECT_EQ(lookup_header("r"), HeaderId::ReferTo);
  EXPECT_EQ(lookup_header("b"), HeaderId::ReferredBy);
  EXPECT_EQ(lookup_header("x"), HeaderId::SessionExpires);
  EXPECT_EQ(lookup_header("y"), HeaderId::Identity);
}

TEST(HeaderId, UnknownNamesStayUnknown) {
  EXPECT_EQ(lookup_header("X-Call-ID"), HeaderId::Unknown);
  EXPECT_EQ(lookup_header("q"), HeaderId::Unknown);
  EXPECT_EQ(lookup_header(""), HeaderId::Unknown);
  EXPECT_EQ(lookup_header(std::string(300, 'a')), HeaderId::Unknown);
  EXPECT_EQ(canonical_name(HeaderId::Unknown), "");
}

}  // namespace
}  // namespace sipflow::decode
