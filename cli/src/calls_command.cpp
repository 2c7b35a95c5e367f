// `sipflow calls`: one row (or one JSON object) per call.

#include <algorithm>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "report.hpp"
#include "sipflow/flows/correlator.hpp"
#include "sipflow/render/call_json.hpp"
#include "sipflow/render/escape.hpp"

namespace sipflow::cli {
namespace {

// What a row of the table needs; kept instead of the whole Call when buffering.
struct Row {
  Timestamp start;
  std::uint64_t first_frame = 0;
  std::string cells[9];
  flows::CallState state;
  int status = 0;
  double duration = -1;
  std::uint32_t messages = 0;
};

enum Col { kStart, kDuration, kState, kCode, kMethod, kFrom, kTo, kMsgs, kCallId, kCols };
constexpr const char* kHeaders[kCols] = {"START", "DURATION", "STATE", "CODE",   "METHOD",
                                         "FROM",  "TO",       "MSGS",  "CALL-ID"};

std::string user_at_host(const std::string& uri, const std::string& display) {
  std::string_view u = uri;
  if (u.starts_with("sip:"))
    u.remove_prefix(4);
  else if (u.starts_with("sips:"))
    u.remove_prefix(5);
  std::string out;
  render::append_terminal_safe(out, u.empty() ? std::string_view(display) : u);
  return out;
}

std::string_view state_color(const Palette& p, flows::CallState s) {
  if (!p.on()) return "";
  switch (s) {
    case flows::CallState::Completed:
    case flows::CallState::InCall:
      return "\x1b[32m";
    case flows::CallState::Setup:
    case flows::CallState::Ringing:
      return "\x1b[33m";
    case flows::CallState::Redirected:
      return "\x1b[34m";
    case flows::CallState::Cancelled:
      return "\x1b[2m";
    default:
      return "\x1b[31m";
  }
}

class CallPrinter final : public flows::CallSink, public capture::ConversationSink {
 public:
  CallPrinter(const CommonOptions& common, const flows::CallFilter& filter, std::string sort,
              Output& out)
      : common_(common), filter_(filter), sort_(std::move(sort)), out_(out) {}

  void on_call(flows::Call& c) override {
    ++seen_;
    if (!filter_.matches(c)) return;
    ++shown_;
    ++by_state_[static_cast<std::size_t>(c.state)];
    if (common_.json && sort_.empty()) {  // streaming: one line as each call finishes
      render::append_call_json(out_.buffer(), c);
      out_.buffer().push_back('\n');
      out_.maybe_flush();
      return;
    }
    if (common_.json) {
      std::string line;
      render::append_call_json(line, c);
      json_.push_back({row_of(c), std::move(line)});
      return;
    }
    rows_.push_back(row_of(c));
  }

  // TLS connections cannot be read without keys; list them rather than stay silent.
  void on_encrypted(const capture::EncryptedConversation& c) override {
    if (common_.json) {
      render::append_conversation_json(out_.buffer(), c);
      out_.buffer().push_back('\n');
      out_.maybe_flush();
    } else {
      encrypted_.push_back(render::describe_conversation(c));
    }
  }

  void finish() {
    if (common_.json) {
      sort_rows(json_, [](const auto& e) -> const Row& { return e.first; });
      for (auto& [row, line] : json_) {
        out_.buffer() += line;
        out_.buffer().push_back('\n');
        out_.maybe_flush();
      }
      return;
    }
    if (sort_.empty()) sort_ = "start";
    sort_rows(rows_, [](const Row& r) -> const Row& { return r; });
    table();
  }

 private:
  Row row_of(const flows::Call& c) const {
    Row r;
    r.start = c.start;
    r.first_frame = c.first_frame;
    r.state = c.state;
    r.status = c.status;
    r.messages = c.messages;
    append_time_of_day(r.cells[kStart], c.start);
    r.cells[kStart].resize(12);  // HH:MM:SS.mmm
    if (auto d = c.talk_duration()) {
      r.duration = *d;
      r.cells[kDuration] = fmt::format("{:.1f}s", *d);
    } else {
      r.cells[kDuration] = "-";
    }
    r.cells[kState] = std::string(flows::to_string(c.state));
    r.cells[kCode] = c.status ? std::to_string(c.status) : "-";
    render::append_terminal_safe(r.cells[kMethod], c.method);
    r.cells[kFrom] = user_at_host(c.from, c.from_display);
    r.cells[kTo] = user_at_host(c.to, c.to_display);
    r.cells[kMsgs] = c.retransmissions ? fmt::format("{} ({}r)", c.messages, c.retransmissions)
                                       : std::to_string(c.messages);
    render::append_terminal_safe(r.cells[kCallId], c.call_id);
    std::set<std::string_view> legs;
    for (const auto& l : c.links)
      legs.insert(l.call_id);
    if (!legs.empty()) r.cells[kCallId] += fmt::format(" [+{} linked]", legs.size());
    return r;
  }

  template <class V, class Get>
  void sort_rows(V& v, Get get) {
    if (sort_.empty()) return;
    auto key = sort_;
    std::stable_sort(v.begin(), v.end(), [&](const auto& a, const auto& b) {
      const Row &x = get(a), &y = get(b);
      if (key == "duration") return x.duration > y.duration;
      if (key == "status") return x.status < y.status;
      if (key == "messages") return x.messages > y.messages;
      if (key == "state") return x.state < y.state;
      return x.start != y.start ? x.start < y.start : x.first_frame < y.first_frame;
    });
  }

