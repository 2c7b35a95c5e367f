#!/usr/bin/env python3
"""Deterministic generator of realistic SIP-over-UDP pcap workloads.

Writes a classic (microsecond) pcap, linktype Ethernet, every packet
Ethernet / IPv4 / UDP with correct length fields (IPv4 header checksum
computed, UDP checksum 0 = "not computed", which IPv4 allows).

Workload (per --calls N "scenarios", exact counts, shuffled):
  60 %  answered call   INVITE(SDP) 100 180 200(SDP) ACK ... BYE 200
  15 %  busy            INVITE 100 [180] 486 ACK
  10 %  cancelled       INVITE 100 180 CANCEL 200(CANCEL) 487 ACK
   5 %  not found       INVITE 100 404 ACK
   5 %  unavailable     INVITE [100] 503 ACK
   5 %  registration    REGISTER 401 REGISTER(Authorization) 200
plus N/10 OPTIONS keep-alive pings (OPTIONS 200), on top of N.

Scenarios arrive as a Poisson process (--cps, default 30/s); answered
calls ring 1-20 s and last seconds to minutes (log-normal, median ~45 s,
clipped to 2 s .. 30 min), so with the defaults ~1,500 dialogs are open at
any time.  Traffic is between 50 IPv4 hosts (3 servers: PBX / SBC /
registrar, 47 phones and trunks), each with its own User-Agent string.

--rtp adds G.711 PCMU RTP (20 ms packets, 172-byte UDP payload = 12-byte
RTP header + 160 bytes of audio, both directions, to the ports negotiated
in SDP) for 1 in 10 answered calls (--rtp-fraction).  To keep files
manageable each stream is cut after --rtp-max-seconds (default 10 s);
--rtp-max-seconds 0 gives RTP for the whole call (about 8x more RTP).

Everything is derived from --seed: same arguments -> byte-identical file.
Statistics go to stderr (and as JSON to --stats FILE if given).

Standard library only.
"""

# Provenance: a verbatim copy of the project's reference workload generator,
# /work/shared/perf/gen_sip_pcap.py, the workload of docs/PERFORMANCE.md,
# kept here so that tests/e2e/memory_test.cpp runs on a fresh clone
# and in CI. Change the reference first, then copy it again.

import argparse
import heapq
import json
import math
import random
import struct
import sys
import time

EPOCH_US = 1_700_000_000 * 1_000_000  # 2023-11-14T22:13:20Z

USER_AGENTS = [
    "Asterisk PBX 18.15.1",
    "FPBX-16.0.40.7(18.15.1)",
    "FreeSWITCH-mod_sofia/1.10.9-release~64bit",
    "Yealink SIP-T46S 66.86.0.15",
    "Yealink SIP-T54W 96.86.0.70",
    "PolycomVVX-VVX_411-UA/6.4.3.5018",
    "Grandstream GXP2170 1.0.11.16",
    "Cisco-SIPGateway/IOS-15.6.3.M",
    "Linphone/5.0.16 (belle-sip/5.0.0)",
    "Zoiper rv2.10.19.5",
    "MicroSIP/3.21.3",
    "Fanvil X4U 2.12.1.13",
    "snom D785/10.1.141.13",
    "AudioCodes-Sip-Gateway-Mediant 800/v.7.20A.258.459",
]
SERVER_UAS = [
    "Kamailio (5.6.4 (x86_64/linux))",
    "OpenSIPS (3.2.9 (x86_64/linux))",
    "Asterisk PBX 20.5.0",
]
FIRST = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi",
         "Ivan", "Judy", "Mallory", "Niaj", "Olivia", "Peggy", "Rupert",
         "Sybil", "Trent", "Victor", "Walter", "Yolanda"]
LAST = ["Smith", "Jones", "Garcia", "Miller", "Davis", "Martinez", "Lopez",
        "Wilson", "Anderson", "Thomas", "Moore", "Jackson", "Martin", "Lee"]

ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY, PRACK"

SCENARIOS = [  # (name, share of --calls)
    ("answered", 0.60),
    ("busy", 0.15),
    ("cancel", 0.10),
    ("notfound", 0.05),
    ("unavail", 0.05),
    ("register", 0.05),
]


