#!/usr/bin/env bash
# Regenerate sipflow's sample SIP captures (see README.md in this folder).
#
# Real SIP traffic is produced by SIPp (Debian package sip-tester), kamailio,
# sngrep, openssl and a tiny node + npm "ws" WebSocket client/server, and
# captured with tcpdump / dumpcap.  Every sample runs inside its own,
# freshly created network namespace(s), so the traffic never leaves the
# namespace's loopback or the private veth pairs, and unrelated traffic on
# the host (or another run of this script) cannot end up in the captures.
#
# Requirements: Debian 12 (or similar), run as root, packages
#   sip-tester tcpdump tshark (dumpcap, capinfos) iproute2
# and, only for the samples that use them:
#   kamailio (b2bua_legs), ethtool (tcp_segmented, tcp_lossy),
#   nftables (tcp_lossy), nodejs + npm (ws_sip; runs "npm install" in
#   tools/ if tools/node_modules is missing), sngrep (hep_sip, hep_sip_v2),
#   openssl (tls_sip, tls13_sip, tls_sip6); sctp_call needs a kernel with SCTP and is
#   skipped otherwise.
#
# Usage: sudo ./make_samples.sh [SAMPLE...]
#   With no argument every sample is regenerated.  Sample names:
#   udp_call register_digest call_rejected call_pcapng cooked_sll
#   cooked_sll2 ipv6_call ns_precision fragmented_udp fragmented_udp6
#   sipp_custom_port call_busy call_cancel call_notfound call_noanswer
#   call_forked call_reinvite call_prack call_lossy misc_methods
#   register_failed b2bua_legs tcp_call tcp_multi_conn tcp_segmented
#   tcp_lossy tcp_ipv6 ws_sip ws_sip6 hep_sip hep_sip_v2 tls_sip tls13_sip tls_sip6 sctp_call
#   hostile_headers
#   (hep_sip and hep_sip_v2 replay udp_call.pcap, from the output directory
#   if it is there, else from this folder).
#
# Environment:
#   SAMPLES_OUT   output directory (default: the directory of this script)
#   KEEP_WORK=1   keep the temporary work directory (SIPp / capture logs)
#
# Each capture is checked with tshark after it is made: the sequence of SIP
# methods / status codes must be exactly the expected one (plus per-sample
# checks: tags, SDP directions, TCP segments, retransmissions, WebSocket
# frames, TLS version and SNI...), otherwise the sample is regenerated (up
# to 3 attempts; a retransmission on a very busy machine, or for the lossy
# samples an unlucky draw, is the only expected reason for a mismatch).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCN=$HERE/scenarios
OUT=${SAMPLES_OUT:-$HERE}
TAG=sipflow$$
ATTEMPTS=3

BG_PIDS=()   # background processes started by this script (captures, UAS)
NETNS=()     # network namespaces created by this script
WORK=""

log() { printf '[make_samples] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

cleanup() {
    local rc=$? pid ns
    set +e
    for pid in "${BG_PIDS[@]}"; do
        kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null
    done
    for pid in "${BG_PIDS[@]}"; do
        wait "$pid" 2>/dev/null
    done
    for ns in "${NETNS[@]}"; do
        ip netns del "$ns" 2>/dev/null
    done
    if [[ -n $WORK && -d $WORK ]]; then
        if [[ $rc -ne 0 || ${KEEP_WORK:-0} == 1 ]]; then
            log "work directory kept: $WORK"
        else
            rm -rf "$WORK"
        fi
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces, packet capture)"
for tool in sipp tcpdump dumpcap tshark capinfos ip ss timeout; do
    command -v "$tool" >/dev/null || die "missing tool: $tool"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sipflow-samples.XXXXXX")
cd "$WORK"   # SIPp writes its -trace_err logs into the current directory

# ---------------------------------------------------------------- helpers --

# tshark, minus its "Running as user root ... could be dangerous" warning.
tshark() {
    command tshark "$@" 2> >(grep -v '^Running as user' >&2)
}

forget_pid() {
    local pid=$1 i
    for i in "${!BG_PIDS[@]}"; do
        [[ ${BG_PIDS[$i]} == "$pid" ]] && unset 'BG_PIDS[i]'
    done
    BG_PIDS=("${BG_PIDS[@]}")
}

# wait_pid PID SECONDS: wait for a background process to exit by itself;
# SIGTERM it when the deadline passes. Returns the process' exit status.
wait_pid() {
    local pid=$1 ticks=$(($2 * 10)) rc=0
    while kill -0 "$pid" 2>/dev/null && ((ticks-- > 0)); do sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        log "pid $pid did not exit in $2 s, sending SIGTERM"
        kill -TERM "$pid" 2>/dev/null || true
    fi
    wait "$pid" || rc=$?
    forget_pid "$pid"
    return "$rc"
}

# ns_new NAME: create a network namespace with loopback up; sets NS to its name.
ns_new() {
    local ns=$TAG-$1
    ip netns add "$ns"
    NETNS+=("$ns")
    ip -n "$ns" link set lo up
    # No IPv6 duplicate address detection: addresses are usable at once.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
    NS=$ns
}

ns_del() {
    local ns=$1 i
    ip netns del "$ns"
    for i in "${!NETNS[@]}"; do
        [[ ${NETNS[$i]} == "$ns" ]] && unset 'NETNS[i]'
    done
    NETNS=("${NETNS[@]}")
}

# cap_start NS LOG CMD...: start a capture command inside NS in the
# background and wait until it reports that it is capturing.
cap_start() {
    local ns=$1 logf=$WORK/$2.capture.log ticks=100
    shift 2
    ip netns exec "$ns" "$@" </dev/null >"$logf" 2>&1 &
    CAP_PID=$!
    BG_PIDS+=("$CAP_PID")
    until grep -qE 'listening on|Capturing on' "$logf"; do
        kill -0 "$CAP_PID" 2>/dev/null || { cat "$logf" >&2; die "capture failed to start: $*"; }
        ((ticks-- > 0)) || die "capture did not start in 10 s: $*"
        sleep 0.1
    done
    sleep 0.5   # let the capture settle before any traffic is sent
}

# cap_stop: give the last packets time to reach the capture, then stop it
# with SIGINT (tcpdump/dumpcap flush and close the file cleanly).
cap_stop() {
    sleep 1
    kill -INT "$CAP_PID"
    wait_pid "$CAP_PID" 10 || die "capture process exited with an error (see $WORK)"
}

# Options shared by every SIPp run: exactly one call at 1 call/s, always
# terminate (global timeout), no interactive keyboard.
SIPP_OPTS=(-m 1 -l 1 -r 1 -timeout 20s -timeout_error -nostdin -trace_err)

# uas_start NS LOGNAME PORT SIPP-ARGS...: start a SIPp server in the
# background and wait until it has bound its UDP port.
# PORT may be "tcp:PORT" for a server that listens on TCP.
uas_start() {
    local ns=$1 logf=$WORK/$2.uas.log port=$3
    shift 3
    ip netns exec "$ns" sipp "${SIPP_OPTS[@]}" "$@" </dev/null >"$logf" 2>&1 &
    UAS_PID=$!
    BG_PIDS+=("$UAS_PID")
    wait_bound "$ns" "$port" "$UAS_PID" "$logf" UAS
}

# wait_bound NS [udp:|tcp:]PORT PID LOG WHAT: wait until something in NS
# listens on PORT (UDP unless "tcp:" is given); fail if PID dies first.
wait_bound() {
    local ns=$1 port=$2 pid=$3 logf=$4 what=$5 ticks=100 opt=-Hlun
    case $port in
        tcp:*) opt=-Hltn port=${port#tcp:} ;;
        udp:*) port=${port#udp:} ;;
    esac
    until [[ -n $(ip netns exec "$ns" ss "$opt" "sport = :$port") ]]; do
        kill -0 "$pid" 2>/dev/null || { tail -n 30 "$logf" >&2; die "$what failed to start"; }
        ((ticks-- > 0)) || die "$what did not bind port $port in 10 s"
        sleep 0.1
    done
}

# bg_start NS LOGNAME CMD...: start any command inside NS in the
# background (stdout/stderr to $WORK/LOGNAME.log); sets BG_PID.
bg_start() {
    local ns=$1 logf=$WORK/$2.log
    shift 2
    ip netns exec "$ns" "$@" </dev/null >"$logf" 2>&1 &
    BG_PID=$!
    BG_PIDS+=("$BG_PID")
}

# need TOOL...: fail with a clear message if a tool is missing (checked
# only by the samples that use it).
need() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || die "missing tool: $tool (see README.md)"
    done
}

