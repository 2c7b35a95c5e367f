#pragma once
// A live HEP collector: a UDP socket that HEP agents (Kamailio siptrace,
// OpenSIPS proto_hep, heplify, captagent, FreeSWITCH) send to.

#include <atomic>
#include <memory>
#include <string>

#include "sipflow/capture/frame.hpp"

namespace sipflow::capture {

/// Opens a UDP socket receiving HEP packets. `spec` is "udp:HOST:PORT" or
/// "HOST:PORT", HOST a numeric IPv4 address or an IPv6 one in brackets
/// ("udp:[::1]:9060"); port 0 binds any free port.
///
/// next() turns each datagram into one Frame: linktype kLinktypeHepDatagram
/// (hep.hpp), number counting from 1, `ts` the wall-clock receive time, and
/// `data` the datagram (borrowed until the next call). PacketDecoder decodes
/// such frames as HEP, so the payloads carry the addresses, transport and
/// time the HEP packets report. next() returns Idle (with `ts` = now) when
/// nothing arrived within `poll_ms`, End once `*stop` is true, Error if the
/// socket fails. name() is "udp:HOST:PORT" with the port actually bound.
///
/// Throws InputError when `spec` is malformed or the socket cannot be bound
/// (port in use, address not local, no permission). `stop` may be nullptr;
/// otherwise it must outlive the source.
std::unique_ptr<PacketSource> open_hep_listener(const std::string& spec,
                                                const std::atomic<bool>* stop = nullptr,
                                                int poll_ms = 200);

}  // namespace sipflow::capture
