#!/usr/bin/env bash
# The image's base, from this host's own files (no registry is needed or reachable): a root filesystem tar
# holding the collectors' tools (iptables-nft and iptables-legacy, nft, ss, ip, journalctl) and every shared
# library `ldd` says they and the single executable load (the executable itself is the Dockerfile's layer).
# `docker import` turns it into the base image.
# It is meant to run the collectors (the exporter in deploy/compose): without these tools they report
# "absent" and the verdicts fall back to unknown. Not included: perl (the bind probe of diagnose says it
# cannot ask; the exporter never probes), podman, a shell.
# Usage: bash deploy/docker/make-rootfs.sh SEA_BINARY OUT.tar
set -euo pipefail
sea=${1:?usage: make-rootfs.sh SEA_BINARY OUT.tar}
out=${2:?usage: make-rootfs.sh SEA_BINARY OUT.tar}
root=$(mktemp -d "${TMPDIR:-/tmp}/pdrootfs-XXXXXX")
trap 'rm -rf "$root"' EXIT
chmod 0755 "$root"
# Debian 12 is merged-/usr: /lib, /bin, /sbin are links into /usr, so ldd's /lib/... paths land in usr/
mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/{etc,tmp,run,var/log,proc,sys,dev}
for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done
chmod 1777 "$root/tmp"

tools=()
for t in xtables-nft-multi xtables-legacy-multi nft ss ip journalctl; do
  p=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$t") || { echo "make-rootfs: $t not found (apt-get install iptables nftables iproute2 systemd)" >&2; exit 2; }
  tools+=("$(readlink -f "$p")")
done
copy() { # copy a file to the same path in the rootfs, following links
  mkdir -p "$root$(dirname "$1")"
  cp -L "$1" "$root$1"
}
for t in "${tools[@]}"; do copy "$t"; done
ext=/usr/lib/$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)/xtables
[ -d "$ext" ] || ext=$(dirname "$(readlink -f "$(command -v xtables-nft-multi)")")/../lib/x86_64-linux-gnu/xtables
for f in "$ext"/*.so; do copy "$f"; done
# every library any of them loads, and the dynamic loader
for f in "$sea" "${tools[@]}" "$ext"/*.so; do
  ldd "$f" 2>/dev/null | awk '/=> \//{print $3} /^[ \t]*\/[^ ]+ \(/{print $1}'
done | sort -u | while read -r lib; do copy "$lib"; done
# the names portdoctor runs
for n in iptables-nft-save ip6tables-nft-save iptables-nft ip6tables-nft iptables-save ip6tables-save; do
  ln -s xtables-nft-multi "$root/usr/sbin/$n"
done
for n in iptables-legacy-save ip6tables-legacy-save iptables-legacy ip6tables-legacy; do
  ln -s xtables-legacy-multi "$root/usr/sbin/$n"
done
[ -e "$root/usr/bin/ip" ] || ln -s ../../bin/ip "$root/usr/sbin/ip"
# names for numbers in rule listings, and a root user
for f in /etc/protocols /etc/services /etc/ethertypes; do [ -f "$f" ] && cp "$f" "$root$f"; done
echo 'root:x:0:0:root:/root:/usr/sbin/nologin' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
echo 'hosts: files' >"$root/etc/nsswitch.conf"
tar --numeric-owner --owner=0 --group=0 -C "$root" -cf "$out" .
echo "make-rootfs: $out ($(($(stat -c %s "$out") / 1000000)) MB)" >&2
