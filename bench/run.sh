#!/usr/bin/env bash
# bench/run.sh [PCAP]: time sipflow against the read-and-memchr floor, tshark
# and sngrep on one capture; prints a markdown table (wall s, CPU s, peak RSS
# MiB, ratio of wall time to the floor), then the micro-benchmarks. Builds
# Release into build-bench/. Without PCAP it generates the reference workload
# (tests/tools/gen_sip_pcap.py --calls 100000 --seed 7, 370 MB) in a temporary
# folder and removes it afterwards.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pcap=${1:-}
if [ -z "$pcap" ]; then
  pcap=$tmp/w100k.pcap
  python3 "$root/tests/tools/gen_sip_pcap.py" --calls 100000 --seed 7 --out "$pcap" >/dev/null
fi
bld=$root/build-bench
cmake -S "$root" -B "$bld" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSIPFLOW_BUILD_BENCH=ON >/dev/null
cmake --build "$bld" --target sipflow sipflow_floor sipflow_micro >/dev/null
sf=$(find "$bld" -type f -name sipflow -perm -u+x | head -1)
fl=$bld/bench/sipflow_floor
# A Call-ID from the middle of the file.
n=$(tshark -r "$pcap" -Y sip.Call-ID -T fields -e sip.Call-ID 2>/dev/null | wc -l)
cid=$(tshark -r "$pcap" -Y sip.Call-ID -T fields -e sip.Call-ID 2>/dev/null | sed -n "$((n / 2 + 1))p")
floor_wall=
row() { # name, command...
  local name=$1; shift
  /usr/bin/time -v -o "$tmp/t" "$@" >/dev/null 2>"$tmp/err" || true
  local wall cpu rss
  wall=$(awk -F': ' '/Elapsed \(wall/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$tmp/t")
  cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.2f", u+s}' "$tmp/t")
  rss=$(awk -F': ' '/Maximum resident/ {printf "%.1f", $2/1024}' "$tmp/t")
  [ -z "$floor_wall" ] && floor_wall=$wall
  printf '| %s | %.2f | %s | %s | %.2f |\n' "$name" "$wall" "$cpu" "$rss" \
    "$(awk -v a="$wall" -v b="$floor_wall" 'BEGIN {print (b > 0 ? a / b : 0)}')"
}
echo "| command | wall s | CPU s | peak RSS MiB | × floor |"
echo "|---|---|---|---|---|"
row floor "$fl" "$pcap"
row "sipflow stats" "$sf" stats "$pcap"
row "sipflow calls --json" "$sf" calls --json "$pcap"
row "sipflow messages --json" "$sf" messages --json "$pcap"
row "sipflow flow --call-id" "$sf" flow --call-id "$cid" "$pcap"
row "tshark sip,stat" tshark -q -z sip,stat -r "$pcap"
row "sngrep -N -q -I" sngrep -N -q -I "$pcap"
echo
echo "Micro-benchmarks (bench/micro.cpp, messages of the bundled samples):"
echo '```'
"$bld/bench/sipflow_micro" --benchmark_min_time=0.5 2>/dev/null | sed -n '/^Benchmark/,$p'
echo '```'
