#!/usr/bin/env bash
# The test step runs in Google's Cloud SDK image, which has the Pub/Sub and
# Firestore emulators and Java but no Node. This installs the latest Node 22
# there (the major node_modules was installed with), checked against the
# release's SHASUMS256.txt. With a Node 20+ already on PATH it does nothing.
set -euo pipefail
major=${FG_NODE_MAJOR:-22}
if command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ]; then
  echo "== node $(node --version) already installed"
  exit 0
fi
base="https://nodejs.org/dist/latest-v${major}.x"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl -fsSL "$base/SHASUMS256.txt" -o "$work/SHASUMS256.txt"
file=$(grep -o "node-v[0-9.]*-linux-x64.tar.gz" "$work/SHASUMS256.txt" | head -1)
[ -n "$file" ] || { echo "no linux-x64 tarball listed in $base/SHASUMS256.txt" >&2; exit 1; }
curl -fsSL "$base/$file" -o "$work/$file"
(cd "$work" && grep " $file\$" SHASUMS256.txt | sha256sum -c -)
tar -xzf "$work/$file" -C /usr/local --strip-components=1
echo "== installed node $(node --version)"
