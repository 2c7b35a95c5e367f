#pragma once
// One call as a JSON object (a line of `sipflow calls --json`).
//
// Keys named in the public contract: call_id, from, to, method, state,
// status, start, answer, end, duration, messages, dialogs. The rest extend it.

#include <string>

#include "sipflow/capture/conversation.hpp"
#include "sipflow/flows/call.hpp"

namespace sipflow::render {

/// Appends `c` as one JSON object (no newline). Times are epoch seconds with
/// microseconds; absent times and durations are null.
void append_call_json(std::string& out, const flows::Call& c);

/// Appends an encrypted (TLS) conversation as one JSON object with
/// "kind":"tls": client, server, sni, alpn, tls_version, start, end, frames,
/// bytes each way. `calls --json` prints these next to the calls.
void append_conversation_json(std::string& out, const capture::EncryptedConversation& c);

/// One line for people: "10.0.0.1:40000 → 10.0.0.2:5061  TLS 1.3  sni=sip.example.com  3.2 KB".
std::string describe_conversation(const capture::EncryptedConversation& c);

}  // namespace sipflow::render
