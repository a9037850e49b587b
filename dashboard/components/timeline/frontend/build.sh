#!/usr/bin/env bash
# Rebuild build/, the files the Slate timeline component serves (dashboard/components/timeline):
# our page (src/) and vis-timeline's standalone build (vis-data, moment and its CSS bundled in one
# file), at the version and checksum pinned here. Needs npm and the npm registry; nothing is
# fetched at run time. Run it after changing src/ or the version, then commit build/.
set -euo pipefail
cd "$(dirname "$0")"
VERSION=8.5.4
SHA256=22045807e537d38d01a537e97563ad8b0269f8b827bb5da23e060f9c3f8ec13b   # standalone/umd/vis-timeline-graph2d.min.js

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "vis-timeline@$VERSION" >/dev/null && tar -xzf "vis-timeline-$VERSION.tgz")
vis="$tmp/package/standalone/umd/vis-timeline-graph2d.min.js"
echo "$SHA256  $vis" | sha256sum --check --quiet -

rm -rf build
mkdir build
cp src/* build/
cp "$vis" build/
for f in LICENSE.md LICENSE.Apache-2.0.txt LICENSE.MIT.txt; do
  cp "$tmp/package/$f" "build/vis-timeline-$f"
done
echo "built $(pwd)/build with vis-timeline $VERSION"
