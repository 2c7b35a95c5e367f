#include "sipflow/decode/validate.hpp"

#include "sipflow/decode/chars.hpp"
#include "sipflow/decode/grammar.hpp"

namespace sipflow::decode {
namespace {

Error at(const SipMessage& m, std::string_view code, std::string_view value) {
  auto off = value.data() >= m.raw().data() && value.data() <= m.raw().data() + m.raw().size()
                 ? static_cast<std::uint32_t>(value.data() - m.raw().data())
                 : 0u;
  return Error{code, off};
}

// Headers that carry exactly one value (RFC 3261 §7.3.1, §20): a second one,
// or a comma list in one, makes the message invalid (RFC 4475 §3.1.2.19).
constexpr HeaderId kSingleValue[] = {HeaderId::CallId,      HeaderId::CSeq,
                                     HeaderId::From,        HeaderId::To,
                                     HeaderId::MaxForwards, HeaderId::ContentType};

// rfc1123-date = wkday "," SP date1 SP time SP "GMT" (RFC 3261 §20.17).
bool valid_date(std::string_view d) {
  d = trim(d);
  return d.size() >= 29 && d.substr(d.size() - 4) == " GMT" && d[3] == ',';
}

}  // namespace

std::optional<Error> validate(const SipMessage& m) {
  constexpr HeaderId kRequired[] = {HeaderId::CallId, HeaderId::CSeq, HeaderId::From, HeaderId::To,
                                    HeaderId::Via};
  for (HeaderId id : kRequired) {
    if (!m.has(id)) return Error{"missing_required_header", 0};
  }
  for (HeaderId id : kSingleValue) {
    if (m.count(id) > 1) return at(m, "multiple_single_value_header", m.first(id));
  }

  auto cseq = parse_cseq(m.first(HeaderId::CSeq));
  if (!cseq) return at(m, "bad_cseq", m.first(HeaderId::CSeq));
  if (m.is_request() && cseq->method != m.method()) {
    return at(m, "cseq_method_mismatch", m.first(HeaderId::CSeq));
  }

  std::optional<Error> bad_via;
  m.for_each(HeaderId::Via, [&](std::string_view v) {
    CommaList list(v);
    while (auto item = list.next()) {
      if (!bad_via && !parse_via(*item)) bad_via = at(m, "bad_via", v);
    }
  });
  if (bad_via) return bad_via;

  if (!parse_name_addr(m.first(HeaderId::From))) return at(m, "bad_from", m.first(HeaderId::From));
  if (!parse_name_addr(m.first(HeaderId::To))) return at(m, "bad_to", m.first(HeaderId::To));

  std::optional<Error> bad_contact;
  m.for_each(HeaderId::Contact, [&](std::string_view v) {
    CommaList list(v);
    while (auto item = list.next()) {
      if (!bad_contact && !parse_name_addr(*item)) bad_contact = at(m, "bad_contact", v);
    }
  });
  if (bad_contact) return bad_contact;

  if (m.has(HeaderId::MaxForwards) && !parse_number(m.first(HeaderId::MaxForwards), 255)) {
    return at(m, "bad_max_forwards", m.first(HeaderId::MaxForwards));
  }
  if (m.has(HeaderId::Expires) && !parse_number(m.first(HeaderId::Expires), 0xFFFFFFFFu)) {
    return at(m, "bad_expires", m.first(HeaderId::Expires));
  }
  if (m.has(HeaderId::Date) && !valid_date(m.first(HeaderId::Date))) {
    return at(m, "bad_date", m.first(HeaderId::Date));
  }
  if (m.is_request()) {
    auto uri = parse_uri(m.request_uri());
    // The headers component is not allowed in a Request-URI (RFC 3261 §19.1.1, table 1).
    if (!uri || (uri->is_sip() && !uri->headers.empty())) {
      return at(m, "bad_request_uri", m.request_uri());
    }
  }
  return std::nullopt;
}

}  // namespace sipflow::decode
