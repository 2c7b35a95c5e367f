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


# ---- transport layers of the samples, for the transport targets ---------------

def ip_packet(linktype, data):
    """The IPv4/IPv6 packet inside a frame of the samples' link types, or None."""
    if linktype == 1:
        off, etype = 14, struct.unpack_from(">H", data, 12)[0]
        while etype == 0x8100 and len(data) >= off + 4:
            etype, off = struct.unpack_from(">H", data, off + 2)[0], off + 4
        return data[off:] if etype in (0x0800, 0x86DD) else None
    if linktype == 113:
        return data[16:]
    if linktype == 276:
        return data[20:]
    if linktype == 0:
        return data[4:]
    if linktype in (101, 228, 229):
        return data
    return None


def transport(linktype, data):
    """(proto, src, dst, l4 bytes) of an unfragmented IPv4/IPv6 packet, or None."""
    ip = ip_packet(linktype, data)
    if not ip:
        return None
    if ip[0] >> 4 == 4 and len(ip) >= 20:
        ihl, total = (ip[0] & 15) * 4, struct.unpack_from(">H", ip, 2)[0]
        if struct.unpack_from(">H", ip, 6)[0] & 0x3FFF:
            return None  # a fragment
        return ip[9], ip[12:16], ip[16:20], ip[ihl:total]
    if ip[0] >> 4 == 6 and len(ip) >= 40:
        return ip[6], ip[8:24], ip[24:40], ip[40:40 + struct.unpack_from(">H", ip, 4)[0]]
    return None


def tcp_connections(path):
    """Each TCP connection of a capture as a list of (ts_ns, from_client, seq,
    ack, flags, payload), in capture order; the client sent the first SYN (or
    the first segment)."""
    conns = {}
    for linktype, ts, data in read_frames(path):
        t = transport(linktype, data)
        if not t or t[0] != 6 or len(t[3]) < 20:
            continue
        _, src, dst, tcp = t
        sport, dport, seq, ack, offset, flags = struct.unpack_from(">HHIIBB", tcp, 0)
        a, b = (src, sport), (dst, dport)
        key = (min(a, b), max(a, b))
        c = conns.setdefault(key, {"client": a, "segs": []})
        c["segs"].append((ts, a == c["client"], seq, ack, flags, tcp[(offset >> 4) * 4:]))
    return [c["segs"] for c in conns.values()]


def direction_streams(segs):
    """(isn, bytes) of both directions: ISN + 1 is offset 0 of each stream."""
    out = []
    for d in (True, False):
        mine = [s for s in segs if s[1] == d]
        syn = [s for s in mine if s[4] & 0x02]
        isn = syn[0][2] + 1 if syn else (mine[0][2] if mine else 0)
        buf = bytearray()
        for _, _, seq, _, _, payload in mine:
            rel = (seq - isn) & 0xFFFFFFFF
            if payload and rel < 1 << 20:
                if len(buf) < rel + len(payload):
                    buf += bytes(rel + len(payload) - len(buf))
                buf[rel:rel + len(payload)] = payload
        out.append((isn, bytes(buf)))
    return out


def tcp_seed(conns, cap=6000):
    """Up to 4 connections in tcp_reassembly_fuzz's layout: every direction's
    stream (its first `cap` bytes) back to back in the truth, segments at
    their offsets."""
    truth, bases, records, prev = bytearray(), [], [], None
    conns = conns[:4]
    for segs in conns:
        streams = direction_streams(segs)
        pair = []
        for isn, data in streams:
            pair.append((isn, len(truth)))
            truth += data[:cap]
        bases.append(pair)
    for ci, segs in enumerate(conns):
        for ts, from_client, seq, ack, flags, payload in segs:
            d = 0 if from_client else 1
            isn, base = bases[ci][d]
            peer_isn, peer_base = bases[ci][1 - d]
            kind = 1 if flags & 0x02 else 3 if flags & 0x04 else 2 if flags & 0x01 else 0
            rel = ((seq + 1 if kind == 1 else seq) - isn) & 0xFFFFFFFF
            if rel >= cap:
                continue
            off = base + rel
            ack_v = 0
            if flags & 0x10:
                rel = (ack - peer_isn) & 0xFFFFFFFF
                ack_v = peer_base + rel + 1 if peer_base + rel + 1 <= 65535 else 0
            gap = 0 if prev is None else ts - prev
            prev = ts
            step = 3 if gap > 301e9 else 2 if gap > 11e9 else 1 if gap > 0 else 0
            records.append((ci | d << 2 | kind << 3, step, off, len(payload), ack_v))
    ints = [len(truth) >> 8, len(truth) & 0xFF, 0, len(conns) - 1]
    for meta, step, off, n, ack_v in records:
        ints += [meta, step, off >> 8, off & 0xFF, n >> 8, n & 0xFF, ack_v >> 8, ack_v & 0xFF]
    return fdp_file(truth, ints)


