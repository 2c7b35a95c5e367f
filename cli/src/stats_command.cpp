// `sipflow stats`: the response-code audit — counts by method and code,
// hosts, agents, failures, RFC 6076 session metrics — as a report, one JSON
// object or CSV, and --fail-on thresholds for CI.

#include <fmt/format.h>
#include <map>
#include <tuple>

#include "commands.hpp"
#include "report.hpp"
#include "sipflow/flows/correlator.hpp"
#include "sipflow/flows/fail_on.hpp"
#include "sipflow/flows/stats.hpp"
#include "sipflow/render/stats_report.hpp"

namespace sipflow::cli {
namespace {

// TLS connections by server, SNI and version, for the report's encrypted section.
class EncryptedTally final : public capture::ConversationSink {
 public:
  void on_encrypted(const capture::EncryptedConversation& c) override {
    auto key = std::make_tuple(c.server.to_string(), c.sni, capture::tls_version_name(c.version));
    auto& [n, bytes] = tally_[key];
    ++n;
    bytes += c.bytes_client_to_server + c.bytes_server_to_client;
  }
  std::vector<flows::StatsReport::EncryptedRow> rows() const {
    std::vector<flows::StatsReport::EncryptedRow> out;
    for (const auto& [k, v] : tally_) {
      out.push_back({std::get<0>(k), std::get<1>(k), std::get<2>(k), v.first, v.second});
    }
    return out;
  }

 private:
  std::map<std::tuple<std::string, std::string, std::string>,
           std::pair<std::uint64_t, std::uint64_t>>
      tally_;
};

struct StatsFlags {
  bool csv = false;
  std::string fail_on;
};

std::vector<flows::Condition> parse_fail_on_option(const std::string& text) {
  auto conditions = flows::parse_fail_on(text);
  if (!conditions) {
    const Error& e = conditions.error();
    std::string at = text.substr(std::min<std::size_t>(e.offset, text.size()));
    throw CLI::ValidationError(
        "--fail-on",
        fmt::format("{} at \"{}\" ({})", flows::describe_fail_on_error(e.code), at, e.code));
  }
  return std::move(*conditions);
}

void render(const CommonOptions& common, const StatsFlags& so, const flows::StatsReport& r,
            Output& out) {
  if (common.json) {
    render::append_stats_json(out.buffer(), r);
    out.buffer().push_back('\n');  // JSON Lines: the whole report is one line
  } else if (so.csv) {
    render::append_stats_csv(out.buffer(), r);
  } else {
    Palette pal(use_color(common.color, stdout));
    render::StatsTextStyle style;
    style.heading = pal.bold();
    style.dim = pal.dim();
    style.method = pal.request();
    style.reset = pal.reset();
    for (int cls = 1; cls <= 6; ++cls)
      style.status[static_cast<std::size_t>(cls)] = pal.status(cls * 100);
    render::append_stats_text(out.buffer(), r, style);
  }
}

int run_stats(const CommonOptions& common, const CallOptions& calls, const StatsFlags& so,
              const std::atomic<bool>& stop) {
  require_input(common);
  // Every option is checked before the first packet is read (a live capture may be long).
  std::vector<flows::Condition> conditions;
  if (!so.fail_on.empty()) conditions = parse_fail_on_option(so.fail_on);
  flows::StatsOptions options;
  options.filter = calls.filter();
  flows::CorrelatorOptions co = calls.correlator();

  Output out;
  Report report(common.quiet);
  report.set_files(common.input.files);
  Diagnostics diag;
  flows::Stats stats(options, diag);
  flows::Correlator correlator(co, diag, stats, &stats);
  ForwardingSink sink(correlator, [&](const auto& meta, auto bytes, auto e) {
    stats.on_unparseable(meta, e);
    report.unparseable(meta, bytes, e);
  });
  EncryptedTally tls;
  RunTotals totals = run_pipeline(
      common.input, diag, sink, stop, [&](const std::string& e) { report.input_error(e); }, {},
      [&](Timestamp now) { correlator.advance(now); }, &tls);
  correlator.finish();
  flows::StatsReport r = stats.report();
  r.encrypted = tls.rows();
  render(common, so, r, out);
  out.flush();
  report.summary(totals, diag);
  if (totals.inputs_failed > 0) return kExitBadInput;

  int status = kExitOk;
  for (const auto& v : flows::evaluate(conditions, r)) {
    if (v.breached) {
      fmt::print(stderr, "sipflow: --fail-on breached: {}\n", flows::describe(v));
      status = kExitThreshold;
    } else if (!v.value) {
      fmt::print(stderr, "sipflow: --fail-on not evaluated: {}\n", flows::describe(v));
    }
  }
  return status;
}

class StatsCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* cmd = app.add_subcommand(
        "stats",
        "Response-code audit: requests by method, responses by code, method x code, hosts, "
        "User-Agents, retransmissions, failures, Reason/Warning headers and the RFC 6076 "
        "metrics (SER, SEER, ISA, SCR, RRD, SRD, SDD, SDT); --fail-on makes it a CI gate");
    add_common_options(*cmd, common_);
    auto* json = cmd->add_flag("--json", common_.json,
                               "The whole report as ONE JSON object on one line (keys: messages, "
                               "methods, codes, matrix, hosts, agents, failures, sessions, "
                               "delays, ...; see docs/STATS.md)");
    cmd->add_flag("--csv", so_.csv, "The report as CSV rows section,key,... (see docs/STATS.md)")
        ->excludes(json);
    cmd->add_option("--fail-on", so_.fail_on,
                    "Exit 1 when any condition holds, e.g. '5xx>0,ser<0.95,code:503>10,"
                    "method:INVITE<1,retransmissions>100,srd.p95>2' (ratios are fractions 0..1, "
                    "delays seconds; operators > >= < <= == !=)")
        ->type_name("EXPR");
    add_filter_options(*cmd, calls_);
    add_correlation_options(*cmd, calls_);
    return cmd;
  }
  int run(const std::atomic<bool>& stop) override { return run_stats(common_, calls_, so_, stop); }

 private:
  CommonOptions common_;
  CallOptions calls_;
  StatsFlags so_;
};

}  // namespace

std::unique_ptr<Command> make_stats_command() {
  return std::make_unique<StatsCommand>();
}

}  // namespace sipflow::cli
