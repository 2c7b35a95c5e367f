// `sipflow calls`: one row (or one JSON object) per call.

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "call_table.hpp"
#include "commands.hpp"
#include "report.hpp"
#include "sipflow/flows/correlator.hpp"
#include "sipflow/render/call_json.hpp"

namespace sipflow::cli {
namespace {

// Without --sort, rows (and JSON lines) are written as each call finishes and
// nothing is kept: memory stays bounded by the open calls. --sort has to
// hold every row (or JSON line) until the end.
class CallPrinter final : public flows::CallSink, public capture::ConversationSink {
 public:
  CallPrinter(const CommonOptions& common, const flows::CallFilter& filter, std::string sort,
              Output& out)
      : common_(common),
        filter_(filter),
        sort_(std::move(sort)),
        out_(out),
        terminal_(terminal_width(stdout)),
        color_(use_color(common.color, stdout)),
        stream_(CallTable::streaming(terminal_, color_)) {}

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
      json_.push_back({call_row(c), std::move(line)});
      return;
    }
    if (!sort_.empty()) {
      rows_.push_back(call_row(c));
      return;
    }
    if (shown_ == 1) stream_.append_header(out_.buffer());  // no header over an empty table
    stream_.append_row(out_.buffer(), call_row(c));
    out_.maybe_flush();
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
      sort_rows(json_, [](const auto& e) -> const CallRow& { return e.first; });
      for (auto& [row, line] : json_) {
        out_.buffer() += line;
        out_.buffer().push_back('\n');
        out_.maybe_flush();
      }
      return;
    }
    if (!sort_.empty()) {
      sort_rows(rows_, [](const CallRow& r) -> const CallRow& { return r; });
      CallTable table = CallTable::fitted(rows_, terminal_, color_);
      if (!rows_.empty()) table.append_header(out_.buffer());
      for (const auto& r : rows_) {
        table.append_row(out_.buffer(), r);
        out_.maybe_flush();
      }
    }
    summary();
  }

 private:
  template <class V, class Get>
  void sort_rows(V& v, Get get) {
    if (sort_.empty()) return;
    auto key = sort_;
    std::stable_sort(v.begin(), v.end(), [&](const auto& a, const auto& b) {
      const CallRow &x = get(a), &y = get(b);
      if (key == "duration") return x.duration > y.duration;
      if (key == "status") return x.status < y.status;
      if (key == "messages") return x.messages > y.messages;
      if (key == "state") return x.state < y.state;
      return x.start != y.start ? x.start < y.start : x.first_frame < y.first_frame;
    });
  }

  void summary() {
    std::string& b = out_.buffer();
    std::string line = fmt::format("{} call{}", shown_, shown_ == 1 ? "" : "s");
    if (shown_ != seen_) line += fmt::format(" shown of {}", seen_);
    std::string parts;
    for (std::size_t s = 0; s < by_state_.size(); ++s) {
      if (by_state_[s] == 0) continue;
      parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", by_state_[s],
                           flows::to_string(static_cast<flows::CallState>(s)));
    }
    if (!parts.empty()) line += ": " + parts;
    b += line + "\n";
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
  int terminal_;
  bool color_;
  CallTable stream_;
  std::vector<CallRow> rows_;                          // --sort only
  std::vector<std::pair<CallRow, std::string>> json_;  // --json --sort only
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
                    "Order the calls by start, duration, status, messages or state; without "
                    "--sort they are written as each call finishes. Sorting holds every call "
                    "until the end")
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
