#include "sipflow/render/call_json.hpp"

#include <ctime>

#include <fmt/format.h>

#include "sipflow/flows/q850.hpp"
#include "sipflow/render/escape.hpp"
#include "sipflow/render/json_writer.hpp"

namespace sipflow::render {
namespace {

void time_field(JsonWriter& w, std::string_view key, const std::optional<Timestamp>& t) {
  w.key(key);
  if (t) {
    w.value(*t);
  } else {
    w.null();
  }
}

void seconds_field(JsonWriter& w, std::string_view key, std::optional<double> s) {
  w.key(key);
  if (s) {
    w.value(*s, 6);
  } else {
    w.null();
  }
}

void media_list(JsonWriter& w, std::string_view key, const std::vector<flows::MediaInfo>& media) {
  w.key(key).begin_array();
  for (const auto& m : media) {
    w.begin_object().field("type", m.type).field("address", m.address).field("codecs", m.codecs);
    w.field("direction", m.direction).end_object();
  }
  w.end_array();
}

}  // namespace

void append_call_json(std::string& out, const flows::Call& c) {
  JsonWriter w(out);
  w.begin_object();
  w.field("index", c.index);
  w.field("call_id", c.call_id);
  w.field("method", c.method);
  w.field("from", c.from);
  if (!c.from_display.empty()) w.field("from_display", c.from_display);
  w.field("to", c.to);
  if (!c.to_display.empty()) w.field("to_display", c.to_display);
  if (!c.request_uri.empty()) w.field("request_uri", c.request_uri);
  w.field("state", flows::to_string(c.state));
  w.field("status", c.status);
  if (!c.reason.empty()) w.field("reason", c.reason);
  time_field(w, "start", c.start);
  time_field(w, "answer", c.answer);
  time_field(w, "end", c.end);
  seconds_field(w, "duration", c.talk_duration());
  seconds_field(w, "pdd", c.post_dial_delay());
  seconds_field(w, "time_to_answer", c.time_to_answer());
  seconds_field(w, "setup_time", c.setup_time());
  w.field("messages", static_cast<std::uint64_t>(c.messages));
  w.field("retransmissions", static_cast<std::uint64_t>(c.retransmissions));
  if (c.duplicates) w.field("duplicates", static_cast<std::uint64_t>(c.duplicates));
  w.field("dialogs", static_cast<std::uint64_t>(c.dialogs.size()));
  w.field("caller", c.caller.to_string());
  w.field("callee", c.callee.to_string());
  w.field("transport", to_string(c.transport));
  if (!c.caller_agent.empty()) w.field("caller_agent", c.caller_agent);
  if (!c.callee_agent.empty()) w.field("callee_agent", c.callee_agent);
  if (!c.hangup_by.empty()) w.field("hangup_by", c.hangup_by);
  if (!c.reason_header.empty()) w.field("reason_header", c.reason_header);
  if (c.q850_cause) {
    w.field("q850_cause", c.q850_cause);
    w.field("q850_name", flows::q850_name(c.q850_cause));
  }
  if (c.auth_challenges) w.field("auth_challenges", static_cast<std::uint64_t>(c.auth_challenges));
  if (!c.contact.empty()) w.field("contact", c.contact);
  if (c.expires) w.field("expires", static_cast<std::uint64_t>(*c.expires));
  w.field("group", c.group.empty() ? c.call_id : c.group);
  w.key("linked").begin_array();
  for (const auto& l : c.links)
    w.begin_object().field("call_id", l.call_id).field("signal", l.signal).end_object();
  w.end_array();
  w.key("dialog_list").begin_array();
  for (const auto& d : c.dialogs) {
    w.begin_object().field("from_tag", d.from_tag).field("to_tag", d.to_tag);
    w.field("state", flows::to_string(d.state)).field("early", d.early);
    w.field("early_media", d.early_media);
    if (d.hold_events) w.field("hold_events", d.hold_events);
    if (!d.requests.empty()) {
      w.key("requests").begin_object();
      for (const auto& [method, count] : d.requests)
        w.field(method, static_cast<std::uint64_t>(count));
      w.end_object();
    }
    media_list(w, "offer", d.offer);
    media_list(w, "answer", d.answer);
    w.end_object();
  }
  w.end_array();
  if (c.evicted) w.field("evicted", true);
  if (c.timed_out) w.field("timed_out", true);
  w.field("first_frame", c.first_frame);
  w.end_object();
}

void append_conversation_json(std::string& out, const capture::EncryptedConversation& c) {
  JsonWriter w(out);
  w.begin_object();
  w.field("kind", "tls");
  w.field("client", c.client.to_string());
  w.field("server", c.server.to_string());
  w.field("transport", to_string(c.transport));
  w.field("tls_version", capture::tls_version_name(c.version));
  w.field("sni", c.sni);
  if (!c.alpn.empty()) w.field("alpn", c.alpn);
  time_field(w, "start", c.first_seen);
  time_field(w, "end", c.last_seen);
  w.field("first_frame", c.first_frame);
  w.field("frames", c.frames);
  w.field("bytes_client_to_server", c.bytes_client_to_server);
  w.field("bytes_server_to_client", c.bytes_server_to_client);
  w.end_object();
}

namespace {

// UTC time of day with microseconds, as the messages and calls lists print it.
std::string time_of_day(Timestamp t) {
  std::int64_t us = t.ns / 1000;
  std::int64_t sec = us / 1'000'000, micros = us % 1'000'000;
  if (micros < 0) micros += 1'000'000, --sec;
  auto s = static_cast<std::time_t>(sec);
  std::tm tm{};
  gmtime_r(&s, &tm);
  return fmt::format("{:02}:{:02}:{:02}.{:06}", tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
}

}  // namespace

std::string describe_conversation(const capture::EncryptedConversation& c) {
  std::string line = c.client.to_string() + " → " + c.server.to_string();
  std::string version = capture::tls_version_name(c.version);
  if (!version.empty()) line += "  " + version;
  if (!c.sni.empty()) line += "  sni=" + terminal_safe(c.sni);
  if (!c.alpn.empty()) line += "  alpn=" + terminal_safe(c.alpn);
  line += "  start " + time_of_day(c.first_seen) + "  end " + time_of_day(c.last_seen);
  std::uint64_t bytes = c.bytes_client_to_server + c.bytes_server_to_client;
  line += bytes >= 10240 ? fmt::format("  {:.1f} KB", static_cast<double>(bytes) / 1024.0)
                         : fmt::format("  {} bytes", bytes);
  line += fmt::format("  {} frames", c.frames);
  return line;
}

}  // namespace sipflow::render
