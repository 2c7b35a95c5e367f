// `sipflow messages`: one line (or one JSON object) per SIP message.

#include <fmt/format.h>

#include "commands.hpp"
#include "report.hpp"
#include "sipflow/decode/chars.hpp"
#include "sipflow/decode/grammar.hpp"
#include "sipflow/render/escape.hpp"
#include "sipflow/render/json_writer.hpp"

namespace sipflow::cli {
namespace {

class MessagePrinter final : public decode::MessageSink {
 public:
  MessagePrinter(const CommonOptions& o, Output& out, Report& report)
      : o_(o), out_(out), report_(report), palette_(use_color(o.color, stdout)) {}

  void set_files(const std::vector<std::string>& files) { files_ = &files; }

  void on_message(const decode::MessageMeta& meta, const decode::SipMessage& m) override {
    if (o_.json) {
      json(meta, m);
    } else {
      text(meta, m);
    }
    out_.maybe_flush();
  }

  void on_unparseable(const decode::MessageMeta& meta, std::string_view bytes,
                      Error error) override {
    report_.unparseable(meta, bytes, error);
  }

 private:
  void json(const decode::MessageMeta& meta, const decode::SipMessage& m) {
    std::string& b = out_.buffer();
    render::JsonWriter w(b);
    w.begin_object();
    if (files_ != nullptr && files_->size() > 1) w.field("file", (*files_)[meta.file]);
    w.field("frame", meta.frame);
    w.field("ts", meta.ts);
    src_.clear();
    meta.src.append_to(src_);
    w.field("src", std::string_view(src_));
    src_.clear();
    meta.dst.append_to(src_);
    w.field("dst", std::string_view(src_));
    w.field("transport", to_string(meta.transport));
    if (m.is_request()) {
      w.field("method", m.method());
      w.field("request_uri", m.request_uri());
    } else {
      w.field("status", m.status());
      w.field("reason", m.reason());
    }
    w.field("call_id", m.call_id());
    std::string_view cseq_text = decode::trim(m.first(decode::HeaderId::CSeq));
    w.field("cseq", cseq_text);
    if (auto cseq = decode::parse_cseq(cseq_text)) {
      w.field("cseq_num", static_cast<std::uint64_t>(cseq->number));
      w.field("cseq_method", cseq->method);
    }
    auto from = decode::parse_name_addr(decode::first_element(m.first(decode::HeaderId::From)));
    auto to = decode::parse_name_addr(decode::first_element(m.first(decode::HeaderId::To)));
    if (from) {
      w.field("from", from->uri.text);
      if (!from->tag.empty()) w.field("from_tag", from->tag);
    }
    if (to) {
      w.field("to", to->uri.text);
      if (!to->tag.empty()) w.field("to_tag", to->tag);
    }
    if (auto via = decode::parse_via(decode::first_element(m.first(decode::HeaderId::Via)))) {
      if (!via->branch.empty()) w.field("branch", via->branch);
    }
    std::string_view ua =
        m.first(m.is_request() ? decode::HeaderId::UserAgent : decode::HeaderId::Server);
    if (!ua.empty()) w.field(m.is_request() ? "user_agent" : "server", ua);
    std::string_view ctype = m.first(decode::HeaderId::ContentType);
    if (!ctype.empty()) w.field("content_type", decode::trim(ctype));
    w.field("body_length", static_cast<std::uint64_t>(m.body().size()));
    if (m.notes().body_truncated) w.field("truncated", true);
    w.end_object();
    b.push_back('\n');
  }

  void text(const decode::MessageMeta& meta, const decode::SipMessage& m) {
    std::string& b = out_.buffer();
    fmt::format_to(std::back_inserter(b), "{}{:>6}{}  ", palette_.dim(), meta.frame,
                   palette_.reset());
    append_time_of_day(b, meta.ts);
    src_.clear();
    meta.src.append_to(src_);
    src_ += o_.ascii ? " -> " : " → ";
    meta.dst.append_to(src_);
    std::size_t width = render::display_width(src_);
    b += "  ";
    b += src_;
    b.append(width < 44 ? 44 - width : 1, ' ');
    fmt::format_to(std::back_inserter(b), "{:<4} ", to_string(meta.transport));
    summary_.clear();
    if (m.is_request()) {
      render::append_terminal_safe(summary_, m.method());
      b += palette_.request();
    } else {
      fmt::format_to(std::back_inserter(summary_), "{} ", m.status());
      render::append_terminal_safe(summary_, m.reason());
      b += palette_.status(m.status());
    }
    b += summary_;
    b += palette_.reset();
    std::size_t sw = render::display_width(summary_);
    b.append(sw < 24 ? 24 - sw : 1, ' ');
    render::append_terminal_safe(b, m.call_id());
    b += "  ";
    render::append_terminal_safe(b, decode::trim(m.first(decode::HeaderId::CSeq)));
    b.push_back('\n');
  }

  const CommonOptions& o_;
  Output& out_;
  Report& report_;
  Palette palette_;
  const std::vector<std::string>* files_ = nullptr;
  std::string src_;
  std::string summary_;
};

}  // namespace

static int run_messages(const CommonOptions& common, const std::atomic<bool>& stop) {
  require_input(common);
  Output out;
  Report report(common.quiet);
  report.set_files(common.input.files);
  Diagnostics diag;
  MessagePrinter printer(common, out, report);
  printer.set_files(common.input.files);
  RunTotals totals = run_pipeline(common.input, diag, printer, stop,
                                  [&](const std::string& e) { report.input_error(e); });
  out.flush();
  report.summary(totals, diag);
  return totals.inputs_failed > 0 ? kExitBadInput : kExitOk;
}

namespace {

class MessagesCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    auto* cmd =
        app.add_subcommand("messages",
                           "List every SIP message: frame, time, src -> dst, transport, method or "
                           "status, Call-ID, CSeq");
    add_common_options(*cmd, o_);
    cmd->add_flag("--json", o_.json,
                  "JSON Lines: one object per message (keys: frame, ts, src, dst, transport, "
                  "method | status+reason, call_id, cseq, ...)");
    return cmd;
  }
  int run(const std::atomic<bool>& stop) override {
    o_.input.validate = true;  // a message listing says what is wrong with each message
    return run_messages(o_, stop);
  }

 private:
  CommonOptions o_;
};

}  // namespace

std::unique_ptr<Command> make_messages_command() {
  return std::make_unique<MessagesCommand>();
}

}  // namespace sipflow::cli
