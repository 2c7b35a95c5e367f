// SipMessage::parse / assign, validate() and every header grammar function.
//
// Invariants: no crash or over-read; parse() and assign() (a reused object)
// agree; every view a grammar function returns borrows from its input; a
// message re-parsed from its own raw() gives the same message.

#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "sipflow/decode/grammar.hpp"
#include "sipflow/decode/sip_message.hpp"
#include "sipflow/decode/validate.hpp"

namespace {

using namespace sipflow::decode;
using sipflow::fuzz::touch;
using sipflow::fuzz::within;

void check_uri(const Uri& u, std::string_view in) {
  for (std::string_view v :
       {u.text, u.scheme, u.user, u.password, u.host, u.params, u.headers, u.opaque}) {
    SIPFLOW_FUZZ_CHECK(within(v, in));
    touch(v);
  }
  (void)u.is_sip();
  (void)u.is_tel();
  if (auto tag = find_param(u.params, "transport")) SIPFLOW_FUZZ_CHECK(within(*tag, in));
}

void check_name_addr(std::string_view item) {
  auto na = parse_name_addr(item);
  if (!na) return;
  SIPFLOW_FUZZ_CHECK(within(na->display, item));
  SIPFLOW_FUZZ_CHECK(within(na->params, item));
  SIPFLOW_FUZZ_CHECK(within(na->tag, item));
  touch(na->display);
  touch(na->tag);
  check_uri(na->uri, item);
}

void check_via(std::string_view item) {
  auto v = parse_via(item);
  if (!v) return;
  for (std::string_view s : {v->protocol, v->transport, v->host, v->params, v->branch, v->received,
                             v->rport, v->maddr}) {
    SIPFLOW_FUZZ_CHECK(within(s, item));
    touch(s);
  }
  (void)v->rfc3261_branch();
}

// Every grammar function on every value: they are pure and must cope with any text.
void check_value(HeaderId id, std::string_view value) {
  CommaList list(value);
  std::size_t items = 0;
  while (auto item = list.next()) {
    SIPFLOW_FUZZ_CHECK(!item->empty() && within(*item, value));
    SIPFLOW_FUZZ_CHECK(++items <= value.size());  // each element uses at least one byte
    if (id == HeaderId::Via) check_via(*item);
    check_name_addr(*item);
  }
  SIPFLOW_FUZZ_CHECK(within(first_element(value), value));
  check_via(value);
  if (auto u = parse_uri(value)) check_uri(*u, value);
  if (auto c = parse_cseq(value)) {
    SIPFLOW_FUZZ_CHECK(c->number < 0x80000000u && within(c->method, value));
  }
  if (auto r = parse_reason(value)) {
    SIPFLOW_FUZZ_CHECK(within(r->protocol, value) && within(r->text, value));
    SIPFLOW_FUZZ_CHECK(r->cause >= 0 && r->cause <= 9999);
  }
  if (auto mt = parse_media_type(value)) {
    SIPFLOW_FUZZ_CHECK(within(mt->type, value) && within(mt->subtype, value) &&
                       within(mt->params, value));
    (void)mt->is("application", "sdp");
  }
  if (auto n = parse_number(value, 0xFFFFFFFFu)) SIPFLOW_FUZZ_CHECK(*n <= 0xFFFFFFFFu);
  for (std::string_view p : {"tag", "branch", "expires", "q", "boundary"}) {
    if (auto v = find_param(value, p)) SIPFLOW_FUZZ_CHECK(within(*v, value));
  }
}

void check_message(const SipMessage& m) {
  std::string_view raw = m.raw();
  for (std::string_view v :
       {m.method(), m.request_uri(), m.version(), m.reason(), m.start_line(), m.body()}) {
    SIPFLOW_FUZZ_CHECK(within(v, raw));
    touch(v);
  }
  SIPFLOW_FUZZ_CHECK(m.is_request() ? m.status() == 0 : m.status() >= 100 && m.status() <= 699);
  for (const HeaderField& f : m.fields()) {
    std::string_view name = m.name(f);
    std::string_view value = m.value(f);
    SIPFLOW_FUZZ_CHECK(within(name, raw));
    touch(name);
    touch(value);
    SIPFLOW_FUZZ_CHECK(lookup_header(name) == f.id);
    SIPFLOW_FUZZ_CHECK(m.has(f.id) || f.id == HeaderId::Unknown);
    SIPFLOW_FUZZ_CHECK(m.count(f.id) >= 1);
    (void)m.first(name);  // by spelling, compact forms and extension names included
    check_value(f.id, value);
  }
  (void)canonical_name(HeaderId::Via);
  if (m.is_request()) {
    if (auto u = parse_uri(m.request_uri())) check_uri(*u, m.request_uri());
  }
  if (auto problem = validate(m)) {
    SIPFLOW_FUZZ_CHECK(!problem->code.empty());
    SIPFLOW_FUZZ_CHECK(problem->offset <= raw.size());
  }
}

bool same(const SipMessage& a, const SipMessage& b) {
  if (a.raw() != b.raw() || a.start_line() != b.start_line() || a.body() != b.body() ||
      a.fields().size() != b.fields().size() || a.status() != b.status() ||
      a.content_length() != b.content_length())
    return false;
  for (std::size_t i = 0; i < a.fields().size(); ++i) {
    const auto& fa = a.fields()[i];
    const auto& fb = b.fields()[i];
    if (fa.id != fb.id || a.name(fa) != b.name(fb) || a.value(fa) != b.value(fb)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sipflow::fuzz::ExactCopy input(data, size);
  std::string_view text = input.view();
  (void)looks_like_sip(text);
  (void)is_keepalive(text);

  static SipMessage reused;  // assign() reuse across inputs, as the extractor does
  for (bool truncated : {false, true}) {
    ParseOptions options;
    options.truncated_input = truncated;
    auto parsed = SipMessage::parse(text, options);
    sipflow::Status st = reused.assign(text, options);
    SIPFLOW_FUZZ_CHECK(parsed.ok() == st.ok());
    if (!parsed) {
      SIPFLOW_FUZZ_CHECK(!parsed.error().code.empty());
      SIPFLOW_FUZZ_CHECK(parsed.error().offset <= size);
      SIPFLOW_FUZZ_CHECK(parsed.error() == st.error());
      SIPFLOW_FUZZ_CHECK(reused.raw().empty() && reused.fields().empty());
      continue;
    }
    SIPFLOW_FUZZ_CHECK(same(*parsed, reused));
    check_message(*parsed);

    // What was kept is a message on its own: parsing it again changes nothing.
    if (!truncated) {
      sipflow::fuzz::ExactCopy again_input(parsed->raw());
      auto again = SipMessage::parse(again_input.view(), options);
      SIPFLOW_FUZZ_CHECK(again.ok());
      SIPFLOW_FUZZ_CHECK(same(*parsed, *again));
    }
    // A moved message keeps its views valid (offsets, not pointers).
    SipMessage moved = std::move(*parsed);
    check_message(moved);
  }
  return 0;
}
