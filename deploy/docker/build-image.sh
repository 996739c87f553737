#!/usr/bin/env bash
# Build the portdoctor image with no registry: the single executable, a base imported from a rootfs tar
# of this host's collector tools (make-rootfs.sh), then deploy/docker/Dockerfile on top.
# Usage: bash deploy/docker/build-image.sh [TAG]   (default portdoctor:VERSION and portdoctor:latest)
# Environment: DOCKER_HOST etc. choose the daemon, as for the docker CLI; PORTDOCTOR_BASE_TAG names the base.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(node -p 'require("./package.json").version')
tag=${1:-portdoctor:$version}
base=${PORTDOCTOR_BASE_TAG:-portdoctor-base:$version}
[ -x dist/sea/portdoctor ] || node scripts/build-sea.mjs
work=$(mktemp -d "${TMPDIR:-/tmp}/pdimage-XXXXXX")
trap 'rm -rf "$work"' EXIT
bash deploy/docker/make-rootfs.sh dist/sea/portdoctor "$work/rootfs.tar"
docker import --message "portdoctor base $version (deploy/docker/make-rootfs.sh)" "$work/rootfs.tar" "$base" >/dev/null
# the classic builder: it reads .dockerignore and uses the imported base without pulling (no registry)
DOCKER_BUILDKIT=0 docker build --quiet --build-arg "BASE=$base" -f deploy/docker/Dockerfile -t "$tag" . >/dev/null
if [ -z "${1:-}" ]; then docker tag "$tag" portdoctor:latest; docker tag "$base" portdoctor-base:latest; fi
echo "build-image: $tag (base $base)" >&2
