// Live capture through libpcap. pcap.h stays in this file.

#include "sipflow/capture/live_source.hpp"

#include <pcap/pcap.h>
#include <poll.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>

namespace sipflow::capture {
namespace {

struct PcapCloser {
  void operator()(pcap_t* p) const noexcept { pcap_close(p); }
};
using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;

std::string privilege_hint() {
  return "capturing needs root or the cap_net_raw and cap_net_admin capabilities; grant them "
         "with: sudo setcap cap_net_raw,cap_net_admin=eip $(command -v sipflow)";
}

class LiveSource final : public PacketSource {
 public:
  LiveSource(PcapHandle handle, std::string name, const std::atomic<bool>* stop)
      : handle_(std::move(handle)), name_(std::move(name)), stop_(stop) {}

  ReadStatus next(Frame& out) override {
    // The handle is non-blocking and we poll its descriptor ourselves: libpcap
    // restarts its own poll() after a signal, which would hide Ctrl-C until
    // the next packet arrives.
    for (;;) {
      if (stop_ != nullptr && stop_->load(std::memory_order_relaxed)) return ReadStatus::End;
      pcap_pkthdr* hdr = nullptr;
      const u_char* data = nullptr;
      int rc = pcap_next_ex(handle_.get(), &hdr, &data);
      if (rc == 1) {
        out.number = ++number_;
        out.ts.ns = static_cast<std::int64_t>(hdr->ts.tv_sec) * 1'000'000'000 +
                    static_cast<std::int64_t>(hdr->ts.tv_usec) * (nano_ ? 1 : 1000);
        out.linktype = linktype_;
        out.wire_len = hdr->len;
        out.interface = 0;
        out.data = {data, hdr->caplen};
        return ReadStatus::Frame;
      }
      if (rc == PCAP_ERROR_BREAK) return ReadStatus::End;
      if (rc < 0) {
        error_ = pcap_geterr(handle_.get());
        return ReadStatus::Error;
      }
      pollfd pfd{pcap_get_selectable_fd(handle_.get()), POLLIN, 0};
      int ready = ::poll(&pfd, 1, poll_ms_);
      if (ready == 0) {  // the poll interval passed with nothing: report the clock
        auto now = std::chrono::system_clock::now().time_since_epoch();
        out.ts.ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
        return ReadStatus::Idle;
      }
      if (ready < 0 && errno != EINTR) {
        error_ = std::string("poll: ") + std::strerror(errno);
        return ReadStatus::Error;
      }
    }
  }

  std::string_view error() const override { return error_; }
  std::string_view name() const override { return name_; }

  std::optional<LiveStats> live_stats() const override {
    pcap_stat st{};
    if (pcap_stats(handle_.get(), &st) != 0) return std::nullopt;
    return LiveStats{st.ps_recv, st.ps_drop, st.ps_ifdrop};
  }

  void set_format(int linktype, bool nano, int poll_ms) {
    linktype_ = static_cast<std::uint32_t>(linktype);
    nano_ = nano;
    poll_ms_ = poll_ms;
  }

 private:
  PcapHandle handle_;
  std::string name_;
  const std::atomic<bool>* stop_;
  std::uint32_t linktype_ = 0;
  bool nano_ = false;
  int poll_ms_ = 200;
  std::uint64_t number_ = 0;
  std::string error_;
};

void check(pcap_t* p, int rc, const std::string& what) {
  if (rc == 0) return;
  std::string msg = what + ": " + pcap_geterr(p);
  if (rc == PCAP_ERROR_PERM_DENIED) msg += "; " + privilege_hint();
  throw InputError(msg);
}

}  // namespace

std::unique_ptr<PacketSource> open_live(const LiveOptions& o, const std::atomic<bool>* stop) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  PcapHandle p(pcap_create(o.interface.c_str(), errbuf));
  if (!p) throw InputError("cannot capture on '" + o.interface + "': " + errbuf);
  pcap_set_snaplen(p.get(), o.snaplen);
  pcap_set_promisc(p.get(), o.promiscuous ? 1 : 0);
  pcap_set_timeout(p.get(), o.poll_ms);
  pcap_set_immediate_mode(p.get(), o.immediate ? 1 : 0);
  pcap_set_buffer_size(p.get(), o.buffer_mib << 20);
  bool nano = pcap_set_tstamp_precision(p.get(), PCAP_TSTAMP_PRECISION_NANO) == 0;
  int rc = pcap_activate(p.get());
  if (rc < 0) {
    std::string msg = "cannot capture on '" + o.interface + "': ";
    if (rc == PCAP_ERROR_NO_SUCH_DEVICE) {
      msg += "no such interface (list them with: ip -br link)";
    } else if (rc == PCAP_ERROR_PERM_DENIED) {
      msg += std::string(pcap_geterr(p.get())) + "; " + privilege_hint();
    } else {
      msg += pcap_geterr(p.get());
    }
    throw InputError(msg);
  }
  if (!o.bpf_filter.empty()) {
    bpf_program prog{};
    check(p.get(), pcap_compile(p.get(), &prog, o.bpf_filter.c_str(), 1, PCAP_NETMASK_UNKNOWN),
          "bad capture filter '" + o.bpf_filter + "'");
    int set = pcap_setfilter(p.get(), &prog);
    pcap_freecode(&prog);
    check(p.get(), set, "cannot set capture filter");
  }
  char nb_err[PCAP_ERRBUF_SIZE] = {};
  if (pcap_setnonblock(p.get(), 1, nb_err) != 0)
    throw InputError("cannot capture on '" + o.interface + "': " + nb_err);
  int linktype = pcap_datalink(p.get());  // a DLT; the link decoder accepts DLT_RAW's values too
  auto src = std::make_unique<LiveSource>(std::move(p), o.interface, stop);
  src->set_format(linktype, nano, o.poll_ms);
  return src;
}

}  // namespace sipflow::capture
