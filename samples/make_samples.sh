#!/usr/bin/env bash
# Regenerate sipflow's sample SIP captures (see README.md in this folder).
#
# Real SIP traffic is produced by SIPp (Debian package sip-tester) and
# captured with tcpdump / dumpcap.  Every sample runs inside its own,
# freshly created network namespace(s), so the traffic never leaves the
# namespace's loopback or the private veth pair, and unrelated traffic on the
# host (or another run of this script) cannot end up in the captures.
#
# Requirements: Debian 12 (or similar), run as root, packages
#   sip-tester tcpdump tshark (dumpcap, capinfos) iproute2
#
# Usage: sudo ./make_samples.sh [SAMPLE...]
#   With no argument every sample is regenerated.  Sample names:
#   udp_call register_digest call_rejected call_pcapng cooked_sll
#   cooked_sll2 ipv6_call ns_precision fragmented_udp fragmented_udp6
#   sipp_custom_port
#
# Environment:
#   SAMPLES_OUT   output directory (default: the directory of this script)
#   KEEP_WORK=1   keep the temporary work directory (SIPp / capture logs)
#
# Each capture is checked with tshark after it is made: the sequence of SIP
# methods / status codes must be exactly the expected one, otherwise the
# sample is regenerated (up to 3 attempts; a retransmission on a very busy
# machine is the only expected reason for a mismatch).
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
uas_start() {
    local ns=$1 logf=$WORK/$2.uas.log port=$3 ticks=100
    shift 3
    ip netns exec "$ns" sipp "${SIPP_OPTS[@]}" "$@" </dev/null >"$logf" 2>&1 &
    UAS_PID=$!
    BG_PIDS+=("$UAS_PID")
    until [[ -n $(ip netns exec "$ns" ss -Hlun "sport = :$port") ]]; do
        kill -0 "$UAS_PID" 2>/dev/null || { tail -n 30 "$logf" >&2; die "UAS failed to start"; }
        ((ticks-- > 0)) || die "UAS did not bind port $port in 10 s"
        sleep 0.1
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
sip_sequence() {
    local f=$1
    shift
    tshark -n -r "$f" "$@" -Y sip -T fields -e sip.Method -e sip.Status-Code |
        awk -F'\t' '{ printf "%s%s%s", (NR > 1 ? " " : ""), $1, $2 } END { print "" }'
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
)
ALL=(udp_call register_digest call_rejected call_pcapng cooked_sll cooked_sll2
     ipv6_call ns_precision fragmented_udp fragmented_udp6 sipp_custom_port)

if (($# > 0)); then
    SELECTED=("$@")
else
    SELECTED=("${ALL[@]}")
fi
for s in "${SELECTED[@]}"; do
    [[ -n ${FILE_OF[$s]:-} ]] || die "unknown sample '$s' (known: ${ALL[*]})"
done

mkdir -p "$OUT"
for s in "${SELECTED[@]}"; do
    file=${FILE_OF[$s]}
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
    mv -f "$WORK/$file" "$OUT/$file"
    # tcpdump drops privileges to user "tcpdump"; hand the file to whoever
    # owns the output directory.
    chown --reference="$OUT" "$OUT/$file"
    chmod 644 "$OUT/$file"
done

# Summary: file, size, link type(s), number of SIP messages seen by tshark.
log "done; summary:"
for s in "${SELECTED[@]}"; do
    file=${FILE_OF[$s]}
    extra=()
    [[ $s == sipp_custom_port ]] && extra=(-d 'udp.port==5080,sip' -d 'udp.port==5070,sip')
    n=$(tshark -n -r "$OUT/$file" "${extra[@]}" -Y sip -T fields \
        -e frame.number -e sip.Method -e sip.Status-Code | wc -l)
    enc=$(capinfos -E -T -r "$OUT/$file" | cut -f2-)
    printf '%-24s %7s bytes  %3s SIP  %s\n' "$file" "$(stat -c %s "$OUT/$file")" "$n" "$enc"
done
