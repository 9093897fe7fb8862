#!/usr/bin/env bash
# Rebuild plotly-jobvaekst.min.js: plotly.js with only the trace types our pages draw
# (scatter, bar, scatterpolar). The full plotly.min.js is 1,47 MB gzip'et; this is ~0,41 MB.
# Needs node and the npm registry; the result is committed, so the app needs neither.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/entry.js" "$work/"
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund plotly.js@4.1.1 esbuild@0.25 >/dev/null
npx esbuild entry.js --bundle --minify --format=iife --global-name=Plotly \
  --define:global=window --legal-comments=inline --outfile="$here/plotly-jobvaekst.min.js"
cp node_modules/plotly.js/dist/plotly.css node_modules/plotly.js/LICENSE "$here/"