  void table() {
    Palette pal(use_color(common_.color, stdout));
    std::size_t w[kCols];
    for (int c = 0; c < kCols; ++c)
      w[c] = std::string_view(kHeaders[c]).size();
    for (const auto& r : rows_) {
      for (int c = 0; c < kCols; ++c)
        w[c] = std::max(w[c], render::display_width(r.cells[c]));
    }
    // On a terminal, shrink From/To/Call-ID to fit, marking every cut with "…".
    int term = terminal_width(stdout);
    if (term > 0) {
      std::size_t total = kCols * 2;
      for (auto x : w)
        total += x;
      for (int c : {kCallId, kFrom, kTo}) {
        if (total <= static_cast<std::size_t>(term)) break;
        std::size_t excess = total - static_cast<std::size_t>(term);
        std::size_t floor = 12;
        std::size_t cut = std::min(excess, w[c] > floor ? w[c] - floor : 0);
        w[c] -= cut;
        total -= cut;
      }
    }
    std::string& b = out_.buffer();
    auto cell = [&](std::string_view text, std::size_t width, bool right) {
      std::string t(text);
      if (render::display_width(t) > width) {  // cut at a character boundary, visibly
        while (!t.empty() && render::display_width(t) + 1 > width) {
          t.pop_back();
          while (!t.empty() && (static_cast<unsigned char>(t.back()) & 0xC0) == 0x80)
            t.pop_back();
        }
        t += "…";
      }
      std::size_t pad = width - std::min(width, render::display_width(t));
      if (right) b.append(pad, ' ');
      b += t;
      if (!right) b.append(pad, ' ');
    };
    if (!rows_.empty()) {  // no header line over an empty table
      b += pal.bold();
      for (int c = 0; c < kCols; ++c) {
        cell(kHeaders[c], w[c], c == kDuration || c == kCode || c == kMsgs);
        if (c + 1 < kCols) b += "  ";
      }
      while (!b.empty() && b.back() == ' ')
        b.pop_back();
      b += pal.reset();
      b += '\n';
    }
    for (const auto& r : rows_) {
      for (int c = 0; c < kCols; ++c) {
        if (c == kState) b += state_color(pal, r.state);
        cell(r.cells[c], w[c], c == kDuration || c == kCode || c == kMsgs);
        if (c == kState) b += pal.reset();
        if (c + 1 < kCols) b += "  ";
      }
      while (!b.empty() && b.back() == ' ')
        b.pop_back();
      b += '\n';
      out_.maybe_flush();
    }
    std::string summary = fmt::format("{} call{}", shown_, shown_ == 1 ? "" : "s");
    if (shown_ != seen_) summary += fmt::format(" shown of {}", seen_);
    std::string parts;
    for (std::size_t s = 0; s < by_state_.size(); ++s) {
      if (by_state_[s] == 0) continue;
      parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", by_state_[s],
                           flows::to_string(static_cast<flows::CallState>(s)));
    }
    if (!parts.empty()) summary += ": " + parts;
    b += summary + "\n";
    if (!encrypted_.empty()) {
      b +=
          fmt::format("\n{} encrypted conversation{} (SIP over TLS cannot be read without keys):\n",
                      encrypted_.size(), encrypted_.size() == 1 ? "" : "s");
      for (const auto& e : encrypted_)
        b += "  " + e + "\n";
    }
  }

  const CommonOptions& common_;
  const flows::CallFilter& filter_;
  std::string sort_;
  Output& out_;
  std::vector<Row> rows_;
  std::vector<std::pair<Row, std::string>> json_;
  std::vector<std::string> encrypted_;
  std::uint64_t seen_ = 0, shown_ = 0;
  std::array<std::uint64_t, 10> by_state_{};
};

int run_calls(const CommonOptions& common, const CallOptions& calls, const std::string& sort,
              const std::atomic<bool>& stop) {
  require_input(common);
  flows::CallFilter filter = calls.filter();
  flows::CorrelatorOptions co = calls.correlator();
  Output out;
  Report report(common.quiet);
  report.set_files(common.input.files);
  Diagnostics diag;
  CallPrinter printer(common, filter, sort, out);
  flows::Correlator correlator(co, diag, printer);
  ForwardingSink sink(correlator, [&](const auto& meta, auto bytes, auto e) {
    report.unparseable(meta, bytes, e);
  });
  RunTotals totals = run_pipeline(
      common.input, diag, sink, stop, [&](const std::string& e) { report.input_error(e); }, {},
      [&](Timestamp now) {
        correlator.advance(now);
        out.flush();
      },
      &printer);
  correlator.finish();
  printer.finish();
  out.flush();
  report.summary(totals, diag);
  return totals.inputs_failed > 0 ? kExitBadInput : kExitOk;
}

class CallsCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* cmd = app.add_subcommand(
        "calls",
        "List calls (and REGISTER, OPTIONS, SUBSCRIBE, MESSAGE exchanges) with their "
        "outcome and timing; legs through a B2BUA are linked");
    add_common_options(*cmd, common_);
    cmd->add_flag("--json", common_.json,
                  "JSON Lines: one object per call as it finishes (keys: call_id, from, to, "
                  "method, state, status, start, answer, end, duration, messages, dialogs, ...)");
    cmd->add_option("--sort", sort_,
                    "Order: start (default for the table), duration, status, messages, state; "
                    "with --json, sorting holds every call until the end")
        ->check(CLI::IsMember({"start", "duration", "status", "messages", "state"}))
        ->option_text("KEY");
    add_filter_options(*cmd, calls_);
    add_correlation_options(*cmd, calls_);
    return cmd;
  }
  int run(const std::atomic<bool>& stop) override {
    return run_calls(common_, calls_, sort_, stop);
  }

 private:
  CommonOptions common_;
  CallOptions calls_;
  std::string sort_;
};

}  // namespace

std::unique_ptr<Command> make_calls_command() {
  return std::make_unique<CallsCommand>();
}

}  // namespace sipflow::cli
