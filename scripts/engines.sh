#!/usr/bin/env bash
# The second engine and tools the tests need, from Debian sid, without touching the system's packages:
# docker.io 28.5.2 (dockerd, docker-proxy, dockerd-rootless.sh), docker-cli 28.5.2, docker-compose 2.40.3
# (Compose v2) and rootlesskit 2.0.2. apt-get runs with a private sources list, lists, cache and status
# (the system's apt state is read for nothing but the archive keyring), the .debs are unpacked with
# `dpkg-deb -x` under $PORTDOCTOR_ENGINES_DIR/<package>-<version>/, and each unpacked tree is checked by
# running its binaries' --version. Idempotent: a verified tree is reused with no network access.
#
# Usage: scripts/engines.sh [fetch]   fetch, unpack and verify what is missing (says what it downloads)
#        scripts/engines.sh env       the same, then print KEY=value lines for `eval` / `export`
#        scripts/engines.sh check     exit 0 only if everything is unpacked and verified (no network)
set -euo pipefail
DIR=${PORTDOCTOR_ENGINES_DIR:-/var/lib/portdoctor-test/engines}
say() { printf '[engines] %s\n' "$*" >&2; }

# package, upstream version wanted, the binary whose --version proves it, the text that output must contain
WANT=(
  "docker.io|28.5.2|usr/sbin/dockerd|Docker version 28.5.2+"
  "docker-cli|28.5.2|usr/bin/docker|Docker version 28.5.2+"
  "docker-compose|2.40.3|usr/libexec/docker/cli-plugins/docker-compose|Docker Compose version 2.40.3"
  "rootlesskit|2.0.2|usr/bin/rootlesskit|rootlesskit version 2.0.2"
)

tree() { printf '%s/%s-%s' "$DIR" "$1" "$2"; }
verified() { # package version binary expect
  local t
  t=$(tree "$1" "$2")
  [ -f "$t/.verified" ] && [ -x "$t/$3" ] && "$t/$3" --version 2>/dev/null | grep -qF -- "$4"
}

# the Debian mirror this machine's apt already uses (first .../debian URI of its sources), else deb.debian.org
mirror() {
  if [ -n "${PORTDOCTOR_SID_MIRROR:-}" ]; then echo "$PORTDOCTOR_SID_MIRROR"; return; fi
  local m
  m=$( (cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs:[[:space:]]*//p' | tr ' ' '\n'
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]\+\).*/\2/p') |
    grep -E '^https?://[^ ]*/debian/?$' | head -1)
  echo "${m:-http://deb.debian.org/debian}"
}

fetch() {
  local missing=() entry pkg ver bin expect
  for entry in "${WANT[@]}"; do
    IFS='|' read -r pkg ver bin expect <<<"$entry"
    verified "$pkg" "$ver" "$bin" "$expect" || missing+=("$entry")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || { say "need root to write $DIR"; exit 1; }
  mkdir -p "$DIR/apt/lists/partial" "$DIR/apt/cache/archives/partial" "$DIR/apt/sources.d" "$DIR/apt/prefs.d" "$DIR/debs"
  local m
  m=$(mirror)
  printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s sid main\n' "$m" >"$DIR/apt/sid.list"
  local opts=(
    -o "Dir::Etc::sourcelist=$DIR/apt/sid.list" -o "Dir::Etc::sourceparts=$DIR/apt/sources.d"
    -o "Dir::Etc::preferences=/dev/null" -o "Dir::Etc::preferencesparts=$DIR/apt/prefs.d"
    -o "Dir::State::Lists=$DIR/apt/lists" -o "Dir::State::status=/dev/null" -o "Dir::Cache=$DIR/apt/cache"
    -o "APT::Sandbox::User=root"
  )
  say "reading Debian sid's package list from $m (private apt state in $DIR/apt; system apt untouched)"
  apt-get -qq "${opts[@]}" update >&2
  for entry in "${missing[@]}"; do
    IFS='|' read -r pkg ver bin expect <<<"$entry"
    local cand
    cand=$(apt-cache "${opts[@]}" policy "$pkg" | sed -n 's/^  Candidate: //p')
    case "$cand" in
      "$ver"+* | "$ver"-*) ;;
      *) say "sid offers $pkg ${cand:-nothing}, not $ver: cannot fetch it (set PORTDOCTOR_SID_MIRROR to a mirror that has it)"; exit 1 ;;
    esac
    local deb
    deb=$(ls "$DIR/debs/${pkg}_${cand/*:/}_"*.deb 2>/dev/null | head -1 || true)
    if [ -z "$deb" ]; then
      say "downloading $pkg $cand from sid into $DIR/debs"
      (cd "$DIR/debs" && apt-get -qq "${opts[@]}" download "$pkg=$cand" >&2)
      deb=$(ls "$DIR/debs/${pkg}_${cand/*:/}_"*.deb | head -1)
    fi
    local t tmp
    t=$(tree "$pkg" "$ver")
    tmp="$t.tmp.$$"
    rm -rf "$tmp"
    say "unpacking $(basename "$deb") into $t (dpkg-deb -x; nothing is installed)"
    dpkg-deb -x "$deb" "$tmp"
    if ! "$tmp/$bin" --version 2>&1 | grep -qF -- "$expect"; then
      say "$pkg: $bin --version does not say '$expect':"
      "$tmp/$bin" --version >&2 || true
      rm -rf "$tmp"
      exit 1
    fi
    echo "$cand" >"$tmp/.verified"
    rm -rf "$t"
    mv "$tmp" "$t"
    say "$pkg $cand verified: $("$t/$bin" --version | head -1)"
  done
}

