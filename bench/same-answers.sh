#!/usr/bin/env bash
# On the busy host (×1): do `diagnose --json` (8 ports, every kind of holder) and `ports --json` of this
# checkout and of BASE (a built checkout of the code before a change) give the same answers, side by side?
# Fields that name how a fact was read (source, looked) and timestamps are left out of the comparison.
# Usage, under the live lock: bash bench/locked.sh bash bench/same-answers.sh BASE
set -uo pipefail
BASE=${1:?usage: same-answers.sh BASE (a built checkout of the code before)}
cd "$(dirname "$0")/.."
node bench/busy-host.mjs down >/dev/null 2>&1
node bench/busy-host.mjs up --scale=1 >/dev/null || exit 1
strip() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);delete j.engine;const f=(o)=>{if(Array.isArray(o))return o.map(f);if(o&&typeof o==="object"){for(const k of Object.keys(o)){if(["takenAt","when","source","looked"].includes(k))delete o[k];else o[k]=f(o[k]);}}return o;};console.log(JSON.stringify(f(j),null,1))})'; }
for P in 20100 20105 26000/udp 28000 28003 28500 28600 29999; do
  a=$(bin/portdoctor diagnose $P --json; echo "rc=$?")
  b=$("$BASE/bin/portdoctor" diagnose $P --json; echo "rc=$?")
  ra=${a##*rc=}; rb=${b##*rc=}
  if diff <(echo "${a%rc=*}" | strip) <(echo "${b%rc=*}" | strip) >"${TMPDIR:-/tmp}"/pd-same-${P%/*}.diff 2>&1; then echo "diagnose $P: same (exit $ra/$rb, cause $(echo "${a%rc=*}" | node -pe 'JSON.parse(require("fs").readFileSync(0,"utf8")).verdict.cause'))"; else echo "diagnose $P: DIFFERENT (exit $ra/$rb), see "${TMPDIR:-/tmp}"/pd-same-${P%/*}.diff"; head -30 "${TMPDIR:-/tmp}"/pd-same-${P%/*}.diff; fi
done
bin/portdoctor ports --json > "${TMPDIR:-/tmp}"/pd-ports-after.json; "$BASE/bin/portdoctor" ports --json > "${TMPDIR:-/tmp}"/pd-ports-before.json
cmp "${TMPDIR:-/tmp}"/pd-ports-after.json "${TMPDIR:-/tmp}"/pd-ports-before.json && echo "ports --json: byte-identical ($(wc -c < "${TMPDIR:-/tmp}"/pd-ports-after.json) bytes)"
node bench/busy-host.mjs down >/dev/null
