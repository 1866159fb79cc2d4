#!/usr/bin/env bash
# Builds the front-end assets from node_modules into static/dist (git-ignored).
# Called by `make assets`; Node is needed here and never at run time, and so is the
# virtualenv's fontTools (the language chooser's small fonts are cut from the big ones).
set -euo pipefail
cd "$(dirname "$0")/.."
out=static/dist
rm -rf "$out.tmp" && mkdir -p "$out.tmp/govuk/assets" "$out.tmp/htmx" "$out.tmp/axe"
node_modules/.bin/sass --no-source-map --style=compressed --load-path=node_modules \
  --quiet-deps static/src/frontdoor.scss "$out.tmp/frontdoor.css"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$out.tmp/govuk/"
cp node_modules/govuk-frontend/dist/govuk/assets/manifest.json "$out.tmp/govuk/assets/"
cp node_modules/htmx.org/dist/htmx.min.js "$out.tmp/htmx/"
cp node_modules/htmx-ext-sse/dist/sse.min.js "$out.tmp/htmx/" 2>/dev/null \
  || cp node_modules/htmx-ext-sse/sse.js "$out.tmp/htmx/sse.min.js"
# The fonts the stylesheet names (static/src/_fonts.scss), woff2 only, with their
# licence (SIL Open Font License 1.1), which must travel with them.
mkdir -p "$out.tmp/fonts"
for font in $(grep -o 'fonts/noto-[a-z-]*-[0-9]*-normal\.woff2' "$out.tmp/frontdoor.css" | sort -u); do
  cp node_modules/@fontsource/*/files/"${font#fonts/}" "$out.tmp/fonts/"
done
for package in node_modules/@fontsource/*/; do
  cp "$package/LICENSE" "$out.tmp/fonts/$(basename "$package")-OFL.txt"
done
"${PYTHON:-.venv/bin/python}" -m tools.language_name_fonts "$out.tmp"
# The kiosk's name keyboards in each language's own script (letters only, read by
# kiosk/keyboards.py): from simple-keyboard-layouts, MIT; its licence travels too.
node static/name-keyboards.mjs "$out.tmp/name-keyboards.json"
cp node_modules/simple-keyboard-layouts/LICENSE "$out.tmp/name-keyboards-LICENSE.txt"
# axe-core is injected by the browser tests only; it is never served to users.
cp node_modules/axe-core/axe.min.js "$out.tmp/axe/"
# Compressed copies, served to browsers that accept gzip (frontdoor/static_files.py).
find "$out.tmp" -type f \( -name '*.css' -o -name '*.js' \) ! -path '*/axe/*' -exec gzip -9 -k -n {} +
rm -rf "$out" && mv "$out.tmp" "$out"
echo "assets built into $out"