uas_wait() {
    wait_pid "$UAS_PID" 30 || { tail -n 30 "$WORK/$1.uas.log" >&2; die "UAS for $1 failed (logs: $WORK)"; }
}

# uac_run NS LOGNAME SIPP-ARGS...: run a SIPp client in the foreground.
uac_run() {
    local ns=$1 name=$2 logf=$WORK/$2.uac.log
    shift 2
    timeout 60 ip netns exec "$ns" sipp "${SIPP_OPTS[@]}" "$@" </dev/null >>"$logf" 2>&1 ||
        { tail -n 30 "$logf" >&2; die "UAC for $name failed (logs: $WORK)"; }
}

# uac_try NS LOGNAME SIPP-ARGS...: like uac_run, but a failed run only
# returns 1 (for samples whose calls may fail by design, e.g. with loss).
uac_try() {
    local ns=$1 logf=$WORK/$2.uac.log
    shift 2
    timeout 90 ip netns exec "$ns" sipp "${SIPP_OPTS[@]}" "$@" </dev/null >>"$logf" 2>&1
}

# veth_pair NS_A NS_B: join two namespaces with a veth pair (MTU 1500),
# addresses 10.99.0.1/24 + fd00:99::1/64 (A) and 10.99.0.2/24 + fd00:99::2/64 (B).
veth_pair() {
    local a=$1 b=$2
    ip -n "$a" link add veth-a mtu 1500 type veth peer name veth-b netns "$b"
    ip -n "$b" link set veth-b mtu 1500
    ip -n "$a" addr add 10.99.0.1/24 dev veth-a
    ip -n "$b" addr add 10.99.0.2/24 dev veth-b
    ip -n "$a" addr add fd00:99::1/64 dev veth-a nodad
    ip -n "$b" addr add fd00:99::2/64 dev veth-b nodad
    ip -n "$a" link set veth-a up
    ip -n "$b" link set veth-b up
    local ticks=100
    until ip -n "$a" link show veth-a | grep -q 'state UP' &&
          ip -n "$b" link show veth-b | grep -q 'state UP'; do
        ((ticks-- > 0)) || die "veth pair did not come up"
        sleep 0.1
    done
}

# sip_sequence FILE [TSHARK-ARGS...]: the SIP methods / status codes in the
# capture, space separated, e.g. "INVITE 100 180 200 ACK BYE 200".
# Taken from the Info column ("Request: INVITE ... | Status: 200 OK ..."),
# which keeps the order of several SIP messages in one TCP segment (the
# sip.Method and sip.Status-Code fields would be listed separately).
sip_sequence() {
    local f=$1
    shift
    tshark -n -r "$f" "$@" -Y sip -T fields -e _ws.col.Info |
        grep -oE '(Request: [A-Z]+|Status: [0-9]{3})' | awk '{ print $2 }' | paste -sd' '
}

# check_sequence FILE EXPECTED [TSHARK-ARGS...]
check_sequence() {
    local f=$1 want=$2 got
    shift 2
    got=$(sip_sequence "$f" "$@")
    if [[ $got != "$want" ]]; then
        log "unexpected SIP sequence in $(basename "$f")"
        log "  expected: $want"
        log "  got:      $got"
        return 1
    fi
}

# check_format FILE FILE-TYPE ENCAPSULATION (as named by capinfos -t -E)
check_format() {
    local f=$1 want=$2$'\t'$3 got
    got=$(capinfos -t -E -T -r "$f" | cut -f2-3)
    if [[ $got != "$want" ]]; then
        log "$(basename "$f"): expected file type/link type '$2 $3', got '${got//$'\t'/ }'"
        return 1
    fi
}

CALL="INVITE 100 180 200 ACK BYE 200"

# ---------------------------------------------------------------- samples --
# Each gen_<sample> function writes $WORK/<file> (any failure aborts the
# script); check_<sample> returns non-zero if the capture is not what it
# should be, in which case the sample is generated again.

# A basic call on the IPv4 loopback of a fresh namespace, captured with
# CAPTURE-CMD (everything but -w FILE). Used by several samples.
loopback_call() { # NAME FILE UAC-PORT UAS-PORT CAPTURE-CMD...
    local name=$1 file=$2 uac_port=$3 uas_port=$4
    shift 4
    ns_new "$name"
    cap_start "$NS" "$name" "$@" -w "$WORK/$file"
    uas_start "$NS" "$name" "$uas_port" -sf "$SCN/uas_call.xml" -i 127.0.0.1 -p "$uas_port" -mp 6100
    uac_run "$NS" "$name" -sf "$SCN/uac_call.xml" -i 127.0.0.1 -p "$uac_port" -mp 6000 \
        -s alice "127.0.0.1:$uas_port"
    uas_wait "$name"
    cap_stop
    ns_del "$NS"
}

gen_udp_call() {
    loopback_call udp_call udp_call.pcap 5061 5060 tcpdump -i lo -U -n 'udp'
}
check_udp_call() {
    check_format "$WORK/udp_call.pcap" pcap ether || return 1
    check_sequence "$WORK/udp_call.pcap" "$CALL"
}

gen_register_digest() {
    local f=register_digest.pcap
    ns_new register
    cap_start "$NS" register tcpdump -i lo -U -n -w "$WORK/$f" 'udp'
    uas_start "$NS" register 5060 -sf "$SCN/uas_register_challenge.xml" -i 127.0.0.1 -p 5060 -mp 6100
    uac_run "$NS" register -sf "$SCN/uac_register_auth.xml" -i 127.0.0.1 -p 5062 -mp 6000 \
        127.0.0.1:5060
    uas_wait register
    cap_stop
    ns_del "$NS"
}
check_register_digest() {
    check_format "$WORK/register_digest.pcap" pcap ether || return 1
    check_sequence "$WORK/register_digest.pcap" "REGISTER 401 REGISTER 200"
}

gen_call_rejected() {
    local f=call_rejected.pcap
    ns_new rejected
    cap_start "$NS" rejected tcpdump -i lo -U -n -w "$WORK/$f" 'udp'
    # One server for both calls: sip:busy@ -> 486, anything else -> 404.
    uas_start "$NS" rejected 5060 -sf "$SCN/uas_reject.xml" -i 127.0.0.1 -p 5060 -mp 6100 -m 2
    uac_run "$NS" rejected -sf "$SCN/uac_reject.xml" -i 127.0.0.1 -p 5063 -mp 6000 \
        -s busy 127.0.0.1:5060
    uac_run "$NS" rejected -sf "$SCN/uac_reject.xml" -i 127.0.0.1 -p 5063 -mp 6000 \
        -s nobody 127.0.0.1:5060
    uas_wait rejected
    cap_stop
    ns_del "$NS"
}
check_call_rejected() {
    check_format "$WORK/call_rejected.pcap" pcap ether || return 1
    check_sequence "$WORK/call_rejected.pcap" "INVITE 100 486 ACK INVITE 404 ACK"
}

gen_call_pcapng() {
    # dumpcap on two interfaces at once: "lo" (Ethernet) and "any" (Linux
    # cooked).  Every SIP packet is therefore recorded twice, once per
    # interface.
    loopback_call pcapng call_pcapng.pcapng 5064 5060 \
        dumpcap -q -i lo -f 'udp' -i any -y LINUX_SLL -f 'udp'
}
check_call_pcapng() {
    local f=$WORK/call_pcapng.pcapng encaps
    check_format "$f" pcapng per-packet || return 1
    encaps=$(capinfos "$f" | sed -n 's/^ *Encapsulation = .*(\(.*\))$/\1/p' | paste -sd' ')
    if [[ $encaps != "1 - ether 25 - linux-sll" ]]; then
        log "call_pcapng.pcapng: unexpected interface link types: $encaps"
        return 1
    fi
    check_sequence "$f" "$CALL" -2 -R 'frame.interface_id == 0' &&
        check_sequence "$f" "$CALL" -2 -R 'frame.interface_id == 1'
}

gen_cooked_sll() {
    loopback_call sll cooked_sll.pcap 5065 5060 tcpdump -i any -y LINUX_SLL -U -n 'udp'
}
check_cooked_sll() {
    check_format "$WORK/cooked_sll.pcap" pcap linux-sll || return 1
    check_sequence "$WORK/cooked_sll.pcap" "$CALL"
}

gen_cooked_sll2() {
    loopback_call sll2 cooked_sll2.pcap 5066 5060 tcpdump -i any -y LINUX_SLL2 -U -n 'udp'
}
check_cooked_sll2() {
    check_format "$WORK/cooked_sll2.pcap" pcap linux-sll2 || return 1
    check_sequence "$WORK/cooked_sll2.pcap" "$CALL"
}

