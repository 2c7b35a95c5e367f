#pragma once
// HeaderId: the SIP header fields sipflow knows by name, with their compact
// forms (RFC 3261 §7.3.3, §20 and the IANA "Header Fields" registry).

#include <cstdint>
#include <string_view>

namespace sipflow::decode {

enum class HeaderId : std::uint8_t {
  Unknown = 0,
  Accept,
  AcceptContact,
  AcceptEncoding,
  AcceptLanguage,
  AlertInfo,
  Allow,
  AllowEvents,
  AuthenticationInfo,
  Authorization,
  CallId,
  CallInfo,
  Contact,
  ContentDisposition,
  ContentEncoding,
  ContentLanguage,
  ContentLength,
  ContentType,
  CSeq,
  Date,
  ErrorInfo,
  Event,
  Expires,
  From,
  Identity,
  IdentityInfo,
  InReplyTo,
  MaxForwards,
  MimeVersion,
  MinExpires,
  MinSE,
  Organization,
  PAssertedIdentity,
  PChargingVector,
  PPreferredIdentity,
  Priority,
  Privacy,
  ProxyAuthenticate,
  ProxyAuthorization,
  ProxyRequire,
  RAck,
  Reason,
  RecordRoute,
  ReferredBy,
  ReferTo,
  RejectContact,
  RemotePartyId,
  Replaces,
  ReplyTo,
  RequestDisposition,
  Require,
  RetryAfter,
  Route,
  RSeq,
  Server,
  SessionExpires,
  Subject,
  SubscriptionState,
  Supported,
  Timestamp,
  To,
  Unsupported,
  UserAgent,
  Via,
  Warning,
  WwwAuthenticate,
  Count_  // number of ids; keep last
};

inline constexpr std::size_t kHeaderIdCount = static_cast<std::size_t>(HeaderId::Count_);

/// The id of a header name, case-insensitively, compact forms included
/// ("i" → CallId). Unknown names give HeaderId::Unknown.
HeaderId lookup_header(std::string_view name) noexcept;

/// The canonical spelling ("Call-ID"); "" for Unknown.
std::string_view canonical_name(HeaderId id) noexcept;

}  // namespace sipflow::decode
