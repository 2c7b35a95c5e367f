#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/<target>/ from the repository's real data.

    python3 fuzz/make_seeds.py          # needs tshark (Debian: tshark)

Sources: the RFC 4475 torture messages (tests/data/rfc4475/*.dat) and the
sample captures (samples/*.pcap, samples/*.pcapng). SIP payloads come out of
the captures through tshark (IP fragments reassembled by it); frames are read
from the files directly. Each target gets its input layout (see the comment
at the top of fuzz/<target>.cpp). The output is deterministic; the script
replaces only files it writes (names start with "seed-").
"""

import glob
import hashlib
import os
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
SAMPLES = sorted(glob.glob(os.path.join(ROOT, "samples", "*.pcap")) +
                 glob.glob(os.path.join(ROOT, "samples", "*.pcapng")))
RFC4475 = sorted(glob.glob(os.path.join(ROOT, "tests", "data", "rfc4475", "*.dat")))


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def clean(target):
    d = os.path.join(CORPUS, target)
    for p in glob.glob(os.path.join(d, "seed-*")):
        os.remove(p)


# ---- captures ---------------------------------------------------------------

def read_frames(path):
    """(linktype, ts_ns, bytes) of every packet of a pcap or pcapng file."""
    data = open(path, "rb").read()
    frames = []
    magic = struct.unpack_from("<I", data, 0)[0]
    if magic == 0x0A0D0D0A:  # pcapng, little-endian sections only (all samples are)
        pos, links, tsres = 0, [], []
        while pos + 12 <= len(data):
            btype, blen = struct.unpack_from("<II", data, pos)
            body = data[pos + 8:pos + blen - 4]
            if btype == 0x0A0D0D0A:
                links, tsres = [], []
            elif btype == 1:
                links.append(struct.unpack_from("<H", body, 0)[0])
                res, opos = 6, 8
                while opos + 4 <= len(body):
                    code, olen = struct.unpack_from("<HH", body, opos)
                    if code == 0:
                        break
                    if code == 9 and olen >= 1:
                        res = body[opos + 4]
                    opos += 4 + (olen + 3) // 4 * 4
                tsres.append(res)
            elif btype == 6:
                iface, hi, lo, caplen, _ = struct.unpack_from("<IIIII", body, 0)
                units = hi << 32 | lo
                ns = units * 10 ** (9 - tsres[iface]) if tsres[iface] <= 9 else units
                frames.append((links[iface], ns, body[20:20 + caplen]))
            pos += blen
        return frames
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    nano = struct.unpack_from(endian + "I", data, 0)[0] == 0xA1B23C4D
    linktype = struct.unpack_from(endian + "I", data, 20)[0] & 0xFFFF
    pos = 24
    while pos + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack_from(endian + "IIII", data, pos)
        ns = sec * 10 ** 9 + frac * (1 if nano else 1000)
        frames.append((linktype, ns, data[pos + 16:pos + 16 + caplen]))
        pos += 16 + caplen
    return frames


def sip_payloads(path):
    """(ts_ns, src, dst, payload) of each SIP message tshark finds in a capture."""
    out = subprocess.run(
        ["tshark", "-r", path, "-Y", "sip", "-T", "fields", "-E", "separator=|",
         "-e", "frame.time_epoch", "-e", "ip.src", "-e", "ipv6.src", "-e", "udp.srcport",
         "-e", "ip.dst", "-e", "ipv6.dst", "-e", "udp.dstport", "-e", "udp.payload"],
        check=True, capture_output=True, text=True).stdout
    msgs = []
    for line in out.splitlines():
        t, s4, s6, sp, d4, d6, dp, hexdata = line.split("|")
        if not hexdata:
            continue
        ns = int(round(float(t) * 1e9))
        msgs.append((ns, f"{s4 or s6}:{sp}", f"{d4 or d6}:{dp}", bytes.fromhex(hexdata)))
    return msgs


def sdp_body(msg):
    head, sep, body = msg.partition(b"\r\n\r\n")
    return body if sep and b"application/sdp" in head.lower() and body else None


# ---- FuzzedDataProvider layout ------------------------------------------------
# FDP reads integers from the end of the input, most significant byte first,
# and byte strings from the front. `ints` lists the integer bytes in the order
# FDP consumes them; the file is the front bytes then those bytes reversed.

def fdp_file(front, ints):
    return bytes(front) + bytes(reversed(ints))


def packet_seed(frames, linktype_index):
    front, ints = bytearray(), [linktype_index]
    for _, _, data in frames:
        data = data[:65535]
        ints += [len(data) >> 8, len(data) & 0xFF, 0x02]  # flags: 1 ms step, not cut
        front += data
    return fdp_file(front, ints)


LINKTYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 105, 127, 9999]  # as in packet_fuzz.cpp


def framing_seed(stream, cuts):
    # Layout read by framing_fuzz.cpp: small_limits (bool), validate (bool),
    # number of cuts (0..24), then per cut a 16-bit offset and an event (0..4).
    ints = [0, 1, len(cuts)]
    for at, event in cuts:
        ints += [at >> 8, at & 0xFF, event]
    return fdp_file(stream, ints)


def correlator_seed(msgs, options=0x18):
    out = bytearray([options])
    endpoints, prev = {}, None
    steps = [0, 1_000_000, 5_000_000, 500_000_000, 5_000_000_000, 40_000_000_000,
             200_000_000_000, 7_300_000_000_000]
    for ts, src, dst, payload in msgs:
        s = endpoints.setdefault(src, len(endpoints) % 4)
        d = endpoints.setdefault(dst, len(endpoints) % 4)
        gap = 0 if prev is None else ts - prev
        step = max(i for i, v in enumerate(steps) if v <= max(gap, 0))
        prev = ts
        out += b"\x1e" + bytes([s | d << 2 | step << 4]) + payload
    return bytes(out)


def main():
    for t in ("sip_message_fuzz", "sdp_fuzz", "framing_fuzz", "packet_fuzz", "pcap_file_fuzz",
              "correlator_fuzz", "render_fuzz"):
        clean(t)

    torture = {os.path.basename(p)[:-4]: open(p, "rb").read() for p in RFC4475}
    for name, msg in torture.items():
        write("sip_message_fuzz", "rfc4475-" + name, msg)
        write("render_fuzz", "rfc4475-" + name, msg)
        if (body := sdp_body(msg)) is not None:
            write("sdp_fuzz", "rfc4475-" + name, body)
    write("sdp_fuzz", "rfc4475-mpart01-body", torture["mpart01"].partition(b"\r\n\r\n")[2])
    # Streams of torture messages back to back, cut inside lines.
    for a, b in (("wsinv", "intmeth"), ("dblreq", "esc01"), ("ncl", "unreason"),
                 ("clerr", "mcl01"), ("lwsstart", "trws")):
        stream = torture[a] + torture[b]
        write("framing_fuzz", f"rfc4475-{a}-{b}", framing_seed(stream, []))
        cuts = [(len(torture[a]) - 3, 0), (len(torture[a]) + 7, 0)]
        write("framing_fuzz", f"rfc4475-{a}-{b}-cut", framing_seed(stream, cuts))

    seen = set()
    for path in SAMPLES:
        base = os.path.basename(path).replace(".", "_")
        msgs = sip_payloads(path)
        frames = read_frames(path)
        write("pcap_file_fuzz", base, open(path, "rb").read())
        lt = frames[0][0]
        write("packet_fuzz", base, packet_seed(frames, LINKTYPES.index(lt)))
        if msgs:
            write("correlator_fuzz", base, correlator_seed(msgs))
            stream = b"".join(m[3] for m in msgs)
            cuts = [(len(msgs[0][3]) // 2, 0), (len(msgs[0][3]) + len(msgs[1][3]) - 10, 2)]
            write("framing_fuzz", base, framing_seed(stream, cuts))
        for ts, src, dst, payload in msgs:
            h = hashlib.sha1(payload).hexdigest()[:12]
            # SIPp captures repeat the same messages; keep one of each shape.
            shape = payload.split(b"\r\n", 1)[0][:40] + bytes([len(payload) // 64])
            if shape in seen:
                continue
            seen.add(shape)
            write("sip_message_fuzz", f"{base}-{h}", payload)
            if (body := sdp_body(payload)) is not None:
                write("sdp_fuzz", f"{base}-{h}", body)

    # Strings the escapers must make inert.
    for name, s in {
        "ansi": b"\x1b[31mred\x1b[0m \x1b]0;title\x07 \x9b2J",
        "bidi": "user\u202egnp.exe \u2066x\u2069 \u200f".encode(),
        "c1": "\u0085\u009b31m".encode(),
        "wide": "\u4e2d\u6587 \U0001f4de caf\u00e9 e\u0301".encode(),
        "invalid": b"\xff\xfe\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82",
        "formula": b"=HYPERLINK(\"http://x\",\"y\"),+1,-2,@SUM(A1)",
        "xml": b"<script>alert('x')</script> & \"q\" \x01\x0b\xef\xbf\xbe",
        "lsep": "a\u2028b\u2029c".encode(),
    }.items():
        write("render_fuzz", name, s)


if __name__ == "__main__":
    sys.exit(main())