gen_ipv6_call() {
    local f=ipv6_call.pcap
    ns_new ipv6
    cap_start "$NS" ipv6 tcpdump -i lo -U -n -w "$WORK/$f" 'udp'
    uas_start "$NS" ipv6 5060 -sf "$SCN/uas_call.xml" -i ::1 -p 5060 -mp 6100
    uac_run "$NS" ipv6 -sf "$SCN/uac_call.xml" -i ::1 -p 5067 -mp 6000 -s alice '[::1]:5060'
    uas_wait ipv6
    cap_stop
    ns_del "$NS"
}
check_ipv6_call() {
    check_format "$WORK/ipv6_call.pcap" pcap ether || return 1
    check_sequence "$WORK/ipv6_call.pcap" "$CALL"
}

gen_ns_precision() {
    loopback_call nsprec ns_precision.pcap 5068 5060 \
        tcpdump -i lo --time-stamp-precision=nano -U -n 'udp'
}
check_ns_precision() {
    check_format "$WORK/ns_precision.pcap" nsecpcap ether || return 1
    check_sequence "$WORK/ns_precision.pcap" "$CALL"
}

gen_sipp_custom_port() {
    loopback_call customport sipp_custom_port.pcap 5070 5080 tcpdump -i lo -U -n 'udp'
}
check_sipp_custom_port() {
    check_format "$WORK/sipp_custom_port.pcap" pcap ether || return 1
    check_sequence "$WORK/sipp_custom_port.pcap" "$CALL" \
        -d 'udp.port==5080,sip' -d 'udp.port==5070,sip'
}

# Large-SDP call between two namespaces joined by a veth pair (MTU 1500):
# the ~4.3 KB INVITE and 200 OK are fragmented by the sending kernel.
# Captured on the UAC's end of the pair.  The filter keeps UDP and every
# fragment (non-first IPv4 fragments carry no UDP header, but still have
# protocol 17; IPv6 fragments start with a Fragment header, next header 44)
# and drops ARP / neighbour discovery / MLD.
veth_call() { # NAME FILE FAMILY(4|6) UAC-PORT
    local name=$1 file=$2 fam=$3 uac_port=$4 ua ub a b target
    ns_new "$name-uac"; ua=$NS
    ns_new "$name-uas"; ub=$NS
    veth_pair "$ua" "$ub"
    if [[ $fam == 4 ]]; then
        a=10.99.0.1 b=10.99.0.2 target=10.99.0.2:5060
    else
        a=fd00:99::1 b=fd00:99::2 target='[fd00:99::2]:5060'
    fi
    cap_start "$ua" "$name" tcpdump -i veth-a -U -n -w "$WORK/$file" \
        'ip proto 17 or ip6 proto 17 or ip6 proto 44'
    uas_start "$ub" "$name" 5060 -sf "$SCN/uas_bigsdp.xml" -i "$b" -p 5060 -mp 6100
    uac_run "$ua" "$name" -sf "$SCN/uac_bigsdp.xml" -i "$a" -p "$uac_port" -mp 6000 \
        -s alice "$target"
    uas_wait "$name"
    cap_stop
    ns_del "$ua"
    ns_del "$ub"
}

check_fragments() { # FILE FAMILY(4|6)
    local f=$1 fam=$2 n
    if [[ $fam == 4 ]]; then
        n=$(tshark -n -r "$f" -Y 'ip.flags.mf == 1 || ip.frag_offset > 0' | wc -l)
    else
        n=$(tshark -n -r "$f" -Y 'ipv6.fraghdr' | wc -l)
    fi
    if ((n < 4)); then
        log "$(basename "$f"): expected IPv$fam fragments, found $n fragment packets"
        return 1
    fi
}

gen_fragmented_udp() {
    veth_call frag4 fragmented_udp.pcap 4 5069
}
check_fragmented_udp() {
    check_format "$WORK/fragmented_udp.pcap" pcap ether || return 1
    check_sequence "$WORK/fragmented_udp.pcap" "$CALL" &&
        check_fragments "$WORK/fragmented_udp.pcap" 4
}

gen_fragmented_udp6() {
    veth_call frag6 fragmented_udp6.pcap 6 5071
}
check_fragmented_udp6() {
    check_format "$WORK/fragmented_udp6.pcap" pcap ether || return 1
    check_sequence "$WORK/fragmented_udp6.pcap" "$CALL" &&
        check_fragments "$WORK/fragmented_udp6.pcap" 6
}

# ============================================================ more samples --
# Call outcomes, dialog features, transports. Same rules as above: one
# fresh namespace per sample (several for the routed TCP sample), checked
# with tshark afterwards.

# lo_begin NAME FILE FILTER: new namespace (sets NS) with a capture of
# FILTER on its loopback into $WORK/FILE.  lo_end NAME: wait for the UAS,
# stop the capture, delete the namespace.
lo_begin() {
    ns_new "$1"
    cap_start "$NS" "$1" tcpdump -i lo -U -n -w "$WORK/$2" "$3"
}
lo_end() {
    uas_wait "$1"
    cap_stop
    ns_del "$NS"
}

# sip_fields FILE TSHARK-ARGS... -e FIELD...: one line per SIP message.
sip_fields() {
    local f=$1
    shift
    tshark -n -r "$f" -Y sip -T fields -E occurrence=f "$@"
}

fail() { log "$*"; return 1; }

# ------------------------------------------------ Part A: call outcomes --

gen_call_busy() {
    lo_begin busy call_busy.pcap udp
    uas_start "$NS" busy 5060 -sf "$SCN/uas_outcome.xml" -i 127.0.0.1 -p 5060 -mp 6100
    uac_run "$NS" busy -sf "$SCN/uac_outcome.xml" -i 127.0.0.1 -p 5072 -mp 6000 \
        -s busy 127.0.0.1:5060
    lo_end busy
}
check_call_busy() {
    check_format "$WORK/call_busy.pcap" pcap ether || return 1
    check_sequence "$WORK/call_busy.pcap" "INVITE 100 180 486 ACK"
}

gen_call_cancel() {
    lo_begin cancel call_cancel.pcap udp
    uas_start "$NS" cancel 5060 -sf "$SCN/uas_outcome.xml" -i 127.0.0.1 -p 5060 -mp 6100
    # -d: the UAC's <pause/> between the 180 and the CANCEL.
    uac_run "$NS" cancel -sf "$SCN/uac_cancel.xml" -i 127.0.0.1 -p 5073 -mp 6000 \
        -d 1000 -s bob 127.0.0.1:5060
    lo_end cancel
}
check_call_cancel() {
    check_format "$WORK/call_cancel.pcap" pcap ether || return 1
    check_sequence "$WORK/call_cancel.pcap" "INVITE 100 180 CANCEL 200 487 ACK"
}

gen_call_notfound() {
    lo_begin notfound call_notfound.pcap udp
    uas_start "$NS" notfound 5060 -sf "$SCN/uas_outcome.xml" -i 127.0.0.1 -p 5060 -mp 6100
    uac_run "$NS" notfound -sf "$SCN/uac_outcome.xml" -i 127.0.0.1 -p 5074 -mp 6000 \
        -s nobody 127.0.0.1:5060
    lo_end notfound
}
check_call_notfound() {
    check_format "$WORK/call_notfound.pcap" pcap ether || return 1
    check_sequence "$WORK/call_notfound.pcap" "INVITE 100 404 ACK"
}

# Two unanswered calls: the callee gives up (480 after 2 s of ringing),
# then the caller gives up (CANCEL after 3 s of ringing).
gen_call_noanswer() {
    lo_begin noanswer call_noanswer.pcap udp
    uas_start "$NS" noanswer 5060 -sf "$SCN/uas_outcome.xml" -i 127.0.0.1 -p 5060 -mp 6100 -m 2
    uac_run "$NS" noanswer -sf "$SCN/uac_outcome.xml" -i 127.0.0.1 -p 5075 -mp 6000 \
        -s unavailable 127.0.0.1:5060
    uac_run "$NS" noanswer -sf "$SCN/uac_cancel.xml" -i 127.0.0.1 -p 5075 -mp 6000 \
        -d 3000 -s bob 127.0.0.1:5060
    lo_end noanswer
}
check_call_noanswer() {
    local f=$WORK/call_noanswer.pcap
    check_format "$f" pcap ether || return 1
    check_sequence "$f" "INVITE 100 180 480 ACK INVITE 100 180 CANCEL 200 487 ACK" || return 1
    # Ringing time: 180 -> 480 about 2 s, 180 -> CANCEL about 3 s.
    sip_fields "$f" -e frame.time_relative -e sip.Method -e sip.Status-Code | awk -F'\t' '
        $3 == 180 { t180 = $1 }
        $3 == 480 { d1 = $1 - t180 }
        $2 == "CANCEL" { d2 = $1 - t180 }
        END { if (d1 < 1.9 || d1 > 2.5 || d2 < 2.9 || d2 > 3.5) {
                  printf "ringing times %.3f / %.3f s\n", d1, d2; exit 1 } }' ||
        fail "call_noanswer.pcap: unexpected ringing times"
}

