#!/usr/bin/env bash
# Packages the compiled functions (dist/functions, dist/shared) as the zip
# Cloud Functions builds from: package.json (main: dist/functions/index.js;
# its `prepare` build dropped and an empty `gcp-build`, since the code is
# already compiled), package-lock.json and dist/. Every function deploys this
# one bundle with its own entry point.
#
#   bash scripts/package-functions.sh [OUT.zip]   # default dist/forecast-guard-functions.zip
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist/forecast-guard-functions.zip}
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac

for f in dist/functions/index.js dist/shared package.json package-lock.json; do
  [ -e "$f" ] || { echo "error: $f is missing (run npm run build first)" >&2; exit 2; }
done

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/dist"
cp -R dist/functions dist/shared "$stage/dist/"
cp package-lock.json "$stage/"
node -e '
  const pkg = JSON.parse(require("node:fs").readFileSync("package.json", "utf8"));
  // The bundle is compiled already: no prepare (it would need the dev toolchain), and an empty gcp-build
  // tells the Node.js buildpack to build nothing.
  pkg.scripts = { "gcp-build": "" };
  delete pkg.bin;
  process.stdout.write(JSON.stringify(pkg, null, 2) + "\n");
' >"$stage/package.json"

mkdir -p "$(dirname "$out")"
rm -f "$out"
if command -v zip >/dev/null 2>&1; then
  (cd "$stage" && zip -qrX "$out" package.json package-lock.json dist)
else
  (cd "$stage" && python3 -m zipfile -c "$out" package.json package-lock.json dist)
fi
files=$(find "$stage" -type f | wc -l | tr -d ' ')
echo "== bundle $out: $files files, $(du -k "$out" | cut -f1) KiB"
