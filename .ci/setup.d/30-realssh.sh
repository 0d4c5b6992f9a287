#!/usr/bin/env bash
# A real OpenSSH login node for tests/test_realssh.py: Debian's sshd, PAM's one-time passcodes (pam_oath)
# and oathtool to compute them. The tests start their own sshd (own port, config, host keys and PAM
# service) and a throwaway account; nothing here starts a service or touches the system's sshd setup.
# Without root or apt the tests are skipped with the reason.
set -euo pipefail
command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ] || { echo "no apt-get or not root: skipped"; exit 0; }
wanted="openssh-server openssh-client libpam-oath oathtool"
missing=""
for pkg in $wanted; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  # the package's own sshd service must not start (and listen on port 22): policy-rc.d says no for the install
  policy=/usr/sbin/policy-rc.d
  added_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && added_policy=1
  fi
  trap 'if [ -n "$added_policy" ]; then rm -f "$policy"; fi' EXIT
  apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null; }
fi
pam_oath=$(dpkg -L libpam-oath | grep '/pam_oath\.so$' | head -n 1)
[ -n "$pam_oath" ] || { echo "libpam-oath installed but pam_oath.so not found" >&2; exit 1; }
{
  echo "DAOSTUI_REALSSH_SSHD=$(command -v sshd || echo /usr/sbin/sshd)"
  echo "DAOSTUI_REALSSH_PAM_OATH=$pam_oath"
} >> "${DAOSTUI_CI_ENV:-/dev/null}"