gen_call_forked() {
    lo_begin forked call_forked.pcap udp
    uas_start "$NS" forked 5060 -sf "$SCN/uas_forked.xml" -i 127.0.0.1 -p 5060 -mp 6100
    uac_run "$NS" forked -sf "$SCN/uac_forked.xml" -i 127.0.0.1 -p 5076 -mp 6000 \
        -s bob 127.0.0.1:5060
    lo_end forked
}
check_call_forked() {
    local f=$WORK/call_forked.pcap
    check_format "$f" pcap ether || return 1
    check_sequence "$f" "INVITE 100 180 180 200 ACK BYE 200" || return 1
    # To tags: -, -, A, B, B, B, B, B (A != B).
    sip_fields "$f" -e sip.to.tag | awk '
        { t[NR] = $0 }
        END { ok = t[1] == "" && t[2] == "" && t[3] != "" && t[4] != "" && t[3] != t[4]
              for (i = 5; i <= 8; i++) ok = ok && t[i] == t[4]
              exit !ok }' || fail "call_forked.pcap: unexpected To tags"
}

gen_call_reinvite() {
    lo_begin reinvite call_reinvite.pcap udp
    uas_start "$NS" reinvite 5060 -sf "$SCN/uas_reinvite.xml" -i 127.0.0.1 -p 5060 -mp 6100
    uac_run "$NS" reinvite -sf "$SCN/uac_reinvite.xml" -i 127.0.0.1 -p 5077 -mp 6000 \
        -s bob 127.0.0.1:5060
    lo_end reinvite
}
check_call_reinvite() {
    local f=$WORK/call_reinvite.pcap dirs
    check_format "$f" pcap ether || return 1
    check_sequence "$f" "INVITE 100 180 200 ACK INVITE 200 ACK INVITE 200 ACK BYE 200" || return 1
    dirs=$(tshark -n -r "$f" -Y sdp -T fields -e sdp.media_attr |
        grep -oE 'sendrecv|sendonly|recvonly|inactive' | paste -sd' ')
    [[ $dirs == "sendrecv sendrecv sendonly recvonly sendrecv sendrecv" ]] ||
        fail "call_reinvite.pcap: unexpected SDP directions: $dirs"
}

gen_call_prack() {
    lo_begin prack call_prack.pcap udp
    uas_start "$NS" prack 5060 -sf "$SCN/uas_prack.xml" -i 127.0.0.1 -p 5060 -mp 6100
    uac_run "$NS" prack -sf "$SCN/uac_prack.xml" -i 127.0.0.1 -p 5078 -mp 6000 \
        -s bob 127.0.0.1:5060
    lo_end prack
}
check_call_prack() {
    local f=$WORK/call_prack.pcap got
    check_format "$f" pcap ether || return 1
    check_sequence "$f" "INVITE 183 PRACK 200 UPDATE 200 200 ACK BYE 200" || return 1
    got=$(sip_fields "$f" -e sip.CSeq -e sip.RSeq -e sip.RAck -e sip.Require |
        awk -F'\t' 'NR == 2 || NR == 3 { printf "%s|%s|%s|%s;", $1, $2, $3, $4 }')
    [[ $got == "1 INVITE|1||100rel;2 PRACK||1 1 INVITE|;" ]] ||
        fail "call_prack.pcap: unexpected 183/PRACK headers: $got"
}

# Five calls; the UAS drops 20 % of the INVITEs, ACKs and BYEs it receives,
# the UAC 20 % of the 200 OKs for its INVITEs, so they are retransmitted.
# SIPp may fail a call now and then: that only means another attempt.
gen_call_lossy() {
    LOSSY_FAILED=0
    lo_begin lossy call_lossy.pcap udp
    uas_start "$NS" lossy 5060 -sf "$SCN/uas_lossy.xml" -i 127.0.0.1 -p 5060 -mp 6100 \
        -m 5 -timeout 60s
    uac_try "$NS" lossy -sf "$SCN/uac_lossy.xml" -i 127.0.0.1 -p 5079 -mp 6000 \
        -m 5 -timeout 60s -s alice 127.0.0.1:5060 || LOSSY_FAILED=1
    wait_pid "$UAS_PID" 70 || LOSSY_FAILED=1
    cap_stop
    ns_del "$NS"
}
# Per Call-ID: the messages without duplicates (same CSeq and method or
# status) must be a complete call; the duplicates are counted.
lossy_summary() { # FILE -> "calls complete duplicates"
    sip_fields "$1" -e sip.Call-ID -e sip.CSeq -e sip.Method -e sip.Status-Code | awk -F'\t' '
        { key = $1 SUBSEP $2 SUBSEP $3 $4
          if (!(key in seen)) { seen[key] = 1; seq[$1] = seq[$1] " " $3 $4 }
          else dup++ }
        END { for (c in seq) { calls++; if (seq[c] == " INVITE 100 180 200 ACK BYE 200") ok++ }
              printf "%d %d %d\n", calls, ok, dup }'
}
check_call_lossy() {
    local f=$WORK/call_lossy.pcap calls ok dup
    ((LOSSY_FAILED == 0)) || fail "call_lossy: a SIPp run failed" || return 1
    check_format "$f" pcap ether || return 1
    read -r calls ok dup < <(lossy_summary "$f")
    log "call_lossy.pcap: $calls calls, $ok complete, $dup duplicated messages"
    ((calls == 5 && ok == 5 && dup >= 3)) || fail "call_lossy.pcap: want 5 complete calls and at least 3 duplicates"
}

