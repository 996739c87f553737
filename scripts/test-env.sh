#!/usr/bin/env bash
# Bring this Debian 12 host to what the test suite needs, saying what it installs or starts:
# Debian packages, node modules, a running dockerd of the engine asked for, and a busybox image built
# with `docker import` (there is no image registry here). Idempotent.
#
# Usage: scripts/test-env.sh [--engine 20.10|28.5]   (default: $PORTDOCTOR_TEST_ENGINE, else 20.10)
#        scripts/test-env.sh --stop [20.10|28.5]      stop the dockerd(s) this project started, nothing else
#        scripts/test-env.sh --restart 20.10|28.5     restart the one this project started (for watch tests)
#
# 20.10 is Debian 12's docker.io on /var/run/docker.sock. 28.5 is Debian sid's docker.io 28.5.2, unpacked
# by scripts/engines.sh (never installed), with its own --data-root, --exec-root, pidfile, socket and
# docker-proxy. The two share docker0 and the iptables chains, so they never run at once here: starting
# one stops the other, and only if this project started it (its pid is in $STATE/dockerd*.pid). A dockerd
# someone else started is never stopped: the 28.5 start then refuses (exit 3) and says why.
# The variables the engine's tests need are written to $STATE/engine.env (and printed with --print-env).
set -euo pipefail
cd "$(dirname "$0")/.."
STATE=${PORTDOCTOR_TEST_STATE:-/run/portdoctor-test}
IMAGE=${PORTDOCTOR_TEST_IMAGE:-portdoctor-test-bb:latest}
ENGINES_DIR=${PORTDOCTOR_ENGINES_DIR:-/var/lib/portdoctor-test/engines}
D28_ROOT=${PORTDOCTOR_DOCKER28_ROOT:-/var/lib/portdoctor-test/docker28}
D28_EXEC=$STATE/docker28-exec
D28_SOCK=$STATE/docker28.sock
mkdir -p "$STATE"
say() { printf '[test-env] %s\n' "$*" >&2; }
export PATH="$PATH:/usr/sbin:/sbin"

ENGINE=${PORTDOCTOR_TEST_ENGINE:-20.10}
MODE=start
PRINT=0
while [ $# -gt 0 ]; do
  case "$1" in
    --engine) ENGINE=${2:?--engine needs 20.10 or 28.5}; shift 2 ;;
    --engine=*) ENGINE=${1#*=}; shift ;;
    --stop) MODE=stop; shift; if [ $# -gt 0 ] && [[ "$1" != --* ]]; then ENGINE=$1; shift; else ENGINE=all; fi ;;
    --restart) MODE=restart; ENGINE=${2:?--restart needs 20.10 or 28.5}; shift 2 ;;
    --print-env) PRINT=1; shift ;;
    *) echo "usage: scripts/test-env.sh [--engine 20.10|28.5] [--print-env] | --stop [20.10|28.5]" >&2; exit 2 ;;
  esac
done
case "$ENGINE" in 20.10 | 28.5 | all) ;; *) say "unknown engine '$ENGINE' (20.10 or 28.5)"; exit 2 ;; esac

