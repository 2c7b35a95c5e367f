#pragma once
// Capture files: classic pcap (µs or ns, either byte order) and pcapng (any
// number of sections and interfaces, each with its own link type and time
// resolution).
//
// sipflow reads these formats itself instead of through pcap_open_offline():
// libpcap refuses a pcapng whose interfaces have different link types (what
// `dumpcap -i eth0 -i any` writes), and stops at a damaged record without
// saying how much was read. The reader below keeps going where it can and
// counts what it could not use.

#include <cstdint>
#include <memory>
#include <string>

#include "sipflow/capture/diagnostics.hpp"
#include "sipflow/capture/frame.hpp"

namespace sipflow::capture {

/// Opens a capture file, or standard input for "-". Detects the format from
/// the first bytes. Throws InputError when the file cannot be opened, is
/// empty, or is not a pcap/pcapng file. Damage found later (truncated last
/// record, absurd record length, unknown pcapng block) is counted in `diag`
/// under names such as `truncated_record`, and reading stops or skips as the
/// format allows. `diag` must outlive the source.
std::unique_ptr<PacketSource> open_capture_file(const std::string& path, Diagnostics& diag);

}  // namespace sipflow::capture
