// `sipflow flow`: ladder diagrams of selected calls, in every format.

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>

#include "commands.hpp"
#include "report.hpp"
#include "sipflow/flows/correlator.hpp"
#include "sipflow/flows/ladder.hpp"
#include "sipflow/render/escape.hpp"
#include "sipflow/render/ladder_formats.hpp"

namespace sipflow::cli {
namespace {

constexpr std::size_t kMaxLegsPerDiagram = 20;

struct FlowOptions {
  CommonOptions common;
  CallOptions calls;
  std::uint64_t index = 0;
  bool related = false;
  bool each = false;
  std::string format;
  std::string output;
  bool by_host = false;
  bool merge_elements = false;
  std::vector<std::string> aliases;
  std::string alias_file;
  int width = -1;
  std::string time = "rel";
  bool sdp = false;
  bool full = false;
  bool frames = false;
  bool no_legend = false;
  bool no_tooltips = false;
  bool no_title = false;
  bool autonumber = false;
  std::vector<std::string> notes;
  std::string rankdir = "LR";
};

// Collects the calls to draw. Calls that do not match are dropped as soon
// as they finish, except possible legs of a matching call with --related.
// With a `stream` function (a topology, or --each, without --related), a
// selected call goes to it as soon as it finishes and is then dropped, so
// memory stays flat however many calls the capture holds.
class Collector final : public flows::CallSink {
 public:
  using Stream = std::function<void(const flows::Call&)>;
  Collector(const FlowOptions& o, const flows::CallFilter& f, Stream stream)
      : o_(o), filter_(f), stream_(std::move(stream)) {}

  void on_call(flows::Call& c) override {
    bool selected = (o_.index == 0 || c.index == o_.index) && filter_.matches(c);
    if (selected && stream_) {
      stream_(c);
      ++streamed_;
    } else if (selected) {
      selected_groups_.insert(c.group);
      calls_.push_back(std::move(c));
    } else if (o_.related && !c.links.empty()) {
      calls_.push_back(std::move(c));  // may be a leg of a selected call
    }
  }

  /// How many calls went to the stream function.
  std::size_t streamed() const { return streamed_; }

  /// Groups of calls to draw, each in order of start.
  std::vector<std::vector<const flows::Call*>> groups() const {
    std::map<std::string, std::vector<const flows::Call*>> by_group;
    std::vector<std::string> order;
    for (const auto& c : calls_) {
      bool selected = (o_.index == 0 || c.index == o_.index) && filter_.matches(c);
      bool wanted = selected || (o_.related && selected_groups_.count(c.group) > 0);
      if (!wanted) continue;
      std::string key = o_.related ? c.group : c.call_id;
      if (!by_group.count(key)) order.push_back(key);
      by_group[key].push_back(&c);
    }
    std::vector<std::vector<const flows::Call*>> out;
    for (const auto& k : order) {
      auto g = by_group[k];
      std::stable_sort(g.begin(), g.end(), [](auto* a, auto* b) { return a->start < b->start; });
      out.push_back(std::move(g));
    }
    return out;
  }