# one directory to put first on PATH for the Docker 28 pass: dockerd, docker-proxy, docker, the compose v2
# plugin, dockerd-rootless.sh, rootlesskit and its helpers
bindir() {
  local b="$DIR/bin28" d c r
  d=$(tree docker.io 28.5.2) c=$(tree docker-cli 28.5.2) r=$(tree rootlesskit 2.0.2)
  mkdir -p "$b"
  ln -sfn "$d/usr/sbin/dockerd" "$b/dockerd"
  ln -sfn "$d/usr/sbin/docker-proxy" "$b/docker-proxy"
  ln -sfn "$d/usr/share/docker.io/contrib/dockerd-rootless.sh" "$b/dockerd-rootless.sh"
  ln -sfn "$c/usr/bin/docker" "$b/docker"
  ln -sfn "$r/usr/bin/rootlesskit" "$b/rootlesskit"
  ln -sfn "$r/usr/bin/rootlessctl" "$b/rootlessctl"
  ln -sfn "$r/usr/bin/rootlesskit-docker-proxy" "$b/rootlesskit-docker-proxy"
  echo "$b"
}

print_env() {
  local d c p r
  d=$(tree docker.io 28.5.2) c=$(tree docker-cli 28.5.2) p=$(tree docker-compose 2.40.3) r=$(tree rootlesskit 2.0.2)
  echo "PORTDOCTOR_DOCKERD28=$d/usr/sbin/dockerd"
  echo "PORTDOCTOR_DOCKER_PROXY28=$d/usr/sbin/docker-proxy"
  echo "PORTDOCTOR_DOCKERD28_ROOTLESS=$d/usr/share/docker.io/contrib/dockerd-rootless.sh"
  echo "PORTDOCTOR_DOCKER_CLI28=$c/usr/bin/docker"
  echo "PORTDOCTOR_COMPOSE_V2=$p/usr/libexec/docker/cli-plugins/docker-compose"
  echo "PORTDOCTOR_COMPOSE_V2_PLUGIN_DIR=$p/usr/libexec/docker/cli-plugins"
  echo "PORTDOCTOR_ROOTLESSKIT2=$r/usr/bin/rootlesskit"
  echo "PORTDOCTOR_ENGINE28_BIN=$(bindir)"
}

mkdir -p "$DIR"
exec 9>>"$DIR/.lock"
case "${1:-fetch}" in
  fetch) flock 9 && fetch ;;
  env) flock 9 && fetch && print_env ;;
  check)
    for entry in "${WANT[@]}"; do
      IFS='|' read -r pkg ver bin expect <<<"$entry"
      verified "$pkg" "$ver" "$bin" "$expect" || { say "$pkg $ver: not unpacked and verified under $DIR"; exit 1; }
    done ;;
  *) echo "usage: scripts/engines.sh [fetch|env|check]" >&2; exit 2 ;;
esac