pidfile() { if [ "$1" = 28.5 ]; then echo "$STATE/dockerd28.pid"; else echo "$STATE/dockerd.pid"; fi; }
# the pid in an engine's record, if that process is still a dockerd (else the stale record is dropped)
ours() {
  local f pid
  f=$(pidfile "$1")
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]; then echo "$pid"; else rm -f "$f"; return 1; fi
}
# every dockerd in this network namespace (a rootless one lives in its own)
host_dockerds() {
  local me p
  me=$(readlink /proc/self/ns/net)
  for p in /proc/[0-9]*; do
    [ "$(cat "$p/comm" 2>/dev/null)" = dockerd ] && [ "$(readlink "$p/ns/net" 2>/dev/null)" = "$me" ] && echo "${p#/proc/}"
  done
  return 0
}
# start a daemon in its own session with only stdin/stdout/stderr: a caller's lock fd (flock on
# /run/portdoctor-live.lock) must not be inherited, or the daemon would hold that lock for its whole life
daemon() {
  (
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null
    done
    exec setsid "$@"
  ) &
}
stop_engine() {
  local pid
  pid=$(ours "$1") || return 0
  say "stopping the $1 dockerd this project started (pid $pid)"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  if kill -0 "$pid" 2>/dev/null; then say "dockerd $pid did not stop in 30 s"; return 1; fi
  rm -f "$(pidfile "$1")"
  [ "$1" = 28.5 ] && [ -z "$(host_dockerds)" ] && clean_28
  return 0
}
# The chains dockerd 28 made (and left, as every dockerd does at exit) that 20.10 does not manage: its
# FORWARD layout (DOCKER-FORWARD, DOCKER-CT, DOCKER-BRIDGE) and its ip6tables rules (20.10 runs without
# ip6tables). Removed only right after our 28.5 dockerd stopped with no other dockerd here, jumps by exact
# spec, then those chains alone; no table is flushed. 20.10 rebuilds its own chains when it starts.
clean_28() {
  say "removing the iptables chains the stopped dockerd 28.5 left that 20.10 does not manage"
  iptables -w -t filter -D FORWARD -j DOCKER-FORWARD 2>/dev/null || true
  for c in DOCKER-FORWARD DOCKER-CT DOCKER-BRIDGE; do iptables -w -t filter -F "$c" 2>/dev/null || true; done
  for c in DOCKER-FORWARD DOCKER-CT DOCKER-BRIDGE; do iptables -w -t filter -X "$c" 2>/dev/null || true; done
  command -v ip6tables >/dev/null || return 0
  ip6tables -w -t filter -D FORWARD -j DOCKER-USER 2>/dev/null || true
  ip6tables -w -t filter -D FORWARD -j DOCKER-FORWARD 2>/dev/null || true
  ip6tables -w -t nat -D PREROUTING -m addrtype --dst-type LOCAL -j DOCKER 2>/dev/null || true
  ip6tables -w -t nat -D OUTPUT ! -d ::1/128 -m addrtype --dst-type LOCAL -j DOCKER 2>/dev/null || true
  local six="DOCKER-FORWARD DOCKER-CT DOCKER-BRIDGE DOCKER-ISOLATION-STAGE-1 DOCKER-ISOLATION-STAGE-2 DOCKER-USER DOCKER"
  for c in $six; do ip6tables -w -t filter -F "$c" 2>/dev/null || true; done
  for c in $six; do ip6tables -w -t filter -X "$c" 2>/dev/null || true; done
  ip6tables -w -t nat -F DOCKER 2>/dev/null || true
  ip6tables -w -t nat -X DOCKER 2>/dev/null || true
}

if [ "$MODE" = stop ]; then
  if [ "$ENGINE" = all ]; then stop_engine 28.5; stop_engine 20.10; else stop_engine "$ENGINE"; fi
  exit 0
fi

if [ "$MODE" = restart ]; then
  ours "$ENGINE" >/dev/null || { say "no $ENGINE dockerd started by this project is running: not restarting anything"; exit 3; }
  stop_engine "$ENGINE"
fi

