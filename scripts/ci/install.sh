#!/usr/bin/env bash
# Install exactly what the lockfile says (its prepare script also builds dist/).
set -euo pipefail
cd "$(dirname "$0")/../.."
export NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
echo "== node $(node --version), npm $(npm --version)"
npm ci
