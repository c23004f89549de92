#!/usr/bin/env bash
# `npm test` with Google's emulators available (the Cloud SDK image has them;
# jest's global setup starts them), plus the Debian packages some suites use
# as real servers (.ci/install-test-deps).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/ci/ensure-node.sh
if [ -x .ci/install-test-deps ]; then .ci/install-test-deps; fi
if command -v gcloud >/dev/null 2>&1; then echo "== $(gcloud --version 2>/dev/null | head -1)"; else echo "== gcloud absent: emulator suites will skip"; fi
npm test
