#!/bin/sh
# Renders sipflow's diagrams in headless Chromium, the way people see them.
# Needs only chromium (and, for mermaid, `npm ci` run once in this
# directory); no node or puppeteer at run time.
#
#   render.sh png IN.svg OUT.png [SCALE]      screenshot of an SVG at its own size
#   render.sh mermaid IN.mmd                  the page's DOM after the real mermaid
#                                             library rendered IN.mmd, on stdout
#   render.sh mermaid-png IN.mmd OUT.png W H  a screenshot of that page
#
# CHROMIUM=path picks the browser. Exit status 2: a tool or file is missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
browser=${CHROMIUM:-}
if [ -z "$browser" ]; then
  for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then browser=$b && break; fi
  done
fi
[ -n "$browser" ] || { echo "render.sh: no chromium" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
# Headless, no network, no first-run work, a throw-away profile. As root,
# Chromium runs only without its sandbox.
run_chromium() {
  limit=
  if command -v timeout >/dev/null 2>&1; then limit="timeout 90"; fi
  $limit "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$work/profile" "$@" 2>"$work/chromium.log"
}

# The number in attribute $1 of the <svg> element of file $2, rounded up.
svg_size() {
  tr '\n' ' ' <"$2" | sed -n "s/.*<svg[^>]* $1=\"\([0-9.]*\)\".*/\1/p" |
    awk '{ n = int($1); if (n < $1) n++; print n }'
}

# An HTML page that renders the mermaid text of file $1 with node_modules' mermaid.
mermaid_page() {
  lib="$here/node_modules/mermaid/dist/mermaid.min.js"
  [ -f "$lib" ] || { echo "render.sh: run 'npm ci' in $here first" >&2; exit 2; }
  {
    printf '<!DOCTYPE html>\n<html><head><meta charset="utf-8">\n'
    printf '<script src="file://%s"></script></head>\n<body>\n<pre id="src" hidden>' "$lib"
    sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' "$1"
    cat <<'HTML'
</pre>
<div id="out"></div><p id="status">pending</p>
<script>
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
  const text = document.getElementById('src').textContent;
  const status = document.getElementById('status');
  mermaid.render('diagram', text)
    .then((r) => { document.getElementById('out').innerHTML = r.svg; status.textContent = 'rendered'; })
    // Split so that this page's own source never contains the words a test looks for.
    .catch((e) => { status.textContent = 'Syntax' + ' error: ' + (e && e.message ? e.message : e); });
</script>
</body></html>
HTML
  } >"$work/page.html"
}

mode=${1:-}
case "$mode" in
  png)
    [ $# -ge 3 ] || { echo "usage: render.sh png IN.svg OUT.png [SCALE]" >&2; exit 2; }
    w=$(svg_size width "$2") && h=$(svg_size height "$2")
    [ -n "$w" ] && [ -n "$h" ] || { echo "render.sh: no width/height in $2" >&2; exit 2; }
    cp "$2" "$work/in.svg"
    run_chromium --force-device-scale-factor="${4:-1}" --window-size="$w,$h" \
      --screenshot="$work/out.png" "file://$work/in.svg"
    mv "$work/out.png" "$3"
    ;;
  mermaid)
    [ $# -eq 2 ] || { echo "usage: render.sh mermaid IN.mmd" >&2; exit 2; }
    mermaid_page "$2"
    run_chromium --virtual-time-budget=10000 --dump-dom "file://$work/page.html"
    ;;
  mermaid-png)
    [ $# -eq 5 ] || { echo "usage: render.sh mermaid-png IN.mmd OUT.png W H" >&2; exit 2; }
    mermaid_page "$2"
    run_chromium --virtual-time-budget=10000 --window-size="$4,$5" \
      --screenshot="$work/out.png" "file://$work/page.html"
    mv "$work/out.png" "$3"
    ;;
  *)
    echo "usage: render.sh png|mermaid|mermaid-png ..." >&2
    exit 2
    ;;
esac
