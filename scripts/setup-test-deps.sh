#!/usr/bin/env bash
# The system programs the tests need, from Debian's packages: Chromium (browser tests), and the
# foreign WebSocket servers of the interop tests (Python websockets and Tornado, seen by
# /usr/bin/python3; websocketd; nginx as a reverse proxy).
# Present: nothing to do. Missing on Debian as root: apt-get install them, saying so.
# Otherwise: fail with the exact command to run. Never a silent skip.
set -euo pipefail

missing=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
/usr/bin/python3 -c 'import websockets' 2>/dev/null || missing+=(python3-websockets)
/usr/bin/python3 -c 'import tornado' 2>/dev/null || missing+=(python3-tornado)
command -v websocketd >/dev/null || missing+=(websocketd)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)

[ ${#missing[@]} -eq 0 ] && exit 0

command="apt-get update && apt-get install -y ${missing[*]}"
if [ -f /etc/debian_version ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "setup-test-deps: installing ${missing[*]} for the tests: $command"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup-test-deps: the tests need ${missing[*]}, which is not installed. Run:" >&2
  echo "  sudo sh -c '$command'" >&2
  echo "(or set CHROMIUM_PATH to a Chromium binary)" >&2
  exit 1
fi