gen_misc_methods() {
    lo_begin misc misc_methods.pcap udp
    uas_start "$NS" misc 5060 -sf "$SCN/uas_misc.xml" -i 127.0.0.1 -p 5060 -mp 6100 -m 4
    uac_run "$NS" misc -sf "$SCN/uac_misc.xml" -i 127.0.0.1 -p 5081 -mp 6000 -m 4 \
        -s bob 127.0.0.1:5060
    lo_end misc
}
check_misc_methods() {
    local f=$WORK/misc_methods.pcap got
    check_format "$f" pcap ether || return 1
    check_sequence "$f" "OPTIONS 200 MESSAGE 200 SUBSCRIBE 200 NOTIFY 200 PUBLISH 200" || return 1
    # 4 Call-IDs; the NOTIFY and its 200 share the SUBSCRIBE's.
    got=$(sip_fields "$f" -e sip.Call-ID | awk '{ n[NR] = $0; if (!($0 in s)) { s[$0]; c++ } }
        END { print c, (n[5] == n[7] && n[7] == n[8] && n[5] != n[3] && n[9] != n[5]) }')
    [[ $got == "4 1" ]] || fail "misc_methods.pcap: unexpected Call-IDs ($got)"
}

gen_register_failed() {
    lo_begin regfail register_failed.pcap udp
    uas_start "$NS" regfail 5060 -sf "$SCN/uas_register_challenge.xml" -i 127.0.0.1 -p 5060 -mp 6100
    uac_run "$NS" regfail -sf "$SCN/uac_register_badauth.xml" -i 127.0.0.1 -p 5082 -mp 6000 \
        127.0.0.1:5060
    lo_end regfail
}
check_register_failed() {
    check_format "$WORK/register_failed.pcap" pcap ether || return 1
    check_sequence "$WORK/register_failed.pcap" "REGISTER 401 REGISTER 403"
}

# One call through kamailio (topoh: the B leg gets a masked Call-ID),
# caller 127.0.0.10 -> kamailio 127.0.0.20 -> callee 127.0.0.30, all on
# the namespace's loopback, port 5060 each.
gen_b2bua_legs() {
    need kamailio
    mkdir -p "$WORK/kamailio-run"
    lo_begin b2bua b2bua_legs.pcap udp
    bg_start "$NS" b2bua.kamailio kamailio -f "$HERE/kamailio/topoh_b2bua.cfg" -DD -E \
        -m 32 -M 4 -Y "$WORK/kamailio-run" -P "$WORK/kamailio-run/kamailio.pid"
    local kam=$BG_PID
    wait_bound "$NS" 5060 "$kam" "$WORK/b2bua.kamailio.log" kamailio
    uas_start "$NS" b2bua 5060 -sf "$SCN/uas_b2bua_callee.xml" -i 127.0.0.30 -p 5060 -mp 6100
    uac_run "$NS" b2bua -sf "$SCN/uac_b2bua_caller.xml" -i 127.0.0.10 -p 5060 -mp 6000 \
        -s bob 127.0.0.20:5060
    uas_wait b2bua
    kill -TERM "$kam"
    wait_pid "$kam" 10 || die "kamailio failed (see $WORK/b2bua.kamailio.log)"
    cap_stop
    ns_del "$NS"
}
check_b2bua_legs() {
    local f=$WORK/b2bua_legs.pcap got
    check_format "$f" pcap ether || return 1
    check_sequence "$f" "INVITE 100 INVITE 100 180 180 200 200 ACK ACK BYE BYE 200 200" || return 1
    # Two Call-IDs; the B-leg INVITE (frame 3) carries X-Call-ID = the
    # A-leg Call-ID, the same P-Charging-Vector and the same SDP.
    got=$(sip_fields "$f" -e sip.Method -e sip.Call-ID -e sip.P-Charging-Vector -e sip.msg_hdr \
        -e sdp.connection_info -e sdp.media | awk -F'\t' '
        { if (!($2 in s)) { s[$2]; c++ } }
        $1 == "INVITE" { n++; cid[n] = $2; pcv[n] = $3; hdr[n] = $4; sdp[n] = $5 "|" $6 }
        END { x = (index(hdr[2], "X-Call-ID: " cid[1]) > 0)
              print c, n, x, (pcv[1] != "" && pcv[1] == pcv[2]), (sdp[1] == sdp[2]) }')
    [[ $got == "2 2 1 1 1" ]] || fail "b2bua_legs.pcap: legs not linked as expected ($got)"
}

# ------------------------------------------------- Part B: transports --

# tcp_loopback NAME FILE UAC-PORT TRANSPORT CALLS: basic calls over TCP on
# the IPv4 loopback (-t t1: one connection, -t tn: one per call).
tcp_loopback() {
    local name=$1 file=$2 uac_port=$3 tr=$4 calls=$5
    lo_begin "$name" "$file" tcp
    uas_start "$NS" "$name" tcp:5060 -sf "$SCN/uas_call.xml" -t "$tr" -max_socket 100 \
        -i 127.0.0.1 -p 5060 -mp 6100 -m "$calls"
    uac_run "$NS" "$name" -sf "$SCN/uac_call.xml" -t "$tr" -max_socket 100 \
        -i 127.0.0.1 -p "$uac_port" -mp 6000 -m "$calls" -s alice 127.0.0.1:5060
    lo_end "$name"
}
tcp_streams() { tshark -n -r "$1" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' | wc -l; }

gen_tcp_call() { tcp_loopback tcpcall tcp_call.pcap 5083 t1 3; }
check_tcp_call() {
    local f=$WORK/tcp_call.pcap n
    check_format "$f" pcap ether || return 1
    check_sequence "$f" "$CALL $CALL $CALL" || return 1
    n=$(tcp_streams "$f")
    ((n == 1)) || fail "tcp_call.pcap: $n TCP connections, want 1"
}

gen_tcp_multi_conn() { tcp_loopback tcpmulti tcp_multi_conn.pcap 5084 tn 3; }
check_tcp_multi_conn() {
    local f=$WORK/tcp_multi_conn.pcap n
    check_format "$f" pcap ether || return 1
    check_sequence "$f" "$CALL $CALL $CALL" || return 1
    n=$(tcp_streams "$f")
    ((n == 3)) || fail "tcp_multi_conn.pcap: $n TCP connections, want 3"
}

# The large-SDP call over TCP on a loopback with MTU 600 (MSS 548 with
# timestamps), without TSO/GSO, so the kernel cuts every big message into
# segments. The loopback is also slowed down to 16 kbit/s (tbf) and new
# connections start with a congestion window of 1 segment, so the 180
# Ringing waits in the UAS's send queue until the 200 OK is written, and one
# segment carries the end of the 180 and the start of the 200. rto_min 5 s
# keeps the slow link from causing spurious retransmissions.
gen_tcp_segmented() {
    need ethtool tc
    ns_new tcpseg
    ip -n "$NS" link set lo mtu 600
    ip netns exec "$NS" ethtool -K lo tso off gso off
    ip -n "$NS" route change local 127.0.0.1 dev lo table local proto kernel scope host \
        src 127.0.0.1 initcwnd 1 rto_min 5s
    ip netns exec "$NS" tc qdisc add dev lo root tbf rate 16kbit burst 1600 latency 10s
    cap_start "$NS" tcpseg tcpdump -i lo -U -n -w "$WORK/tcp_segmented.pcap" tcp
    uas_start "$NS" tcpseg tcp:5060 -sf "$SCN/uas_bigsdp.xml" -t t1 -i 127.0.0.1 -p 5060 -mp 6100
    uac_run "$NS" tcpseg -sf "$SCN/uac_bigsdp.xml" -t t1 -i 127.0.0.1 -p 5085 -mp 6000 \
        -timeout 60s -s alice 127.0.0.1:5060
    lo_end tcpseg
}
# "frame count": number of TCP segments of the INVITE and of the 200 OK,
# then the number of frames that end one SIP message and start another.
tcpseg_summary() {
    tshark -n -r "$1" -Y sip -T fields -E occurrence=a -e frame.number -e sip.CSeq \
        -e sip.Status-Code -e tcp.segment | awk -F'\t' '
        { isSip[$1] = 1; n = split($4, segs, ",")
          if ($2 == "1 INVITE") cnt[$3 == "" ? "req" : "resp"] = n
          for (i = 1; i <= n; i++) if (segs[i] != $1) inOther[segs[i]] = 1 }
        END { for (fr in inOther) if (fr in isSip) both++
              printf "%d %d %d\n", cnt["req"], cnt["resp"], both }'
}
check_tcp_segmented() {
    local f=$WORK/tcp_segmented.pcap inv ok200 both r
    check_format "$f" pcap ether || return 1
    check_sequence "$f" "$CALL" || return 1
    read -r inv ok200 both < <(tcpseg_summary "$f")
    log "tcp_segmented.pcap: INVITE in $inv segments, 200 OK in $ok200, $both segment(s) shared by two messages"
    ((inv >= 5 && ok200 >= 5 && both >= 1)) || fail "tcp_segmented.pcap: not segmented as expected" || return 1
    r=$(tshark -n -r "$f" -Y tcp.analysis.retransmission | wc -l)
    ((r == 0)) || fail "tcp_segmented.pcap: $r retransmissions"
}

# TCP through a lossy router: UAC namespace -- router namespace -- UAS
# namespace, two veth pairs. The router drops 15 % of the TCP packets it
# forwards (nftables "numgen random"; this kernel has no netem), in both
# directions. Captured on the UAS's end (veth-b): segments from the UAC
# that the router dropped are missing there and show up later as
# retransmissions; segments from the UAS are captured before the router,
# so a dropped one is seen twice. Addresses: 10.99.1.1 (UAC, veth-a) /
# 10.99.1.254 (router, veth-ra), 10.99.2.254 (router, veth-rb) /
# 10.99.2.1 (UAS, veth-b). Offloads are off so the capture holds the real
# segments with real checksums.
gen_tcp_lossy() {
    need nft ethtool
    local ua ur ub dev
    ns_new lossy-uac; ua=$NS
    ns_new lossy-rtr; ur=$NS
    ns_new lossy-uas; ub=$NS
    ip -n "$ua" link add veth-a type veth peer name veth-ra netns "$ur"
    ip -n "$ub" link add veth-b type veth peer name veth-rb netns "$ur"
    ip -n "$ua" addr add 10.99.1.1/24 dev veth-a
    ip -n "$ur" addr add 10.99.1.254/24 dev veth-ra
    ip -n "$ur" addr add 10.99.2.254/24 dev veth-rb
    ip -n "$ub" addr add 10.99.2.1/24 dev veth-b
    for dev in "$ua veth-a" "$ur veth-ra" "$ur veth-rb" "$ub veth-b"; do
        # shellcheck disable=SC2086  # "NS DEV" split on purpose
        set -- $dev
        ip netns exec "$1" ethtool -K "$2" tx off tso off gso off gro off >/dev/null
        ip -n "$1" link set "$2" up
    done
    ip -n "$ua" route add default via 10.99.1.254
    ip -n "$ub" route add default via 10.99.2.254
    ip netns exec "$ur" sysctl -qw net.ipv4.ip_forward=1
    ip netns exec "$ur" nft -f - <<'NFT'
table inet sipflow_loss {
    chain forward {
        type filter hook forward priority 0; policy accept;
        meta l4proto tcp numgen random mod 20 < 3 counter drop
    }
}
NFT
    local ticks=100
    until ip -n "$ua" link show veth-a | grep -q 'state UP' &&
          ip -n "$ub" link show veth-b | grep -q 'state UP'; do
        ((ticks-- > 0)) || die "veth pairs did not come up"
        sleep 0.1
    done
    cap_start "$ub" tcplossy tcpdump -i veth-b -U -n -w "$WORK/tcp_lossy.pcap" tcp
    uas_start "$ub" tcplossy tcp:5060 -sf "$SCN/uas_bigsdp.xml" -t t1 -i 10.99.2.1 -p 5060 \
        -mp 6100 -m 3 -timeout 60s
    uac_run "$ua" tcplossy -sf "$SCN/uac_bigsdp.xml" -t t1 -i 10.99.1.1 -p 5087 -mp 6000 \
        -m 3 -timeout 60s -s alice 10.99.2.1:5060
    uas_wait tcplossy
    cap_stop
    ip netns exec "$ur" nft list table inet sipflow_loss >"$WORK/tcplossy.nft.log" 2>&1 || true
    ns_del "$ua"; ns_del "$ur"; ns_del "$ub"
}
tcp_analysis() { # FILE FLAG -> number of frames with tcp.analysis.FLAG
    tshark -n -r "$1" -Y "tcp.analysis.$2" | wc -l
}
check_tcp_lossy() {
    local f=$WORK/tcp_lossy.pcap r a b
    check_format "$f" pcap ether || return 1
    # A SIP message whose first segment was dropped before the capture point
    # arrives after later segments; tshark 4.0 reassembles it only with
    # tcp.reassemble_out_of_order (off by default).
    check_sequence "$f" "$CALL $CALL $CALL" -o tcp.reassemble_out_of_order:TRUE || return 1
    log "tcp_lossy.pcap: $(tshark -n -r "$f" -Y sip | wc -l) SIP messages without" \
        "tcp.reassemble_out_of_order, 21 with it"
    r=$(tcp_analysis "$f" retransmission)
    # Retransmitted data from each side (UAC port 5087, UAS port 5060).
    a=$(tshark -n -r "$f" -Y 'tcp.analysis.retransmission && tcp.len > 0 && tcp.srcport == 5087' | wc -l)
    b=$(tshark -n -r "$f" -Y 'tcp.analysis.retransmission && tcp.len > 0 && tcp.srcport == 5060' | wc -l)
    log "tcp_lossy.pcap: $r retransmissions ($a UAC data, $b UAS data)," \
        "$(tcp_analysis "$f" out_of_order) out-of-order," \
        "$(tcp_analysis "$f" lost_segment) previous-segment-not-captured;" \
        "router: $(grep -o 'packets [0-9]*' "$WORK/tcplossy.nft.log" | head -1) dropped"
    ((a >= 1 && b >= 1)) || fail "tcp_lossy.pcap: want retransmitted data from both sides"
}

gen_tcp_ipv6() {
    lo_begin tcpv6 tcp_ipv6.pcap tcp
    uas_start "$NS" tcpv6 tcp:5060 -sf "$SCN/uas_call.xml" -t t1 -i ::1 -p 5060 -mp 6100
    uac_run "$NS" tcpv6 -sf "$SCN/uac_call.xml" -t t1 -i ::1 -p 5086 -mp 6000 -s alice '[::1]:5060'
    lo_end tcpv6
}
check_tcp_ipv6() {
    local f=$WORK/tcp_ipv6.pcap n
    check_format "$f" pcap ether || return 1
    check_sequence "$f" "$CALL" || return 1
    n=$(tshark -n -r "$f" -Y 'sip && ipv6.src == ::1 && tcp' | wc -l)
    ((n == 7)) || fail "tcp_ipv6.pcap: $n SIP messages over TCP/IPv6, want 7"
}

# SIP over WebSocket (RFC 7118) with node + the npm "ws" package
# (tools/ws_sip.js), on 127.0.0.1:8080, and on [::1]:8080 for ws_sip6.
ws_call() { # NAME FILE HOST
    need node npm
    if [[ ! -d $HERE/tools/node_modules/ws ]]; then
        log "installing the npm packages in $HERE/tools"
        (cd "$HERE/tools" && npm install --no-audit --no-fund >"$WORK/npm-install.log" 2>&1) ||
            { cat "$WORK/npm-install.log" >&2; die "npm install failed"; }
    fi
    lo_begin "$1" "$2" 'tcp port 8080'
    bg_start "$NS" "$1.server" node "$HERE/tools/ws_sip.js" server "$3" 8080
    local srv=$BG_PID
    wait_bound "$NS" tcp:8080 "$srv" "$WORK/$1.server.log" "WebSocket server"
    timeout 30 ip netns exec "$NS" node "$HERE/tools/ws_sip.js" client "$3" 8080 \
        </dev/null >"$WORK/$1.client.log" 2>&1 ||
        { cat "$WORK/$1.client.log" >&2; die "WebSocket client failed"; }
    wait_pid "$srv" 10 || { cat "$WORK/$1.server.log" >&2; die "WebSocket server failed"; }
    cap_stop
    ns_del "$NS"
}
gen_ws_sip() { ws_call ws ws_sip.pcap 127.0.0.1; }
gen_ws_sip6() { ws_call ws6 ws_sip6.pcap ::1; }
check_ws() { # FILE
    local f=$WORK/$1 got
    check_format "$f" pcap ether || return 1
    check_sequence "$f" "REGISTER 200 INVITE 180 200 ACK BYE 200" || return 1
    # Frames: opcode, FIN, MASK. Text frames with FIN=0 and continuation
    # frames, one ping and one pong, two closes; client frames masked.
    got=$(tshark -n -r "$f" -Y websocket -T fields -e tcp.srcport -e websocket.opcode \
        -e websocket.fin -e websocket.mask | awk -F'\t' '
        { if ($1 != 8080 && $4 != 1) unmasked++; if ($1 == 8080 && $4 == 1) masked++
          if ($2 == 1 && $3 == 0) frag++; if ($2 == 0) cont++; op[$2]++ }
        END { printf "%d %d %d %d %d %d %d\n", frag, cont, op[9], op[10], op[8], unmasked, masked }')
    [[ $got == "1 1 1 1 2 0 0" ]] ||
        fail "$1: unexpected WebSocket frames (frag cont ping pong close unmasked-client masked-server: $got)"
}
check_ws_sip() { check_ws ws_sip.pcap; }
check_ws_sip6() {
    check_ws ws_sip6.pcap || return 1
    [[ -z $(tshark -n -r "$WORK/ws_sip6.pcap" -Y ip) ]] || fail "ws_sip6.pcap: want IPv6 only"
}

# HEP: sngrep replays udp_call.pcap to a HEP collector on 127.0.0.1:9060
# (a second sngrep, listening). Without a listener every other datagram is
# lost: sngrep's socket is connected, so the ICMP port-unreachable of one
# send() makes the next one fail with ECONNREFUSED.
hep_replay() { # NAME FILE VERSION
    local name=$1 file=$2 ver=$3 input=$OUT/udp_call.pcap
    need sngrep
    [[ -f $input ]] || input=$HERE/udp_call.pcap
    [[ -f $input ]] || die "$name needs udp_call.pcap (make it first)"
    printf 'set eep.send.version %s\nset eep.listen.version %s\nset eep.send.id 2002\n' \
        "$ver" "$ver" >"$WORK/$name.sngreprc"
    lo_begin "$name" "$file" 'udp port 9060'
    bg_start "$NS" "$name.collector" sngrep -F -f "$WORK/$name.sngreprc" \
        -L udp:127.0.0.1:9060 -N -q -O "$WORK/$name.collected.pcap"
    local coll=$BG_PID
    wait_bound "$NS" 9060 "$coll" "$WORK/$name.collector.log" "HEP collector"
    timeout 30 ip netns exec "$NS" sngrep -F -f "$WORK/$name.sngreprc" -I "$input" \
        -H udp:127.0.0.1:9060 -N -q </dev/null >"$WORK/$name.sender.log" 2>&1 ||
        { cat "$WORK/$name.sender.log" >&2; die "sngrep (HEP sender) failed"; }
    sleep 0.5
    kill -TERM "$coll"
    wait_pid "$coll" 10 || die "sngrep (HEP collector) failed"
    cap_stop
    ns_del "$NS"
}
HEP_LUA=(-X "lua_script:$HERE/tools/hep.lua")

gen_hep_sip() { hep_replay hep hep_sip.pcap 3; }
check_hep_sip() {
    local f=$WORK/hep_sip.pcap n
    check_format "$f" pcap ether || return 1
    check_sequence "$f" "$CALL" "${HEP_LUA[@]}" || return 1
    n=$(tshark -n -r "$f" -Y 'udp.payload[0:4] == "HEP3"' | wc -l)
    ((n == 7)) || fail "hep_sip.pcap: $n HEP3 packets, want 7" || return 1
    # The collector understood them all.
    check_sequence "$WORK/hep.collected.pcap" "$CALL"
}

gen_hep_sip_v2() { hep_replay hepv2 hep_sip_v2.pcap 2; }
check_hep_sip_v2() {
    local f=$WORK/hep_sip_v2.pcap n
    check_format "$f" pcap ether || return 1
    check_sequence "$f" "$CALL" "${HEP_LUA[@]}" || return 1
    n=$(tshark -n -r "$f" -Y 'udp.payload[0] == 2' | wc -l)
    ((n == 7)) || fail "hep_sip_v2.pcap: $n HEPv2 packets, want 7"
}

# SIP text (a REGISTER and its 200 OK) inside TLS on 127.0.0.1:5061, made
# with openssl s_client / s_server and a throw-away self-signed certificate
# (CN and SAN sip.example.com; the client sends SNI sip.example.com). The
# client's key log (NSS format) is kept next to the capture, so tshark can
# decrypt it: -o tls.keylog_file:FILE.keys
tls_register() { # NAME FILE KEYS VERSION(1_2|1_3) [ADDRESS (127.0.0.1 | ::1)]
    local name=$1 file=$2 keys=$3 ver=$4 ip=${5:-127.0.0.1} host reg ok
    host=$ip
    [[ $ip == *:* ]] && host="[$ip]"  # RFC 3986 §3.2.2: IPv6 in brackets
    need openssl
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$WORK/$name.key.pem" -out "$WORK/$name.cert.pem" -days 3650 \
        -subj /CN=sip.example.com -addext subjectAltName=DNS:sip.example.com 2>/dev/null
    reg=$'REGISTER sips:sip.example.com SIP/2.0\r\nVia: SIP/2.0/TLS '"$host"$':5071;branch=z9hG4bK-tls-1\r\nMax-Forwards: 70\r\nFrom: <sips:alice@sip.example.com>;tag=tls-alice-1\r\nTo: <sips:alice@sip.example.com>\r\nCall-ID: tls-register-1@sipflow.test\r\nCSeq: 1 REGISTER\r\nContact: <sips:alice@'"$host"$':5071;transport=tls>\r\nExpires: 600\r\nUser-Agent: sipflow-samples (openssl s_client)\r\nContent-Length: 0\r\n\r\n'
    ok=$'SIP/2.0 200 OK\r\nVia: SIP/2.0/TLS '"$host"$':5071;branch=z9hG4bK-tls-1\r\nFrom: <sips:alice@sip.example.com>;tag=tls-alice-1\r\nTo: <sips:alice@sip.example.com>;tag=tls-reg-1\r\nCall-ID: tls-register-1@sipflow.test\r\nCSeq: 1 REGISTER\r\nContact: <sips:alice@'"$host"$':5071;transport=tls>;expires=600\r\nServer: sipflow-samples (openssl s_server)\r\nContent-Length: 0\r\n\r\n'
    rm -f "$WORK/$keys" "$WORK/$name.server.in"
    lo_begin "$name" "$file" 'tcp port 5061'
    # s_server: one connection (-naccept 1); -quiet: no command letters on
    # its stdin, a FIFO that this script writes the 200 OK into.
    mkfifo "$WORK/$name.server.in"
    ip netns exec "$NS" timeout 20 openssl s_server -quiet -accept "$host:5061" \
        -cert "$WORK/$name.cert.pem" -key "$WORK/$name.key.pem" -naccept 1 "-tls$ver" \
        <"$WORK/$name.server.in" >"$WORK/$name.server.log" 2>&1 &
    local srv=$!
    BG_PIDS+=("$srv")
    exec 7>"$WORK/$name.server.in"
    wait_bound "$NS" tcp:5061 "$srv" "$WORK/$name.server.log" "openssl s_server"
    # The server answers 1.5 s from now (the REGISTER comes at about 0.3 s).
    (sleep 1.5; printf '%s' "$ok" >&7) &
    local feeder=$!
    BG_PIDS+=("$feeder")
    # s_client: the REGISTER 0.3 s after it starts; closes (close_notify)
    # when its input ends, 2 s later. -nocommands: a line starting with R
    # would otherwise start a renegotiation.
    ( sleep 0.3; printf '%s' "$reg"; sleep 2 ) |
        ip netns exec "$NS" timeout 20 openssl s_client -nocommands -connect "$host:5061" \
        -servername sip.example.com "-tls$ver" -keylogfile "$WORK/$keys" \
        >"$WORK/$name.client.log" 2>&1 ||
        { cat "$WORK/$name.client.log" >&2; die "openssl s_client failed"; }
    wait_pid "$feeder" 5 || die "could not write to openssl s_server"
    exec 7>&-
    wait_pid "$srv" 10 || { cat "$WORK/$name.server.log" >&2; die "openssl s_server failed"; }
    cap_stop
    ns_del "$NS"
}
check_tls() { # FILE KEYS WANT-VERSION(0x0303|0x0304)
    local f=$WORK/$1 keys=$WORK/$2 want=$3 sni ver
    check_format "$f" pcap ether || return 1
    check_sequence "$f" "REGISTER 200" -o "tls.keylog_file:$keys" || return 1
    sni=$(tshark -n -r "$f" -Y 'tls.handshake.type == 1' -T fields -e tls.handshake.extensions_server_name)
    [[ $sni == sip.example.com ]] || fail "$1: SNI is '$sni'" || return 1
    # The version the ServerHello chose (supported_versions for TLS 1.3).
    ver=$(tshark -n -r "$f" -Y 'tls.handshake.type == 2' -T fields -E occurrence=l \
        -e tls.handshake.version -e tls.handshake.extensions.supported_version | awk -F'\t' '{ print ($2 != "" ? $2 : $1) }')
    [[ $ver == "$want" ]] || fail "$1: TLS version $ver, want $want"
}

gen_tls_sip() { tls_register tls tls_sip.pcap tls_sip.keys 1_2; }
check_tls_sip() { check_tls tls_sip.pcap tls_sip.keys 0x0303; }

gen_tls13_sip() { tls_register tls13 tls13_sip.pcap tls13_sip.keys 1_3; }
check_tls13_sip() { check_tls tls13_sip.pcap tls13_sip.keys 0x0304; }

# The same over IPv6: openssl on [::1]:5061.
gen_tls_sip6() { tls_register tls6 tls_sip6.pcap tls_sip6.keys 1_2 ::1; }
check_tls_sip6() {
    local n
    check_tls tls_sip6.pcap tls_sip6.keys 0x0303 || return 1
    n=$(tshark -n -r "$WORK/tls_sip6.pcap" -Y 'ipv6.src == ::1 && tcp' | wc -l)
    ((n > 0)) && [[ -z $(tshark -n -r "$WORK/tls_sip6.pcap" -Y ip) ]] ||
        fail "tls_sip6.pcap: want TCP over IPv6 only"
}

# SCTP needs the kernel's sctp module; a kernel without it (like the one
# these samples were made on) has no /proc/net/sctp, and the sample is
# skipped. UNTESTED: it could not be run where the other samples were made.
supported_sctp_call() {
    command -v modprobe >/dev/null && modprobe sctp 2>/dev/null
    [[ -d /proc/net/sctp ]]
}
gen_sctp_call() {
    lo_begin sctp sctp_call.pcap sctp
    ip netns exec "$NS" sipp "${SIPP_OPTS[@]}" -sf "$SCN/uas_call.xml" -t s1 -i 127.0.0.1 \
        -p 5060 -mp 6100 </dev/null >"$WORK/sctp.uas.log" 2>&1 &
    UAS_PID=$!
    BG_PIDS+=("$UAS_PID")
    sleep 1
    uac_run "$NS" sctp -sf "$SCN/uac_call.xml" -t s1 -i 127.0.0.1 -p 5088 -mp 6000 \
        -s alice 127.0.0.1:5060
    lo_end sctp
}
check_sctp_call() {
    check_format "$WORK/sctp_call.pcap" pcap ether || return 1
    check_sequence "$WORK/sctp_call.pcap" "$CALL"
}

# Hostile header values, for tests/e2e/hostile_test.cpp: HTML, mermaid and
# DOT syntax, terminal escapes (ESC, C1, BEL), U+202E, invalid UTF-8, 8 KB
# values, decoy ";tag=" inside quoted names, spreadsheet-formula prefixes,
# and a Call-ID with spaces and semicolons (SIPp's -cid_str: %u call
# number, %p pid, %s local IP, %% a "%"). The bytes XML cannot hold come
# from scenarios/hostile_inject.csv (-inf; its fields are listed in
# uas_hostile.xml). Three Call-IDs, :5089 -> :5060: an answered call, a
# 486 and a "+CMD" request.
HOSTILE_CID='%u-hostile call-id; with spaces "q" <b>%p</b> %%%%{init}%%%% -->> #@%s'
gen_hostile_headers() {
    local inf=$SCN/hostile_inject.csv
    lo_begin hostile hostile_headers.pcap udp
    uas_start "$NS" hostile 5060 -sf "$SCN/uas_hostile.xml" -inf "$inf" -i 127.0.0.1 -p 5060 \
        -mp 6100 -m 3
    uac_run "$NS" hostile -sf "$SCN/uac_hostile.xml" -inf "$inf" -cid_str "$HOSTILE_CID" \
        -i 127.0.0.1 -p 5089 -mp 6000 -m 3 -s bob 127.0.0.1:5060
    lo_end hostile
}
# hex_frames FILE HEX: number of frames whose bytes contain HEX (aa:bb:...).
hex_frames() { tshark -n -r "$1" -Y "frame contains $2" | wc -l; }
check_hostile_headers() {
    local f=$WORK/hostile_headers.pcap got
    check_format "$f" pcap ether || return 1
    # tshark's Info column names "+CMD" as "Request: +CMD"; the sequence
    # pattern of sip_sequence only takes [A-Z]+, so count it on its own.
    check_sequence "$f" "INVITE 100 180 200 ACK BYE 200 INVITE 100 486 ACK 200" || return 1
    got=$(tshark -n -r "$f" -Y 'sip.Method == "+CMD"' | wc -l)
    ((got == 1)) || fail "hostile_headers.pcap: $got +CMD requests, want 1" || return 1
    # The raw bytes really are on the wire: ESC[31m, ESC]0;, ESC[2J, C1 CSI
    # (c2 9b), U+202E (e2 80 ae), ff fe, c0 af, BEL; and two 8 KB values.
    got=$(printf '%s ' "$(hex_frames "$f" 1b:5b:33:31:6d)" "$(hex_frames "$f" 1b:5d:30:3b)" \
        "$(hex_frames "$f" 1b:5b:32:4a)" "$(hex_frames "$f" c2:9b)" "$(hex_frames "$f" e2:80:ae)" \
        "$(hex_frames "$f" ff:fe)" "$(hex_frames "$f" c0:af)" "$(hex_frames "$f" 07)")
    [[ $got == "10 7 7 7 9 8 7 7 " ]] ||
        fail "hostile_headers.pcap: hostile bytes not where expected (frames with each: $got)" || return 1
    got=$(tshark -n -r "$f" -Y 'udp.length > 8300' | wc -l)
    ((got == 2)) || fail "hostile_headers.pcap: $got datagrams over 8300 bytes, want 2" || return 1
    got=$(sip_fields "$f" -e sip.Call-ID | grep -c '^[123]-hostile call-id; with spaces "q" <b>[0-9]*</b> %%{init}%% -->> #@127.0.0.1$')
    ((got == 13)) || fail "hostile_headers.pcap: $got messages with the hostile Call-ID, want 13"
}

# ------------------------------------------------------------------- main --

declare -A FILE_OF=(
    [udp_call]=udp_call.pcap
    [register_digest]=register_digest.pcap
    [call_rejected]=call_rejected.pcap
    [call_pcapng]=call_pcapng.pcapng
    [cooked_sll]=cooked_sll.pcap
    [cooked_sll2]=cooked_sll2.pcap
    [ipv6_call]=ipv6_call.pcap
    [ns_precision]=ns_precision.pcap
    [fragmented_udp]=fragmented_udp.pcap
    [fragmented_udp6]=fragmented_udp6.pcap
    [sipp_custom_port]=sipp_custom_port.pcap
    [call_busy]=call_busy.pcap
    [call_cancel]=call_cancel.pcap
    [call_notfound]=call_notfound.pcap
    [call_noanswer]=call_noanswer.pcap
    [call_forked]=call_forked.pcap
    [call_reinvite]=call_reinvite.pcap
    [call_prack]=call_prack.pcap
    [call_lossy]=call_lossy.pcap
    [misc_methods]=misc_methods.pcap
    [register_failed]=register_failed.pcap
    [b2bua_legs]=b2bua_legs.pcap
    [tcp_call]=tcp_call.pcap
    [tcp_multi_conn]=tcp_multi_conn.pcap
    [tcp_segmented]=tcp_segmented.pcap
    [tcp_lossy]=tcp_lossy.pcap
    [tcp_ipv6]=tcp_ipv6.pcap
    [ws_sip]=ws_sip.pcap
    [ws_sip6]=ws_sip6.pcap
    [hep_sip]=hep_sip.pcap
    [hep_sip_v2]=hep_sip_v2.pcap
    [tls_sip]=tls_sip.pcap
    [tls13_sip]=tls13_sip.pcap
    [tls_sip6]=tls_sip6.pcap
    [sctp_call]=sctp_call.pcap
    [hostile_headers]=hostile_headers.pcap
)
# Files written next to a capture (TLS key logs).
declare -A EXTRA_OF=(
    [tls_sip]=tls_sip.keys
    [tls13_sip]=tls13_sip.keys
    [tls_sip6]=tls_sip6.keys
)
ALL=(udp_call register_digest call_rejected call_pcapng cooked_sll cooked_sll2
     ipv6_call ns_precision fragmented_udp fragmented_udp6 sipp_custom_port
     call_busy call_cancel call_notfound call_noanswer call_forked call_reinvite
     call_prack call_lossy misc_methods register_failed b2bua_legs
     tcp_call tcp_multi_conn tcp_segmented tcp_lossy tcp_ipv6 ws_sip ws_sip6
     hep_sip hep_sip_v2 tls_sip tls13_sip tls_sip6 sctp_call hostile_headers)

# tshark_args SAMPLE FILE-DIR: sets TA to the extra tshark options that the
# sample needs to show its SIP messages (decode-as, Lua dissector, keys).
tshark_args() {
    TA=()
    case $1 in
        sipp_custom_port) TA=(-d 'udp.port==5080,sip' -d 'udp.port==5070,sip') ;;
        tcp_lossy) TA=(-o tcp.reassemble_out_of_order:TRUE) ;;
        hep_sip | hep_sip_v2) TA=("${HEP_LUA[@]}") ;;
        tls_sip | tls13_sip | tls_sip6) TA=(-o "tls.keylog_file:$2/${EXTRA_OF[$1]}") ;;
    esac
}

