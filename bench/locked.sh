#!/usr/bin/env bash
# Run one benchmark command under the host's live lock, on one engine (default 20.10), and leave 20.10
# running as the other helpers' live tests expect. The busy host and the bench share the test daemon,
# so each bench run holds the lock from set-up to teardown. CMD runs in the caller's directory.
# Usage: bash bench/locked.sh [--engine 20.10|28.5] CMD...   e.g. bench/locked.sh --engine 28.5 node bench/run.mjs --busy
set -uo pipefail
engine=20.10
if [ "${1:-}" = --engine ]; then engine=$2; shift 2; fi
exec 9>/run/portdoctor-live.lock
flock 9
here=$(cd "$(dirname "$0")/.." && pwd)
bash "$here/scripts/test-env.sh" --engine "$engine" >&2 || exit 1
(
  set -a; . /run/portdoctor-test/engine.env; set +a
  [ -n "${PORTDOCTOR_TEST_ENGINE_PATH:-}" ] && PATH="$PORTDOCTOR_TEST_ENGINE_PATH:$PATH"
  "$@"
)
rc=$?
[ "$engine" = 20.10 ] || bash "$here/scripts/test-env.sh" --engine 20.10 >/dev/null 2>&1
exit $rc