class Host:
    __slots__ = ("ip", "ipb", "mac", "ua", "server", "users", "domain")

    def __init__(self, ip, ua, server, users):
        self.ip = ip
        self.ipb = bytes(int(x) for x in ip.split("."))
        self.mac = b"\x02\x00" + self.ipb
        self.ua = ua
        self.server = server
        self.users = users  # list of (user, display name)


class PcapWriter:
    """Classic pcap writer; Ethernet/IPv4/UDP framing."""

    def __init__(self, f):
        self.f = f
        self.ident = 0
        self.packets = 0
        self.bytes = 0
        self._csum_base = {}
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))

    def frame(self, t_us, src, dst, sport, dport, payload):
        """Return the pcap record (header + frame) for one UDP datagram."""
        plen = len(payload)
        ulen = 8 + plen
        tlen = 20 + ulen
        self.ident = ident = (self.ident + 1) & 0xFFFF
        key = (src.ipb, dst.ipb)
        base = self._csum_base.get(key)
        if base is None:
            s = 0x4500 + (64 << 8 | 17)
            for ipb in key:
                s += (ipb[0] << 8 | ipb[1]) + (ipb[2] << 8 | ipb[3])
            base = self._csum_base[key] = s
        s = base + tlen + ident
        s = (s & 0xFFFF) + (s >> 16)
        s = (s & 0xFFFF) + (s >> 16)
        csum = ~s & 0xFFFF
        flen = 14 + tlen
        return b"".join((
            struct.pack("<IIII", t_us // 1_000_000, t_us % 1_000_000, flen, flen),
            dst.mac, src.mac, b"\x08\x00",
            struct.pack("!BBHHHBBH4s4sHHHH", 0x45, 0, tlen, ident, 0, 64, 17,
                        csum, src.ipb, dst.ipb, sport, dport, ulen, 0),
            payload,
        ))


class RtpStream:
    __slots__ = ("src", "dst", "sport", "dport", "seq", "ts", "ssrc",
                 "t_next", "t_end", "first", "k")

    def __init__(self, rng, src, dst, sport, dport, t_start, t_end):
        self.src, self.dst, self.sport, self.dport = src, dst, sport, dport
        self.seq = rng.getrandbits(16)
        self.ts = rng.getrandbits(32)
        self.ssrc = rng.getrandbits(32)
        self.t_next = t_start
        self.t_end = t_end
        self.first = True
        self.k = rng.getrandbits(8)


class Generator:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.heap = []
        self.seq = 0
        self.stats = {
            "calls": args.calls, "seed": args.seed,
            "scenarios": {}, "sip_messages": 0, "sip_requests": {},
            "sip_responses": {}, "rtp_packets": 0, "rtp_streams": 0,
            "invite_bytes_min": 1 << 30, "invite_bytes_max": 0,
            "invite_bytes_sum": 0, "max_open_dialogs": 0,
        }
        self._make_hosts()
        # 8 precomputed 160-byte PCMU "audio" payloads (noise-ish).
        prng = random.Random(args.seed ^ 0x5A5A)
        self.audio = [bytes(0xFF ^ (prng.getrandbits(4)) for _ in range(160))
                      for _ in range(8)]

    # ------------------------------------------------------------ topology
    def _make_hosts(self):
        rng = self.rng
        ips = set()
        subnets = ["10.10.1.", "10.10.2.", "10.20.0.", "172.16.5.", "192.168.100."]
        while len(ips) < 47:
            ips.add(rng.choice(subnets) + str(rng.randint(2, 250)))
        hosts = []
        for i, ip in enumerate(["10.0.0.10", "10.0.0.11", "10.0.0.20"]):
            hosts.append(Host(ip, SERVER_UAS[i], True,
                              [("pbx%d" % i, "PBX %d" % i)]))
        for ip in sorted(ips, key=lambda s: tuple(int(x) for x in s.split("."))):
            users = []
            for _ in range(rng.randint(3, 40)):
                if rng.random() < 0.3:
                    u = "+1%03d555%04d" % (rng.randint(200, 989), rng.randint(0, 9999))
                else:
                    u = str(rng.randint(1000, 8999))
                users.append((u, "%s %s" % (rng.choice(FIRST), rng.choice(LAST))))
            hosts.append(Host(ip, rng.choice(USER_AGENTS), False, users))
        self.hosts = hosts
        self.servers = hosts[:3]

    # ----------------------------------------------------------- utilities
    def hexid(self, bits=64):
        return "%0*x" % (bits // 4, self.rng.getrandbits(bits))

    def callid(self, host):
        r = self.rng
        k = r.random()
        if k < 0.4:
            return "%s@%s" % (self.hexid(128), host.ip)
        if k < 0.8:
            x = "%032x" % r.getrandbits(128)
            return "%s-%s-%s-%s-%s" % (x[:8], x[8:12], x[12:16], x[16:20], x[20:])
        return "%s%s" % (self.hexid(64), self.hexid(32))

    def branch(self):
        return "z9hG4bK" + self.hexid(64)

    def emit(self, t_us, src, dst, payload, sport=5060, dport=5060):
        """Schedule a SIP datagram."""
        self.seq += 1
        heapq.heappush(self.heap, (t_us, self.seq,
                                   (src, dst, sport, dport, payload)))
        st = self.stats
        st["sip_messages"] += 1
        line = payload[:payload.index(b"\r\n")]
        if line.startswith(b"SIP/2.0 "):
            k = line[8:11].decode()
            st["sip_responses"][k] = st["sip_responses"].get(k, 0) + 1
        else:
            k = line[:line.index(b" ")].decode()
            st["sip_requests"][k] = st["sip_requests"].get(k, 0) + 1
            if k == "INVITE":
                n = len(payload)
                st["invite_bytes_sum"] += n
                st["invite_bytes_min"] = min(st["invite_bytes_min"], n)
                st["invite_bytes_max"] = max(st["invite_bytes_max"], n)

    def add_rtp(self, stream):
        self.seq += 1
        heapq.heappush(self.heap, (stream.t_next, self.seq, stream))
        self.stats["rtp_streams"] += 1

    # --------------------------------------------------------- SIP builders
    def sdp(self, host, user, sess, port, offer):
        if offer:
            media = ("m=audio %d RTP/AVP 0 8 9 18 101\r\n"
                     "a=rtpmap:0 PCMU/8000\r\n"
                     "a=rtpmap:8 PCMA/8000\r\n"
                     "a=rtpmap:9 G722/8000\r\n"
                     "a=rtpmap:18 G729/8000\r\n"
                     "a=fmtp:18 annexb=no\r\n"
                     "a=rtpmap:101 telephone-event/8000\r\n"
                     "a=fmtp:101 0-16\r\n"
                     "a=ptime:20\r\n"
                     "a=maxptime:150\r\n"
                     "a=sendrecv\r\n") % port
        else:
            media = ("m=audio %d RTP/AVP 0 101\r\n"
                     "a=rtpmap:0 PCMU/8000\r\n"
                     "a=rtpmap:101 telephone-event/8000\r\n"
                     "a=fmtp:101 0-16\r\n"
                     "a=ptime:20\r\n"
                     "a=sendrecv\r\n") % port
        return ("v=0\r\n"
                "o=%s %d %d IN IP4 %s\r\n"
                "s=%s\r\n"
                "c=IN IP4 %s\r\n"
                "t=0 0\r\n" % (user if user[0] != "+" else "-", sess, sess + 1,
                               host.ip, host.ua.split("/")[0].split(" ")[0],
                               host.ip)) + media

    @staticmethod
    def msg(first, headers, body=""):
        return ("%s\r\n%s\r\nContent-Length: %d\r\n\r\n%s" % (
            first, "\r\n".join(headers), len(body), body)).encode("ascii")

    # ------------------------------------------------------------ scenarios
    def pick_pair(self):
        r = self.rng
        a = r.choice(self.hosts)
        b = r.choice(self.hosts)
        while b is a:
            b = r.choice(self.hosts)
        return a, b

    def invite_dialog(self, t0, kind):
        """All INVITE-based scenarios. Returns the time the dialog ends."""
        r = self.rng
        a, b = self.pick_pair()
        au, aname = r.choice(a.users)
        bu, _ = r.choice(b.users)
        rtt = int(r.uniform(1_000, 60_000))   # us
        half = rtt // 2
        proc = lambda: int(r.uniform(200, 5_000))  # noqa: E731
        cid = self.callid(a)
        ftag = self.hexid(32)
        ttag = self.hexid(32)
        br = self.branch()
        cseq = r.randint(1, 30000)
        a_port = r.randrange(10000, 60000, 2)
        b_port = r.randrange(10000, 60000, 2)
        via = "Via: SIP/2.0/UDP %s:5060;branch=%s;rport" % (a.ip, br)
        via_r = "Via: SIP/2.0/UDP %s:5060;branch=%s;rport=5060" % (a.ip, br)
        frm = 'From: "%s" <sip:%s@%s>;tag=%s' % (aname, au, a.ip, ftag)
        to = "To: <sip:%s@%s>" % (bu, b.ip)
        to_t = "%s;tag=%s" % (to, ttag)
        cidh = "Call-ID: " + cid
        ruri = "sip:%s@%s:5060" % (bu, b.ip)
        a_contact = "Contact: <sip:%s@%s:5060;transport=udp>" % (au, a.ip)
        b_contact = "Contact: <sip:%s@%s:5060;transport=udp>" % (bu, b.ip)
        ua_a = "User-Agent: " + a.ua
        srv_b = ("Server: " if b.server else "User-Agent: ") + b.ua
        sess = r.randint(10**8, 10**9)

        offer = self.sdp(a, au, sess, a_port, True)
        invite = self.msg("INVITE %s SIP/2.0" % ruri, [
            via, "Max-Forwards: 70", frm, to, cidh,
            "CSeq: %d INVITE" % cseq, a_contact,
            'P-Asserted-Identity: "%s" <sip:%s@%s>' % (aname, au, a.ip),
            "Allow: " + ALLOW, "Supported: replaces, timer, norefersub",
            "Allow-Events: talk, hold, conference, refer, check-sync",
            "Session-Expires: 1800;refresher=uac", "Min-SE: 90",
            ua_a, "Content-Type: application/sdp"], offer)
        self.emit(t0, a, b, invite)
        t = t0 + half
        common_r = [via_r]

        def resp(code, reason, tagged=True, extra=(), body="", cseq_m="INVITE"):
            hs = common_r + [frm, to_t if tagged else to, cidh,
                             "CSeq: %d %s" % (cseq, cseq_m)]
            hs.extend(extra)
            hs.append(srv_b)
            return self.msg("SIP/2.0 %d %s" % (code, reason), hs, body)

        def ack_non2xx(t_ack):
            ack = self.msg("ACK %s SIP/2.0" % ruri, [
                via, "Max-Forwards: 70", frm, to_t, cidh,
                "CSeq: %d ACK" % cseq, ua_a])
            self.emit(t_ack, a, b, ack)

        if not (kind == "unavail" and r.random() < 0.5):
            t += proc()
            self.emit(t, b, a, resp(100, "Trying", tagged=False))

        if kind == "notfound":
            t += int(r.uniform(20_000, 300_000))
            self.emit(t, b, a, resp(404, "Not Found"))
            ack_non2xx(t + rtt + proc())
            return t + rtt
        if kind == "unavail":
            t += int(r.uniform(50_000, 3_000_000))
            self.emit(t, b, a, resp(503, "Service Unavailable",
                                    extra=["Retry-After: %d" % r.randint(30, 300),
                                           "Reason: Q.850;cause=34;text=\"No circuit/channel available\""]))
            ack_non2xx(t + rtt + proc())
            return t + rtt

        ringing = self.msg("SIP/2.0 180 Ringing", common_r + [
            frm, to_t, cidh, "CSeq: %d INVITE" % cseq, b_contact,
            "Allow: " + ALLOW, srv_b])
        if kind == "busy":
            if r.random() < 0.5:
                t += int(r.uniform(30_000, 500_000))
                self.emit(t, b, a, ringing)
                t += int(r.uniform(1_000_000, 8_000_000))
            else:
                t += int(r.uniform(30_000, 800_000))
            self.emit(t, b, a, resp(486, "Busy Here"))
            ack_non2xx(t + rtt + proc())
            return t + rtt

        t += int(r.uniform(30_000, 500_000))
        self.emit(t, b, a, ringing)

        if kind == "cancel":
            t += int(r.uniform(2_000_000, 30_000_000))
            cancel = self.msg("CANCEL %s SIP/2.0" % ruri, [
                via, "Max-Forwards: 70", frm, to, cidh,
                "CSeq: %d CANCEL" % cseq,
                'Reason: Q.850;cause=16;text="Normal call clearing"', ua_a])
            self.emit(t, a, b, cancel)
            t += half + proc()
            self.emit(t, b, a, resp(200, "OK", cseq_m="CANCEL"))
            t += proc()
            self.emit(t, b, a, resp(487, "Request Terminated"))
            ack_non2xx(t + rtt + proc())
            return t + rtt

        # answered
        t += int(r.uniform(1_000_000, 20_000_000))
        answer = self.sdp(b, bu, sess + 7, b_port, False)
        ok = self.msg("SIP/2.0 200 OK", common_r + [
            frm, to_t, cidh, "CSeq: %d INVITE" % cseq, b_contact,
            "Allow: " + ALLOW, "Supported: replaces, timer",
            "Session-Expires: 1800;refresher=uac", "Require: timer",
            srv_b, "Content-Type: application/sdp"], answer)
        self.emit(t, b, a, ok)
        t_ans = t
        t += rtt + proc()
        ack = self.msg("ACK sip:%s@%s:5060;transport=udp SIP/2.0" % (bu, b.ip), [
            "Via: SIP/2.0/UDP %s:5060;branch=%s;rport" % (a.ip, self.branch()),
            "Max-Forwards: 70", frm, to_t, cidh, "CSeq: %d ACK" % cseq, ua_a])
        self.emit(t, a, b, ack)
        dur = int(min(max(r.lognormvariate(math.log(45.0), 1.0), 2.0), 1800.0)
                  * 1_000_000)
        t_bye = t_ans + dur
        if self.args.rtp and r.random() < self.args.rtp_fraction:
            t_end = t_bye
            if self.args.rtp_max_seconds > 0:
                t_end = min(t_end, t_ans + int(self.args.rtp_max_seconds * 1e6))
            self.add_rtp(RtpStream(r, b, a, b_port, a_port, t_ans + half, t_end))
            self.add_rtp(RtpStream(r, a, b, a_port, b_port, t_ans + half + proc(), t_end))
        if r.random() < 0.55:  # caller hangs up
            bye = self.msg("BYE sip:%s@%s:5060;transport=udp SIP/2.0" % (bu, b.ip), [
                "Via: SIP/2.0/UDP %s:5060;branch=%s;rport" % (a.ip, self.branch()),
                "Max-Forwards: 70", frm, to_t, cidh,
                "CSeq: %d BYE" % (cseq + 1),
                'Reason: Q.850;cause=16;text="Normal call clearing"', ua_a])
            self.emit(t_bye, a, b, bye)
            t_ok = t_bye + rtt + proc()
            bye_ok = self.msg("SIP/2.0 200 OK", [
                bye.split(b"\r\n")[1].decode() + "=5060", frm, to_t, cidh,
                "CSeq: %d BYE" % (cseq + 1), srv_b])
            self.emit(t_ok, b, a, bye_ok)
        else:  # callee hangs up: its own CSeq space, From/To swapped
            bcseq = r.randint(1, 30000)
            bvia = "Via: SIP/2.0/UDP %s:5060;branch=%s;rport" % (b.ip, self.branch())
            bfrom = "From: <sip:%s@%s>;tag=%s" % (bu, b.ip, ttag)
            bto = 'To: "%s" <sip:%s@%s>;tag=%s' % (aname, au, a.ip, ftag)
            bye = self.msg("BYE sip:%s@%s:5060;transport=udp SIP/2.0" % (au, a.ip), [
                bvia, "Max-Forwards: 70", bfrom, bto, cidh,
                "CSeq: %d BYE" % bcseq,
                'Reason: Q.850;cause=16;text="Normal call clearing"', srv_b])
            self.emit(t_bye, b, a, bye)
            t_ok = t_bye + rtt + proc()
            bye_ok = self.msg("SIP/2.0 200 OK", [
                bvia + "=5060", bfrom, bto, cidh, "CSeq: %d BYE" % bcseq, ua_a])
            self.emit(t_ok, a, b, bye_ok)
        return t_ok

    def register(self, t0):
        r = self.rng
        a = r.choice(self.hosts[3:])
        reg = r.choice(self.servers)
        au, aname = r.choice(a.users)
        rtt = int(r.uniform(1_000, 60_000))
        cid = self.callid(a)
        ftag = self.hexid(32)
        cseq = r.randint(1, 30000)
        realm = "pbx.example.net"
        nonce = self.hexid(128)
        frm = 'From: "%s" <sip:%s@%s>;tag=%s' % (aname, au, realm, ftag)
        to = "To: <sip:%s@%s>" % (au, realm)
        cidh = "Call-ID: " + cid
        contact = "Contact: <sip:%s@%s:5060;transport=udp>;expires=3600" % (au, a.ip)
        srv = "Server: " + reg.ua
        t = t0

        def register_req(n, auth):
            br = self.branch()
            hs = ["Via: SIP/2.0/UDP %s:5060;branch=%s;rport" % (a.ip, br),
                  "Max-Forwards: 70", frm, to, cidh, "CSeq: %d REGISTER" % n,
                  contact, "Expires: 3600", "Allow: " + ALLOW,
                  "User-Agent: " + a.ua]
            if auth:
                hs.insert(7, 'Authorization: Digest username="%s", realm="%s", '
                             'nonce="%s", uri="sip:%s", response="%s", '
                             'algorithm=MD5, cnonce="%s", qop=auth, nc=00000001'
                          % (au, realm, nonce, realm, self.hexid(128), self.hexid(64)))
            return br, self.msg("REGISTER sip:%s SIP/2.0" % realm, hs)

        br, m = register_req(cseq, False)
        self.emit(t, a, reg, m)
        t += rtt + int(r.uniform(200, 3_000))
        self.emit(t, reg, a, self.msg("SIP/2.0 401 Unauthorized", [
            "Via: SIP/2.0/UDP %s:5060;branch=%s;rport=5060" % (a.ip, br),
            frm, to + ";tag=" + self.hexid(32), cidh, "CSeq: %d REGISTER" % cseq,
            'WWW-Authenticate: Digest realm="%s", nonce="%s", opaque="%s", '
            'algorithm=MD5, qop="auth"' % (realm, nonce, self.hexid(64)), srv]))
        t += int(r.uniform(2_000, 50_000))
        br, m = register_req(cseq + 1, True)
        self.emit(t, a, reg, m)
        t += rtt + int(r.uniform(500, 20_000))
        self.emit(t, reg, a, self.msg("SIP/2.0 200 OK", [
            "Via: SIP/2.0/UDP %s:5060;branch=%s;rport=5060" % (a.ip, br),
            frm, to + ";tag=" + self.hexid(32), cidh,
            "CSeq: %d REGISTER" % (cseq + 1), contact,
            "Date: " + time.strftime("%a, %d %b %Y %H:%M:%S GMT",
                                     time.gmtime(t // 1_000_000)), srv]))
        return t

    def options(self, t0):
        r = self.rng
        s = r.choice(self.servers)
        b = r.choice(self.hosts)
        while b is s:
            b = r.choice(self.hosts)
        br = self.branch()
        frm = "From: <sip:ping@%s>;tag=%s" % (s.ip, self.hexid(32))
        to = "To: <sip:%s>" % b.ip
        cidh = "Call-ID: " + self.callid(s)
        cseq = r.randint(1, 30000)
        self.emit(t0, s, b, self.msg("OPTIONS sip:%s:5060 SIP/2.0" % b.ip, [
            "Via: SIP/2.0/UDP %s:5060;branch=%s;rport" % (s.ip, br),
            "Max-Forwards: 70", frm, to, cidh, "CSeq: %d OPTIONS" % cseq,
            "Contact: <sip:ping@%s:5060>" % s.ip, "Accept: application/sdp",
            "User-Agent: " + s.ua]))
        t = t0 + int(r.uniform(1_000, 60_000))
        self.emit(t, b, s, self.msg("SIP/2.0 200 OK", [
            "Via: SIP/2.0/UDP %s:5060;branch=%s;rport=5060" % (s.ip, br),
            frm, to + ";tag=" + self.hexid(32), cidh, "CSeq: %d OPTIONS" % cseq,
            "Allow: " + ALLOW, "Accept: application/sdp",
            "Supported: replaces, timer",
            ("Server: " if b.server else "User-Agent: ") + b.ua]))
        return t

    # ----------------------------------------------------------------- run
    def run(self, out):
        args = self.args
        r = self.rng
        kinds = []
        assigned = 0
        for name, share in SCENARIOS[1:]:
            n = int(round(args.calls * share))
            kinds.extend([name] * n)
            assigned += n
        kinds.extend(["answered"] * (args.calls - assigned))
        kinds.extend(["options"] * (args.calls // 10))
        r.shuffle(kinds)
        rate = args.cps * (1 + 0.1)  # scenarios (calls + pings) per second
        w = PcapWriter(out)
        heap = self.heap
        audio = self.audio
        write = out.write
        st = self.stats
        ends = []  # end times of open INVITE dialogs
        t = EPOCH_US
        for kind in kinds:
            t += int(r.expovariate(rate) * 1_000_000) + 1
            # everything scheduled before t can be written: later scenarios start >= t
            while heap and heap[0][0] <= t:
                self._pop_write(heap, w, write, audio)
            st["scenarios"][kind] = st["scenarios"].get(kind, 0) + 1
            if kind == "options":
                self.options(t)
            elif kind == "register":
                self.register(t)
            else:
                end = self.invite_dialog(t, kind)
                while ends and ends[0] <= t:
                    heapq.heappop(ends)
                heapq.heappush(ends, end)
                if len(ends) > st["max_open_dialogs"]:
                    st["max_open_dialogs"] = len(ends)
        while heap:
            self._pop_write(heap, w, write, audio)
        st["packets"] = w.packets
        st["pcap_bytes"] = w.bytes + 24
        st["span_seconds"] = round((self.last_t - EPOCH_US) / 1e6, 1)
        st["invite_bytes_avg"] = round(st["invite_bytes_sum"] / max(1, st["sip_requests"].get("INVITE", 1)), 1)
        del st["invite_bytes_sum"]

    def _pop_write(self, heap, w, write, audio):
        t_us, _, obj = heapq.heappop(heap)
        self.last_t = t_us
        if type(obj) is tuple:
            src, dst, sport, dport, payload = obj
        else:  # RTP stream: emit one packet, reschedule
            s = obj
            payload = struct.pack("!BBHII", 0x80, 0x80 if s.first else 0x00,
                                  s.seq, s.ts, s.ssrc) + audio[s.k & 7]
            s.first = False
            s.k += 1
            s.seq = (s.seq + 1) & 0xFFFF
            s.ts = (s.ts + 160) & 0xFFFFFFFF
            src, dst, sport, dport = s.src, s.dst, s.sport, s.dport
            nxt = s.t_next + 20_000
            if nxt < s.t_end:
                s.t_next = nxt
                # capture-time jitter of up to 0.8 ms, order within a stream kept
                self.seq += 1
                heapq.heappush(heap, (nxt + (self.seq * 7919) % 800, self.seq, s))
            self.stats["rtp_packets"] += 1
        rec = w.frame(t_us, src, dst, sport, dport, payload)
        write(rec)
        w.packets += 1
        w.bytes += len(rec)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, required=True, help="number of call scenarios N")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True, help="output pcap file")
    ap.add_argument("--cps", type=float, default=30.0, help="call arrivals per second (default 30)")
    ap.add_argument("--rtp", action="store_true", help="add G.711 RTP for some answered calls")
    ap.add_argument("--rtp-fraction", type=float, default=0.1,
                    help="share of answered calls that carry RTP (default 0.1)")
    ap.add_argument("--rtp-max-seconds", type=float, default=10.0,
                    help="cut each RTP stream after this many seconds; 0 = whole call (default 10)")
    ap.add_argument("--stats", help="also write the statistics as JSON to this file")
    args = ap.parse_args()
    g = Generator(args)
    t0 = time.time()
    with open(args.out, "wb", buffering=1 << 20) as f:
        g.run(f)
    g.stats["generation_seconds"] = round(time.time() - t0, 1)
    g.stats["args"] = {"cps": args.cps, "rtp": args.rtp, "rtp_fraction": args.rtp_fraction,
                       "rtp_max_seconds": args.rtp_max_seconds}
    js = json.dumps(g.stats, indent=1, sort_keys=True)
    print(js, file=sys.stderr)
    if args.stats:
        with open(args.stats, "w") as f:
            f.write(js + "\n")


if __name__ == "__main__":
    main()
