#pragma once
// The ladder model as one JSON document, for other tools.

#include <string>

#include "sipflow/flows/ladder.hpp"

namespace sipflow::render {

/// {"title", "legs": [{call_id, summary}], "columns": [{label, addresses, agent}], "rows":
/// [{frame, ts, offset, delta, from, to, label, kind, repeat, sdp, leg,
/// transport, raw?}]}; `raw` only when `with_raw`. One line, no newline.
std::string render_ladder_json(const flows::Ladder& ladder, bool with_raw);

}  // namespace sipflow::render