def websocket_raw_seed(stream, cuts):
    # websocket_fuzz: flags 0 (raw), events (offset, no gap), then the stream.
    ints = [0, len(cuts)]
    for at in cuts:
        ints += [at >> 8, at & 0xFF, 0]
    return fdp_file(stream, ints)


def websocket_encode_seed(messages, shapes, small=False):
    # websocket_fuzz encode mode: the messages joined by 0x1E in front, as
    # many integer bytes behind (a shape byte and a 32-bit key per message,
    # then padding), so that the front is exactly half of what is left.
    text = b"\x1e".join(messages)
    a, b = len(text) // 3, len(text) // 2  # two cuts
    ints = [2 | (1 if small else 0), 2, a >> 8, a & 0xFF, 0, b >> 8, b & 0xFF, 0]
    rest = []
    for i, _ in enumerate(messages):
        rest += [shapes[i % len(shapes)], 0x37, 0xFA, 0x21, 0x3D]
    rest += [0] * (len(text) - len(rest))
    return fdp_file(text, ints + rest) if len(rest) == len(text) else None


def hep_packets(path):
    out = []
    for linktype, _, data in read_frames(path):
        t = transport(linktype, data)
        if t and t[0] == 17 and len(t[3]) > 8:
            out.append(t[3][8:])
    return out


def ladder_seed(msgs, b0, b1=0, alias=b""):
    return bytes([b0, b1]) + alias + correlator_seed(msgs)[1:]


def main():
    for t in ("sip_message_fuzz", "sdp_fuzz", "framing_fuzz", "packet_fuzz", "pcap_file_fuzz",
              "correlator_fuzz", "render_fuzz", "ladder_fuzz", "tcp_reassembly_fuzz",
              "websocket_fuzz", "hep_fuzz"):
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
    ladder_options = [(0x00, 0), (0x10, 0), (0x24, 60), (0x38, 0), (0x41, 0), (0x82, 0),
                      (0x13, 100), (0x20, 0)]
    ladders = set()
    for i, path in enumerate(SAMPLES):
        base = os.path.basename(path).replace(".", "_")
        msgs = sip_payloads(path)
        frames = read_frames(path)
        # One ladder per flow shape (the first lines of its messages): the
        # SIPp samples repeat the same call on other links and ports.
        flow = tuple(m[3].split(b"\r\n", 1)[0].split(b" sip:")[0] for m in msgs[:16])
        if msgs and flow not in ladders:
            ladders.add(flow)
            b0, b1 = ladder_options[len(ladders) % len(ladder_options)]
            write("ladder_fuzz", base, ladder_seed(msgs[:16], b0, b1, b"PBX" if b0 & 0x40 else b""))
        conns = [c for c in tcp_connections(path) if any(s[5] for s in c)]
        if conns and (seed := tcp_seed(conns)) is not None:
            write("tcp_reassembly_fuzz", base, seed)
        if "ws_" in base:
            for segs in conns:
                for isn, stream in direction_streams(segs):
                    if stream:
                        name = f"{base}-{isn:08x}"
                        write("websocket_fuzz", name, websocket_raw_seed(stream[:8000], [700]))
        if "hep_" in base:
            for k, pkt in enumerate(hep_packets(path)[:6]):
                write("hep_fuzz", f"{base}-{k}", pkt)
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

    # WebSocket messages framed by the encoder of websocket_fuzz.
    some = [torture["wsinv"], torture["intmeth"], b"", torture["esc01"]]
    write("websocket_fuzz", "encode-rfc4475", websocket_encode_seed(some, [0x00, 0x03, 0x0D, 0x37]))
    write("websocket_fuzz", "encode-rfc4475-small",
          websocket_encode_seed(some, [0x01, 0x06, 0x2B], small=True))

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
