#!/usr/bin/env bash
# Debian packages the tests use: chromium (browser test of `daostui serve`). Without root or apt the
# tests that need them are skipped with the reason.
set -euo pipefail
command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ] || { echo "no apt-get or not root: skipped"; exit 0; }
wanted="chromium"
missing=""
for pkg in $wanted; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 \
  || { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null; }
