#!/usr/bin/env bash
# Real kernel FUSE mounts for the simulated dfuse (tests/test_sim_fuse.py, tests/test_fuse_console.py):
# Debian's fuse3 (fusermount3, libfuse3). The Python binding, mfusepy, is a dependency of the package
# itself; a throwaway venv here proves a dfuse-like mount really appears before
# DAOSTUI_TEST_FUSE=1 promises it to the tests (which then fail, not skip, if FUSE breaks).
# Needs root and apt-get; without them, or without /dev/fuse, it only says so and the tests skip.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ] || { echo "no apt-get or not root: skipped"; exit 0; }
[ -e /dev/fuse ] || { echo "no /dev/fuse on this machine: real FUSE tests will skip"; exit 0; }
if ! dpkg -s fuse3 >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends fuse3 >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends fuse3 >/dev/null; }
fi
probe=$(mktemp -d /tmp/daostui-fuse-probe.XXXXXX)
mkdir "$probe/mnt"
python3 -m venv "$probe/venv"
"$probe/venv/bin/pip" install -q 'mfusepy>=3.1,<4' >/dev/null 2>&1 \
  || { echo "pip could not install mfusepy: real FUSE tests will skip"; rm -rf "$probe"; exit 0; }
"$probe/venv/bin/python" - "$probe/mnt" <<'PY' &
import sys, mfusepy
class Root(mfusepy.Operations):
    use_ns = True
    def getattr(self, path, fh=None):
        return {"st_mode": 0o40755, "st_nlink": 2}
    def readdir(self, path, fh):
        return [".", ".."]
mfusepy.FUSE(Root(), sys.argv[1], foreground=True, fsname="dfuse", subtype="daos")
PY
daemon=$!
ok=0
for _ in $(seq 100); do
  if grep -q " $probe/mnt fuse.daos " /proc/mounts; then ok=1; break; fi
  sleep 0.1
done
fusermount3 -u -z "$probe/mnt" 2>/dev/null || true
kill "$daemon" 2>/dev/null || true
wait "$daemon" 2>/dev/null || true
rm -rf "$probe"
if [ "$ok" = 1 ]; then
  echo "DAOSTUI_TEST_FUSE=1" >> "$DAOSTUI_CI_ENV"
else
  echo "a test FUSE mount did not appear: real FUSE tests will skip"
fi
