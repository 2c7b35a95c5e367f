#pragma once
// One call as a JSON object (a line of `sipflow calls --json`).
//
// Keys named in the public contract: call_id, from, to, method, state,
// status, start, answer, end, duration, messages, dialogs. The rest extend it.

#include <string>

#include "sipflow/flows/call.hpp"

namespace sipflow::render {

/// Appends `c` as one JSON object (no newline). Times are epoch seconds with
/// microseconds; absent times and durations are null.
void append_call_json(std::string& out, const flows::Call& c);

}  // namespace sipflow::render
