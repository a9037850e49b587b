#!/usr/bin/env bash
# Refresh the vendored part of static/, the files the Slate timeline component serves
# (dashboard/components/timeline): vis-timeline's standalone build (vis-data, moment and its CSS
# bundled in one file) and its licences, at the version and checksum pinned here. Our own page
# (index.html, timeline.js, timeline.css) is edited in static/ directly: there is no build step.
# Needs npm and the npm registry; nothing is fetched at run time. Commit static/ afterwards.
set -euo pipefail
cd "$(dirname "$0")"
VERSION=8.5.4
SHA256=22045807e537d38d01a537e97563ad8b0269f8b827bb5da23e060f9c3f8ec13b   # standalone/umd/vis-timeline-graph2d.min.js

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "vis-timeline@$VERSION" >/dev/null && tar -xzf "vis-timeline-$VERSION.tgz")
vis="$tmp/package/standalone/umd/vis-timeline-graph2d.min.js"
echo "$SHA256  $vis" | sha256sum --check --quiet -

cp "$vis" static/
for f in LICENSE.md LICENSE.Apache-2.0.txt LICENSE.MIT.txt; do
  cp "$tmp/package/$f" "static/vis-timeline-$f"
done
echo "refreshed $(pwd)/static with vis-timeline $VERSION"
