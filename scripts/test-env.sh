#!/usr/bin/env bash
# Bring this Debian 12 host to what the test suite needs, saying what it installs or starts:
# Debian packages, node modules, a running dockerd, and a busybox image built with `docker import`
# (there is no image registry here). Idempotent. Writes the dockerd it started to $STATE/dockerd.pid.
set -euo pipefail
STATE=${PORTDOCTOR_TEST_STATE:-/run/portdoctor-test}
IMAGE=${PORTDOCTOR_TEST_IMAGE:-portdoctor-test-bb:latest}
mkdir -p "$STATE"
say() { printf '[test-env] %s\n' "$*" >&2; }

need_pkgs=()
for pair in podman:podman rootlesskit:rootlesskit slirp4netns:slirp4netns newuidmap:uidmap dockerd:docker.io nft:nftables iptables-legacy-save:iptables docker-compose:docker-compose ss:iproute2 conntrack:conntrack promtool:prometheus; do
  bin=${pair%%:*}; pkg=${pair#*:}
  command -v "$bin" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$bin" >/dev/null 2>&1 || need_pkgs+=("$pkg")
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

export PATH="$PATH:/usr/sbin:/sbin"
if ! timeout 5 docker info >/dev/null 2>&1; then
  say "no dockerd answers on /var/run/docker.sock: starting one (log: $STATE/dockerd.log)"
  # iptables-nft is Debian's default; dockerd uses the first iptables on its PATH
  setsid dockerd >"$STATE/dockerd.log" 2>&1 < /dev/null &
  echo $! > "$STATE/dockerd.pid"
  for _ in $(seq 60); do timeout 2 docker info >/dev/null 2>&1 && break; sleep 0.5; done
  timeout 5 docker info >/dev/null 2>&1 || { say "dockerd did not come up; see $STATE/dockerd.log"; tail -20 "$STATE/dockerd.log" >&2; exit 1; }
  say "dockerd started (pid $(cat "$STATE/dockerd.pid"))"
else
  # keep the record only if it still names the running dockerd (one an earlier run of ours started)
  if [ -f "$STATE/dockerd.pid" ] && [ "$(cat "/proc/$(cat "$STATE/dockerd.pid")/comm" 2>/dev/null)" = dockerd ]; then
    say "dockerd already running (pid $(cat "$STATE/dockerd.pid"), started by an earlier test run)"
  else
    rm -f "$STATE/dockerd.pid"
  fi
fi

# rootless Docker for test/live/rootless.test.ts: an unprivileged user with subordinate ids, and a tun
# device it may open (Debian's default mode is 0666; some VM images ship it root-only)
if ! id pdtest-rootless >/dev/null 2>&1; then
  say "creating user pdtest-rootless (with /etc/subuid and /etc/subgid ranges) for the rootless Docker test"
  useradd -m -s /bin/sh pdtest-rootless
fi
grep -q '^pdtest-rootless:' /etc/subuid || echo "pdtest-rootless:200000:65536" >> /etc/subuid
grep -q '^pdtest-rootless:' /etc/subgid || echo "pdtest-rootless:200000:65536" >> /etc/subgid
if [ -c /dev/net/tun ] && [ "$(stat -c %a /dev/net/tun)" != 666 ]; then
  say "making /dev/net/tun usable by non-root users (chmod 0666, Debian's default) for slirp4netns"
  chmod 0666 /dev/net/tun
fi

if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
  say "building test image $IMAGE with docker import from busybox-static"
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/www"
  cp /bin/busybox "$root/bin/busybox"
  echo portdoctor-ok > "$root/www/index.html"
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/busybox","httpd","-f","-p","80","-h","/www"]' - "$IMAGE" >/dev/null
  rm -rf "$root"
fi
