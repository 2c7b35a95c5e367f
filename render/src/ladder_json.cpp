#include "sipflow/render/ladder_json.hpp"

#include <fmt/format.h>

#include "sipflow/render/json_writer.hpp"

namespace sipflow::render {

std::string render_ladder_json(const flows::Ladder& l, bool with_raw) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.field("title", l.title);
  w.key("legs").begin_array();
  for (const auto& leg : l.legs)
    w.begin_object().field("call_id", leg.call_id).field("summary", leg.summary).end_object();
  w.end_array();
  w.key("columns").begin_array();
  for (const auto& c : l.columns) {
    w.begin_object().field("label", c.label);
    w.key("addresses").begin_array();
    for (const auto& a : c.addresses)
      w.value(a);
    w.end_array();
    w.field("agent", c.agent).end_object();
  }
  w.end_array();
  w.key("rows").begin_array();
  for (const auto& r : l.rows) {
    w.begin_object();
    w.field("frame", r.frame);
    w.key("ts").raw(fmt::format("{}", r.ts));
    w.field("offset", r.offset, 6).field("delta", r.delta, 6);
    w.field("from", static_cast<std::uint64_t>(r.from))
        .field("to", static_cast<std::uint64_t>(r.to));
    w.field("label", r.label).field("kind", flows::to_string(r.kind));
    if (r.repeat != flows::Repeat::First) w.field("repeat", flows::to_string(r.repeat));
    if (!r.sdp.empty()) w.field("sdp", r.sdp);
    w.field("leg", static_cast<std::uint64_t>(r.leg));
    w.field("transport", to_string(r.transport));
    if (with_raw) w.field("raw", r.raw);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return out;
}

}  // namespace sipflow::render
