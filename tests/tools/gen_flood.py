#!/usr/bin/env python3
"""Writes a pcap of N SIP OPTIONS requests, each with its own Call-ID and no
response: the shape of a scanner flooding a PBX. Used by the memory-bound
test (a million distinct Call-IDs must not grow memory past the open-call
cap). Ethernet / IPv4 / UDP, classic microsecond pcap, streamed.

usage: gen_flood.py N OUT.pcap [HEADER-LINE]

HEADER-LINE, e.g. "P-Charging-Vector: icid-value=x", is added to every
request: N calls that all claim to be legs of one call.
"""
import struct
import sys


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    extra = sys.argv[3] + "\r\n" if len(sys.argv) > 3 else ""
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t_us = 1_700_000_000 * 1_000_000
        buf = []
        for i in range(n):
            src = (10 << 24) | (1 << 16) | (i % 250 + 1)
            msg = (
                f"OPTIONS sip:100@192.0.2.1 SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP 10.1.0.{i % 250 + 1}:5060;branch=z9hG4bK{i:x}\r\n"
                f"Max-Forwards: 70\r\n"
                f"From: <sip:scan@10.1.0.{i % 250 + 1}>;tag={i:x}\r\n"
                f"To: <sip:100@192.0.2.1>\r\n"
                f"Call-ID: flood-{i}@10.1.0.{i % 250 + 1}\r\n"
                f"CSeq: 1 OPTIONS\r\n"
                f"User-Agent: friendly-scanner\r\n"
                f"{extra}"
                f"Content-Length: 0\r\n\r\n"
            ).encode()
            udp = struct.pack("!HHHH", 5060, 5060, 8 + len(msg), 0) + msg
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i & 0xFFFF, 0, 64, 17, 0,
                             struct.pack("!I", src), struct.pack("!I", 0xC0000201)) + udp
            frame = b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x08\x00" + ip
            t = t_us + i * 100
            buf.append(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, len(frame), len(frame)))
            buf.append(frame)
            if len(buf) >= 20000:
                f.write(b"".join(buf))
                buf.clear()
        f.write(b"".join(buf))


if __name__ == "__main__":
    main()
