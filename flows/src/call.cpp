#include "sipflow/flows/call.hpp"

#include <array>

namespace sipflow::flows {
namespace {

constexpr std::array<std::string_view, 10> kStateNames = {
    "setup",    "ringing", "in_call",    "completed", "cancelled",
    "rejected", "busy",    "redirected", "failed",    "timed_out"};

std::optional<double> between(const std::optional<Timestamp>& a,
                              const std::optional<Timestamp>& b) {
  if (!a || !b) return std::nullopt;
  return seconds_between(*a, *b);
}

}  // namespace

std::string_view to_string(CallState s) noexcept {
  return kStateNames[static_cast<std::size_t>(s)];
}

std::optional<CallState> parse_call_state(std::string_view s) noexcept {
  for (std::size_t i = 0; i < kStateNames.size(); ++i) {
    if (kStateNames[i] == s) return static_cast<CallState>(i);
  }
  return std::nullopt;
}

std::string_view to_string(SessionState s) noexcept {
  switch (s) {
    case SessionState::Initial:
      return "initial";
    case SessionState::Establishing:
      return "establishing";
    case SessionState::Established:
      return "established";
    case SessionState::Terminating:
      return "terminating";
    case SessionState::Terminated:
      return "terminated";
  }
  return "initial";
}

std::string_view to_string(SdpRole r) noexcept {
  switch (r) {
    case SdpRole::None:
      return "";
    case SdpRole::Offer:
      return "offer";
    case SdpRole::Answer:
      return "answer";
  }
  return "";
}

std::string_view to_string(Repeat r) noexcept {
  switch (r) {
    case Repeat::First:
      return "";
    case Repeat::Retransmission:
      return "retransmission";
    case Repeat::Duplicate:
      return "duplicate";
  }
  return "";
}

std::optional<double> Call::post_dial_delay() const {
  return between(invite, ringing);
}
std::optional<double> Call::time_to_answer() const {
  return between(invite, answer);
}
std::optional<double> Call::setup_time() const {
  return between(invite, acked);
}
std::optional<double> Call::talk_duration() const {
  if (!answer) return std::nullopt;
  if (bye) return seconds_between(*answer, *bye);
  if (end) return seconds_between(*answer, *end);
  return seconds_between(*answer, last);
}

}  // namespace sipflow::flows