 private:
  const FlowOptions& o_;
  const flows::CallFilter& filter_;
  Stream stream_;
  std::size_t streamed_ = 0;
  std::vector<flows::Call> calls_;
  std::set<std::string> selected_groups_;
};

/// The file name for `c` in --each: start time and the Call-ID's safe
/// characters. Two calls can map to one name (same start, Call-IDs that
/// differ only in unsafe characters or past 80 bytes): `used` holds the names
/// taken in this run, and a taken one gets "-2", "-3", ... so no diagram
/// overwrites another.
std::string file_name(const flows::Call& c, std::string_view ext, std::set<std::string>& used) {
  std::string name;
  append_iso8601(name, c.start);
  name.erase(
      std::remove_if(name.begin(), name.end(), [](char ch) { return ch == '-' || ch == ':'; }),
      name.end());
  name += "_";
  for (char ch : c.call_id.substr(0, 80)) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '-' || ch == '_';
    name += ok ? ch : '_';
  }
  std::string candidate = name + "." + std::string(ext);
  for (int n = 2; !used.insert(candidate).second; ++n)
    candidate = fmt::format("{}-{}.{}", name, n, ext);
  return candidate;
}

/// An output file or directory that cannot be written: the environment, not a
/// bug, so one `sipflow: error:` line and kExitCannotWrite.
struct OutputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
constexpr int kExitCannotWrite = 73;  // docs/EXIT_CODES.md (sysexits EX_CANTCREAT)

[[noreturn]] void cannot_write(const std::string& path, const std::string& reason) {
  throw OutputError("cannot write " + render::terminal_safe(path) + ": " + reason);
}

void write_file(const std::string& path, const std::string& data) {
  errno = 0;
  std::ofstream f(path, std::ios::binary);
  if (!f) cannot_write(path, errno ? std::strerror(errno) : "cannot open");
  f << data;
  f.flush();
  if (!f) cannot_write(path, errno ? std::strerror(errno) : "write failed");
}

// The --each directory, made with its parents; an existing file is no directory.
std::filesystem::path output_dir(const std::string& dir) {
  std::filesystem::path p = std::filesystem::path(dir).lexically_normal();
  std::error_code ec;
  std::filesystem::create_directories(p, ec);
  if (ec) cannot_write(dir, ec.message());
  if (!std::filesystem::is_directory(p)) cannot_write(dir, "not a directory");
  return p;
}

// True when alias key `key` ("10.0.0.1" or "10.0.0.1:5060") names `address`
// ("10.0.0.1:5060", "[::1]:5060", or a bare host with --by-host).
bool alias_names(const std::string& key, const std::string& address) {
  if (key == address) return true;
  if (address.front() == '[') {  // "[::1]:5060"
    std::size_t close = address.find(']');
    return close != std::string::npos && key == address.substr(1, close - 1);
  }
  std::size_t colon = address.find(':');
  return colon != std::string::npos && address.find(':', colon + 1) == std::string::npos &&
         key == address.substr(0, colon);
}

// An --alias or alias-file line that names no column drawn is most likely a typo.
void warn_unused_aliases(const std::map<std::string, std::string>& aliases,
                         const std::set<std::string>& drawn) {
  for (const auto& [key, name] : aliases) {
    bool used = std::any_of(drawn.begin(), drawn.end(),
                            [&k = key](const std::string& a) { return alias_names(k, a); });
    if (!used) {
      fmt::print(stderr, "sipflow: warning: alias {}={} matches no endpoint in the diagram\n",
                 render::terminal_safe(key), render::terminal_safe(name));
    }
  }
}

// Writes `text` to `path`, or to stdout when `path` is "".
void emit(const std::string& path, const std::string& text) {
  if (path.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else {
    write_file(path, text);
  }
}

int run_flow(FlowOptions& o, const std::atomic<bool>& stop) {
  require_input(o.common);
  // What to draw, and how.
  render::LadderFormat format = render::LadderFormat::Ascii;
  if (!o.format.empty()) {
    auto f = render::parse_ladder_format(o.format);
    if (!f) throw CLI::ValidationError("--format", "unknown format '" + o.format + "'");
    format = *f;
  } else if (!o.output.empty() && !o.each) {
    format = render::format_for_path(o.output).value_or(render::LadderFormat::Ascii);
  }
  if (o.each && o.output.empty())
    throw CLI::ValidationError("--each", "needs -o DIR/ to write the files into");
  flows::LadderOptions lo;
  lo.by_host = o.by_host;
  lo.merge_elements = o.merge_elements;
  if (!o.alias_file.empty()) {
    std::ifstream f(o.alias_file);
    if (!f) throw CLI::ValidationError("--alias-file", "cannot read " + o.alias_file);
    std::string text((std::istreambuf_iterator<char>(f)), {});
    auto parsed = flows::parse_alias_file(text);
    if (!parsed) {
      throw CLI::ValidationError("--alias-file", fmt::format("{}: line {} is not ADDR=NAME",
                                                             o.alias_file, parsed.error().offset));
    }
    lo.aliases = *parsed;
  }
  for (const auto& a : o.aliases) {
    auto parsed = flows::parse_alias(a);
    if (!parsed) throw CLI::ValidationError("--alias", "'" + a + "' is not ADDR=NAME");
    lo.aliases[parsed->first] = parsed->second;
  }
  render::RenderOptions ro;
  ro.full = o.full;
  ro.ascii.unicode = !o.common.ascii;
  bool to_terminal = o.output.empty() && ::isatty(1) == 1;
  // --color always colours a file too; auto only a terminal.
  ro.ascii.color = o.common.color == ColorMode::Always ||
                   (o.output.empty() && use_color(o.common.color, stdout));
  ro.ascii.width = o.width >= 0 ? o.width : (to_terminal ? terminal_width(stdout) : 0);
  ro.ascii.sdp = o.sdp;
  ro.ascii.full = o.full;
  ro.ascii.frames = o.frames;
  ro.ascii.legend = !o.no_legend;
  static const std::map<std::string, render::AsciiOptions::Time> kTimes = {
      {"rel", render::AsciiOptions::Time::Relative},
      {"abs", render::AsciiOptions::Time::Absolute},
      {"delta", render::AsciiOptions::Time::Delta},
      {"none", render::AsciiOptions::Time::None}};
  ro.ascii.time = kTimes.at(o.time);
  ro.ascii.title = !o.no_title;
  static const std::map<std::string, render::SvgOptions::Time> kSvgTimes = {
      {"rel", render::SvgOptions::Time::Relative},
      {"abs", render::SvgOptions::Time::Absolute},
      {"delta", render::SvgOptions::Time::Delta},
      {"none", render::SvgOptions::Time::None}};
  ro.svg.time = kSvgTimes.at(o.time);
  ro.svg.sdp = o.sdp;
  ro.svg.frames = o.frames;
  ro.svg.legend = !o.no_legend;
  ro.svg.tooltips = !o.no_tooltips;
  ro.svg.title = !o.no_title;
  for (const auto& n : o.notes) {
    ro.mermaid.time_notes = ro.mermaid.time_notes || n == "time";
    ro.mermaid.sdp_notes = ro.mermaid.sdp_notes || n == "sdp";
  }
  if (o.sdp) ro.mermaid.sdp_notes = true;
  ro.mermaid.details = !o.no_legend;
  ro.mermaid.autonumber = o.autonumber;
  ro.mermaid.title = !o.no_title;
  ro.dot.details = !o.no_legend;
  ro.dot.title = !o.no_title;
  ro.dot.left_to_right = o.rankdir == "LR";
  if (render::is_binary(format) && to_terminal) {
    throw CLI::ValidationError("--format", "binary output: give -o FILE or redirect stdout");
  }

  flows::CallFilter filter = o.calls.filter();
  flows::CorrelatorOptions co = o.calls.correlator();
  co.keep_messages = true;
  Report report(o.common.quiet);
  report.set_files(o.common.input.files);
  Diagnostics diag;
  bool topology = format == render::LadderFormat::Dot || format == render::LadderFormat::DotSvg ||
                  format == render::LadderFormat::DotPng;
  // Every column address drawn, to warn about an alias that names none.
  std::set<std::string> drawn;
  auto ladder_of = [&](const std::vector<const flows::Call*>& calls) {
    flows::Ladder l = flows::build_ladder(calls, lo);
    for (const auto& col : l.columns)
      drawn.insert(col.addresses.begin(), col.addresses.end());
    return l;
  };
  render::TopologyAccumulator counted;
  bool counting = topology && !o.each && !o.related;
  bool each_stream = o.each && !o.related;  // each file written as its call finishes
  std::filesystem::path dir = o.each ? output_dir(o.output) : std::filesystem::path{};
  std::set<std::string> used;
  auto write_each = [&](const std::vector<const flows::Call*>& g) {
    std::string path = (dir / file_name(*g.front(), render::extension_of(format), used)).string();
    write_file(path, render::render_ladder(ladder_of(g), format, ro));
  };
  Collector::Stream stream;
  if (counting) stream = [&](const flows::Call& c) { counted.add(ladder_of({&c})); };
  if (each_stream) stream = [&](const flows::Call& c) { write_each({&c}); };
  Collector collector(o, filter, std::move(stream));
  flows::Correlator correlator(co, diag, collector);
  ForwardingSink sink(correlator, [&](const auto& meta, auto bytes, auto e) {
    report.unparseable(meta, bytes, e);
  });
  RunTotals totals = run_pipeline(
      o.common.input, diag, sink, stop, [&](const std::string& e) { report.input_error(e); }, {},
      [&](Timestamp now) { correlator.advance(now); });
  correlator.finish();
  auto groups = collector.groups();
  int status = totals.inputs_failed > 0 ? kExitBadInput : kExitOk;
  if (counting && counted.calls() > 0) {  // the topology of any number of calls
    auto out = format == render::LadderFormat::Dot      ? render::TopologyOutput::Dot
               : format == render::LadderFormat::DotSvg ? render::TopologyOutput::Svg
                                                        : render::TopologyOutput::Png;
    std::string text = render::render_topology(counted.nodes(), counted.edges(), out, ro.dot);
    emit(o.output, text);
    warn_unused_aliases(lo.aliases, drawn);
    report.summary(totals, diag);
    return status;
  }

  std::size_t written = collector.streamed();
  if (each_stream && written > 0) groups.clear();
  if (groups.empty() && written == 0) {
    fmt::print(stderr, "sipflow: no call matches the selection ({} calls read)\n",
               correlator.calls_emitted());
    report.summary(totals, diag);
    return status == kExitOk ? kExitNoMatch : status;
  }
  if (o.each) {
    for (const auto& g : groups)
      write_each(g);
    written += groups.size();
    fmt::print(stderr, "sipflow: wrote {} diagram{} to {}\n", written, written == 1 ? "" : "s",
               render::terminal_safe(o.output));
  } else {
    std::vector<const flows::Call*> all;
    for (const auto& g : groups)
      all.insert(all.end(), g.begin(), g.end());
    if (all.size() > kMaxLegsPerDiagram && !topology) {
      fmt::print(stderr,
                 "sipflow: {} calls match; narrow the selection (--call-id, --index, filters) or "
                 "write one file per call with --each -o DIR/\n",
                 all.size());
      report.summary(totals, diag);
      return kExitUsage;
    }
    std::string text = render::render_ladder(ladder_of(all), format, ro);
    emit(o.output, text);
  }
  warn_unused_aliases(lo.aliases, drawn);
  report.summary(totals, diag);
  return status;
}

class FlowCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* cmd = app.add_subcommand(
        "flow",
        "Draw the ladder (sequence) diagram of selected calls as ascii, svg, mermaid or json, "
        "or their host topology with Graphviz (dot, dot-svg, dot-png)");
    add_common_options(*cmd, o_.common);
    const char* s = "Selecting calls";
    cmd->add_option("--index", o_.index, "The N-th call, as numbered by `sipflow calls` (1-based)")
        ->type_name("N")
        ->group(s);
    cmd->add_flag("--related", o_.related,
                  "Also draw the legs linked to the selected calls (B2BUA, SBC, transfer)")
        ->group(s);
    add_filter_options(*cmd, o_.calls);
    const char* f = "Diagram";
    std::string names;
    for (auto n : render::ladder_format_names())
      names += (names.empty() ? "" : ", ") + std::string(n);
    cmd->add_option("--format", o_.format,
                    "Output format: " + names + " (default: from -o's extension, else ascii)")
        ->type_name("FMT")
        ->group(f);
    cmd->add_option("-o,--output", o_.output, "Write to FILE (or into DIR/ with --each)")
        ->type_name("PATH")
        ->group(f);
    cmd->add_flag("--each", o_.each,
                  "One file per selected call (or linked group), named by time and Call-ID")
        ->group(f);
    cmd->add_flag("--by-host", o_.by_host, "One column per host (IP) instead of per ip:port")
        ->group(f);
    cmd->add_flag("--merge-elements", o_.merge_elements,
                  "One column per element: addresses joined by Via and double Record-Route")
        ->group(f);
    cmd->add_option("--alias", o_.aliases,
                    "Name a column: 10.0.0.1=PBX or 10.0.0.1:5060=PBX (repeatable)")
        ->type_name("ADDR=NAME")
        ->allow_extra_args(false)
        ->group(f);
    cmd->add_option("--alias-file", o_.alias_file, "Read ADDR=NAME lines from FILE")
        ->type_name("FILE")
        ->group(f);
    cmd->add_option("--width", o_.width, "Fit ascii output to N columns (default: the terminal's)")
        ->type_name("N")
        ->group(f);
    cmd->add_option("--time", o_.time,
                    "Time column: rel (since first message), abs (UTC), delta, none")
        ->check(CLI::IsMember({"rel", "abs", "delta", "none"}))
        ->option_text("WHAT")
        ->group(f);
    cmd->add_flag("--sdp", o_.sdp, "Show the SDP summary (codecs, media address) under arrows")
        ->group(f);
    cmd->add_flag("--full", o_.full, "Include the full text of every message")->group(f);
    cmd->add_flag("--frames", o_.frames, "Show frame numbers")->group(f);
    cmd->add_flag("--no-legend", o_.no_legend,
                  "No addresses, user agents or colour key beside the diagram")
        ->group(f);
    cmd->add_flag("--no-title", o_.no_title, "No call summary above the diagram")->group(f);
    cmd->add_flag(
           "--no-tooltips", o_.no_tooltips,
           "svg: no hover tooltip with the whole message on each arrow (e.g. before sharing)")
        ->group(f);
    cmd->add_option("--notes", o_.notes, "mermaid: add notes with time and/or sdp (comma list)")
        ->delimiter(',')
        ->allow_extra_args(false)
        ->check(CLI::IsMember({"time", "sdp"}))
        ->option_text("time,sdp")
        ->group(f);
    cmd->add_flag("--autonumber", o_.autonumber, "mermaid: number the arrows")->group(f);
    cmd->add_option("--rankdir", o_.rankdir,
                    "dot: lay the topology out left to right (LR) or top to bottom (TB)")
        ->check(CLI::IsMember({"LR", "TB"}))
        ->option_text("LR|TB")
        ->group(f);
    add_correlation_options(*cmd, o_.calls);
    return cmd;
  }
  int run(const std::atomic<bool>& stop) override {
    try {
      return run_flow(o_, stop);
    } catch (const OutputError& e) {
      fmt::print(stderr, "sipflow: error: {}\n", e.what());
      return kExitCannotWrite;
    }
  }

 private:
  FlowOptions o_;
};

}  // namespace

std::unique_ptr<Command> make_flow_command() {
  return std::make_unique<FlowCommand>();
}

}  // namespace sipflow::cli
