#include "sipflow/decode/header_id.hpp"

#include <array>

#include "sipflow/decode/chars.hpp"

namespace sipflow::decode {
namespace {

struct Name {
  std::string_view text;
  HeaderId id;
};

// Canonical names first (index = HeaderId - 1), then the compact forms.
constexpr Name kNames[] = {
    {"Accept", HeaderId::Accept},
    {"Accept-Contact", HeaderId::AcceptContact},
    {"Accept-Encoding", HeaderId::AcceptEncoding},
    {"Accept-Language", HeaderId::AcceptLanguage},
    {"Alert-Info", HeaderId::AlertInfo},
    {"Allow", HeaderId::Allow},
    {"Allow-Events", HeaderId::AllowEvents},
    {"Authentication-Info", HeaderId::AuthenticationInfo},
    {"Authorization", HeaderId::Authorization},
    {"Call-ID", HeaderId::CallId},
    {"Call-Info", HeaderId::CallInfo},
    {"Contact", HeaderId::Contact},
    {"Content-Disposition", HeaderId::ContentDisposition},
    {"Content-Encoding", HeaderId::ContentEncoding},
    {"Content-Language", HeaderId::ContentLanguage},
    {"Content-Length", HeaderId::ContentLength},
    {"Content-Type", HeaderId::ContentType},
    {"CSeq", HeaderId::CSeq},
    {"Date", HeaderId::Date},
    {"Error-Info", HeaderId::ErrorInfo},
    {"Event", HeaderId::Event},
    {"Expires", HeaderId::Expires},
    {"From", HeaderId::From},
    {"Identity", HeaderId::Identity},
    {"Identity-Info", HeaderId::IdentityInfo},
    {"In-Reply-To", HeaderId::InReplyTo},
    {"Max-Forwards", HeaderId::MaxForwards},
    {"MIME-Version", HeaderId::MimeVersion},
    {"Min-Expires", HeaderId::MinExpires},
    {"Min-SE", HeaderId::MinSE},
    {"Organization", HeaderId::Organization},
    {"P-Asserted-Identity", HeaderId::PAssertedIdentity},
    {"P-Charging-Vector", HeaderId::PChargingVector},
    {"P-Preferred-Identity", HeaderId::PPreferredIdentity},
    {"Priority", HeaderId::Priority},
    {"Privacy", HeaderId::Privacy},
    {"Proxy-Authenticate", HeaderId::ProxyAuthenticate},
    {"Proxy-Authorization", HeaderId::ProxyAuthorization},
    {"Proxy-Require", HeaderId::ProxyRequire},
    {"RAck", HeaderId::RAck},
    {"Reason", HeaderId::Reason},
    {"Record-Route", HeaderId::RecordRoute},
    {"Referred-By", HeaderId::ReferredBy},
    {"Refer-To", HeaderId::ReferTo},
    {"Reject-Contact", HeaderId::RejectContact},
    {"Remote-Party-ID", HeaderId::RemotePartyId},
    {"Replaces", HeaderId::Replaces},
    {"Reply-To", HeaderId::ReplyTo},
    {"Request-Disposition", HeaderId::RequestDisposition},
    {"Require", HeaderId::Require},
    {"Retry-After", HeaderId::RetryAfter},
    {"Route", HeaderId::Route},
    {"RSeq", HeaderId::RSeq},
    {"Server", HeaderId::Server},
    {"Session-Expires", HeaderId::SessionExpires},
    {"Subject", HeaderId::Subject},
    {"Subscription-State", HeaderId::SubscriptionState},
    {"Supported", HeaderId::Supported},
    {"Timestamp", HeaderId::Timestamp},
    {"To", HeaderId::To},
    {"Unsupported", HeaderId::Unsupported},
    {"User-Agent", HeaderId::UserAgent},
    {"Via", HeaderId::Via},
    {"Warning", HeaderId::Warning},
    {"WWW-Authenticate", HeaderId::WwwAuthenticate},
    // Compact forms.
    {"a", HeaderId::AcceptContact},
    {"b", HeaderId::ReferredBy},
    {"c", HeaderId::ContentType},
    {"d", HeaderId::RequestDisposition},
    {"e", HeaderId::ContentEncoding},
    {"f", HeaderId::From},
    {"i", HeaderId::CallId},
    {"j", HeaderId::RejectContact},
    {"k", HeaderId::Supported},
    {"l", HeaderId::ContentLength},
    {"m", HeaderId::Contact},
    {"n", HeaderId::IdentityInfo},
    {"o", HeaderId::Event},
    {"r", HeaderId::ReferTo},
    {"s", HeaderId::Subject},
    {"t", HeaderId::To},
    {"u", HeaderId::AllowEvents},
    {"v", HeaderId::Via},
    {"x", HeaderId::SessionExpires},
    {"y", HeaderId::Identity},
};

constexpr bool canonical_names_in_id_order() {
  for (std::size_t i = 1; i < kHeaderIdCount; ++i) {
    if (static_cast<std::size_t>(kNames[i - 1].id) != i) return false;
  }
  return true;
}
static_assert(canonical_names_in_id_order(), "kNames must list canonical names in HeaderId order");

constexpr std::size_t kSlots = 512;  // power of two, well above 2x the names

// A cheap hash of length and three lower-cased characters: header names
// differ there, and this runs for every header line of every message.
constexpr std::uint32_t hash_lower(std::string_view s) noexcept {
  auto at = [&](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(to_lower(s[i])));
  };
  std::size_t n = s.size();
  return static_cast<std::uint32_t>(n) * 97u + at(0) * 31u + at(n - 1) * 7u + at(n / 2) * 3u +
         (n > 3 ? at(3) : 0u);
}

// Open addressing, linear probing; slot value = index into kNames + 1.
constexpr std::array<std::uint8_t, kSlots> make_slots() {
  std::array<std::uint8_t, kSlots> slots{};
  for (std::size_t i = 0; i < std::size(kNames); ++i) {
    std::size_t s = hash_lower(kNames[i].text) & (kSlots - 1);
    while (slots[s] != 0)
      s = (s + 1) & (kSlots - 1);
    slots[s] = static_cast<std::uint8_t>(i + 1);
  }
  return slots;
}

constexpr auto kSlotTable = make_slots();

}  // namespace

HeaderId lookup_header(std::string_view name) noexcept {
  if (name.empty() || name.size() > 24) return HeaderId::Unknown;
  std::size_t s = hash_lower(name) & (kSlots - 1);
  while (kSlotTable[s] != 0) {
    const Name& n = kNames[kSlotTable[s] - 1];
    // Most senders write the canonical spelling: an exact compare first.
    if (n.text == name || iequals(n.text, name)) return n.id;
    s = (s + 1) & (kSlots - 1);
  }
  return HeaderId::Unknown;
}

std::string_view canonical_name(HeaderId id) noexcept {
  auto i = static_cast<std::size_t>(id);
  if (i == 0 || i >= kHeaderIdCount) return {};
  return kNames[i - 1].text;
}

}  // namespace sipflow::decode