if (($# > 0)); then
    SELECTED=("$@")
else
    SELECTED=("${ALL[@]}")
fi
for s in "${SELECTED[@]}"; do
    [[ -n ${FILE_OF[$s]:-} ]] || die "unknown sample '$s' (known: ${ALL[*]})"
done

mkdir -p "$OUT"
DONE=()
for s in "${SELECTED[@]}"; do
    file=${FILE_OF[$s]}
    if declare -F "supported_$s" >/dev/null && ! "supported_$s"; then
        log "SKIPPING $file: not supported on this machine (see README.md)"
        continue
    fi
    ok=0
    for ((attempt = 1; attempt <= ATTEMPTS; attempt++)); do
        log "generating $file (attempt $attempt)"
        rm -f "$WORK/$file"
        "gen_$s"
        if "check_$s"; then
            ok=1
            break
        fi
    done
    ((ok)) || die "could not generate $file"
    for f in "$file" ${EXTRA_OF[$s]:-}; do
        mv -f "$WORK/$f" "$OUT/$f"
        # tcpdump drops privileges to user "tcpdump"; hand the file to whoever
        # owns the output directory.
        chown --reference="$OUT" "$OUT/$f"
        chmod 644 "$OUT/$f"
    done
    DONE+=("$s")
done

# Summary: file, size, link type(s), number of SIP messages seen by tshark
# (with the options of tshark_args).
log "done; summary:"
for s in "${DONE[@]}"; do
    file=${FILE_OF[$s]}
    tshark_args "$s" "$OUT"
    n=$(tshark -n -r "$OUT/$file" "${TA[@]}" -Y sip -T fields \
        -e frame.number -e sip.Method -e sip.Status-Code | wc -l)
    m=$(sip_sequence "$OUT/$file" "${TA[@]}" | wc -w)
    enc=$(capinfos -E -T -r "$OUT/$file" | cut -f2-)
    printf '%-24s %7s bytes  %3s SIP frames  %3s SIP messages  %s\n' \
        "$file" "$(stat -c %s "$OUT/$file")" "$n" "$m" "$enc"
done
