#pragma once
// Semantic checks beyond the message grammar: what RFC 3261 requires of a
// well-formed request or response, and what the RFC 4475 torture tests
// expect a careful parser to reject.

#include <optional>

#include "sipflow/capture/result.hpp"
#include "sipflow/decode/sip_message.hpp"

namespace sipflow::decode {

/// The first problem found in `m`, or nullopt when it is well-formed.
/// Codes: missing_required_header, multiple_single_value_header, bad_cseq,
/// cseq_method_mismatch, bad_via, bad_from, bad_to, bad_contact,
/// bad_max_forwards, bad_expires, bad_date, bad_request_uri. The offset is
/// that of the header's value inside m.raw() where it applies.
std::optional<Error> validate(const SipMessage& m);

}  // namespace sipflow::decode