if [ "$MODE" != restart ]; then
need_pkgs=()
for pair in podman:podman runc:runc rootlesskit:rootlesskit slirp4netns:slirp4netns newuidmap:uidmap dockerd:docker.io nft:nftables iptables-legacy-save:iptables docker-compose:docker-compose ss:iproute2 conntrack:conntrack promtool:prometheus curl:curl; do
  bin=${pair%%:*}; pkg=${pair#*:}
  command -v "$bin" >/dev/null 2>&1 || need_pkgs+=("$pkg")
done
[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx httpd && file -L /bin/busybox 2>/dev/null | grep -q static || need_pkgs+=(busybox-static)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then say "missing packages ${need_pkgs[*]} and not root: cannot install them"; exit 1; fi
  say "installing Debian packages: ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" file >&2
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing node modules (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
say "building dist/ (esbuild)"
node scripts/build.mjs >&2

# rootless Docker for test/live/rootless.test.ts: an unprivileged user with subordinate ids, and a tun
# device it may open (Debian's default mode is 0666; some VM images ship it root-only)
if ! id pdtest-rootless >/dev/null 2>&1; then
  say "creating user pdtest-rootless (with /etc/subuid and /etc/subgid ranges) for the rootless Docker test"
  useradd -m -s /bin/sh pdtest-rootless
fi
grep -q '^pdtest-rootless:' /etc/subuid || echo "pdtest-rootless:200000:65536" >>/etc/subuid
grep -q '^pdtest-rootless:' /etc/subgid || echo "pdtest-rootless:200000:65536" >>/etc/subgid
if [ -c /dev/net/tun ] && [ "$(stat -c %a /dev/net/tun)" != 666 ]; then
  say "making /dev/net/tun usable by non-root users (chmod 0666, Debian's default) for slirp4netns"
  chmod 0666 /dev/net/tun
fi
fi

import_image() { # DOCKER_HOST is set by the caller for the engine
  docker image inspect "$IMAGE" >/dev/null 2>&1 && return 0
  say "building test image $IMAGE with docker import from busybox-static ($1)"
  local root
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/www"
  cp /bin/busybox "$root/bin/busybox"
  echo portdoctor-ok >"$root/www/index.html"
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/busybox","httpd","-f","-p","80","-h","/www"]' - "$IMAGE" >/dev/null
  rm -rf "$root"
}

# Compose v2 and rootlesskit 2 (both engines' tests use compose v2 beside Debian 12's v1), dockerd 28.5.2
bash scripts/engines.sh fetch
eval "$(bash scripts/engines.sh env)"

if [ "$ENGINE" = 20.10 ]; then
  stop_engine 28.5
  unset DOCKER_HOST
  # Debian 12's own binaries by path: a PATH with the 28.5 directory first must not pick dockerd 28
  docker() { /usr/bin/docker "$@"; }
  if ! timeout 5 docker info >/dev/null 2>&1; then
    others=$(host_dockerds | tr '\n' ' ')
    if [ -n "$others" ]; then
      say "a dockerd this project did not start is running (pid $others) but /var/run/docker.sock does not answer: not starting a second one next to it"
      exit 3
    fi
    say "no dockerd answers on /var/run/docker.sock: starting Debian 12's dockerd 20.10 (log: $STATE/dockerd.log)"
    # iptables-nft is Debian's default; dockerd uses the first iptables on its PATH
    daemon /usr/sbin/dockerd >>"$STATE/dockerd.log" 2>&1 </dev/null
    echo $! >"$STATE/dockerd.pid"
    for _ in $(seq 60); do timeout 2 docker info >/dev/null 2>&1 && break; sleep 0.5; done
    timeout 5 docker info >/dev/null 2>&1 || { say "dockerd did not come up; see $STATE/dockerd.log"; tail -20 "$STATE/dockerd.log" >&2; exit 1; }
    say "dockerd 20.10 started (pid $(cat "$STATE/dockerd.pid"))"
  elif pid=$(ours 20.10); then
    say "dockerd 20.10 already running (pid $pid, started by an earlier test run)"
  else
    say "using the dockerd on /var/run/docker.sock that this project did not start (it is never stopped by the tests)"
  fi
  version=$(docker version --format '{{.Server.Version}}')
  case "$version" in
    20.10.*) ;;
    *) say "the dockerd on /var/run/docker.sock is $version, not 20.10: the 20.10 tests cannot run on it"; exit 3 ;;
  esac
  import_image "dockerd $version"
  cat >"$STATE/engine.env" <<EOF
PORTDOCTOR_TEST_ENGINE=20.10
DOCKER_HOST=unix:///var/run/docker.sock
PORTDOCTOR_TEST_DOCKER_PROXY=/usr/sbin/docker-proxy
PORTDOCTOR_TEST_DOCKERD_ROOTLESS=/usr/share/docker.io/contrib/dockerd-rootless.sh
PORTDOCTOR_TEST_ENGINE_PATH=
PORTDOCTOR_TEST_COMPOSE_V2=$PORTDOCTOR_COMPOSE_V2
EOF
else
  export DOCKER_HOST=unix://$D28_SOCK
  if pid=$(ours 28.5) && timeout 5 "$PORTDOCTOR_DOCKER_CLI28" info >/dev/null 2>&1; then
    say "dockerd 28.5.2 already running (pid $pid, started by an earlier test run)"
  else
    stop_engine 20.10
    others=$(host_dockerds | tr '\n' ' ')
    if [ -n "$others" ]; then
      say "NOT starting dockerd 28.5.2: a dockerd this project did not start is running here (pid $others)."
      say "Both would own docker0 and the DOCKER iptables chains of this network namespace, and that one is never stopped by the tests."
      exit 3
    fi
    mkdir -p "$D28_ROOT" "$D28_EXEC"
    echo '{}' >"$STATE/docker28.json"
    say "starting Debian sid's dockerd 28.5.2 from $PORTDOCTOR_ENGINE28_BIN (data-root $D28_ROOT, exec-root $D28_EXEC, socket $D28_SOCK, log $STATE/dockerd28.log)"
    # its own docker-proxy first on PATH and named; Debian 12's containerd and runc from the system
    PATH="$PORTDOCTOR_ENGINE28_BIN:$PATH" daemon "$PORTDOCTOR_DOCKERD28" \
      --config-file "$STATE/docker28.json" --data-root "$D28_ROOT" --exec-root "$D28_EXEC" \
      --pidfile "$STATE/docker28-daemon.pid" -H "unix://$D28_SOCK" \
      --userland-proxy-path "$PORTDOCTOR_DOCKER_PROXY28" \
      --containerd-namespace portdoctor-moby28 --containerd-plugins-namespace portdoctor-plugins28 \
      >>"$STATE/dockerd28.log" 2>&1 </dev/null
    echo $! >"$STATE/dockerd28.pid"
    for _ in $(seq 80); do timeout 2 "$PORTDOCTOR_DOCKER_CLI28" info >/dev/null 2>&1 && break; sleep 0.5; done
    timeout 5 "$PORTDOCTOR_DOCKER_CLI28" info >/dev/null 2>&1 || {
      say "dockerd 28.5.2 did not come up; see $STATE/dockerd28.log"; tail -20 "$STATE/dockerd28.log" >&2; exit 1
    }
    say "dockerd 28.5.2 started (pid $(cat "$STATE/dockerd28.pid"))"
  fi
  version=$("$PORTDOCTOR_DOCKER_CLI28" version --format '{{.Server.Version}}')
  case "$version" in 28.5.2*) ;; *) say "the dockerd on $D28_SOCK is $version, not 28.5.2"; exit 1 ;; esac
  docker() { "$PORTDOCTOR_DOCKER_CLI28" "$@"; }
  import_image "dockerd $version"
  cat >"$STATE/engine.env" <<EOF
PORTDOCTOR_TEST_ENGINE=28.5
DOCKER_HOST=unix://$D28_SOCK
PORTDOCTOR_TEST_DOCKER_PROXY=$PORTDOCTOR_DOCKER_PROXY28
PORTDOCTOR_TEST_DOCKERD_ROOTLESS=$PORTDOCTOR_DOCKERD28_ROOTLESS
PORTDOCTOR_TEST_ENGINE_PATH=$PORTDOCTOR_ENGINE28_BIN
PORTDOCTOR_TEST_COMPOSE_V2=$PORTDOCTOR_COMPOSE_V2
EOF
fi
[ "$PRINT" = 1 ] && cat "$STATE/engine.env"
exit 0
