#!/usr/bin/env bash
# The system programs the tests need, from Debian's packages: Chromium (browser tests), and the
# foreign WebSocket servers of the interop tests (Python websockets and Tornado, seen by
# /usr/bin/python3; websocketd; nginx as a reverse proxy).
# Present: nothing to do. Missing on Debian as root: apt-get install them, saying so.
# Otherwise: fail with the exact command to run. Never a silent skip.
# Also, from the npm registry, pinned, into .runtimes/ (kept out of the library's own
# dependencies): the runtimes of the runtime suite (test/runtimes, about 190 MB) and Artillery
# for the engine's test (test/integrations, about 460 MB; its Playwright engine's browser
# download skipped, its telemetry off).
set -euo pipefail
cd "$(dirname "$0")/.."

ARTILLERY_VERSION=2.0.34
BUN_VERSION=1.4.5
DENO_VERSION=2.9.6
runtimes_ok() {
  [ "$(.runtimes/node_modules/.bin/bun --version 2>/dev/null)" = "$BUN_VERSION" ] &&
    .runtimes/node_modules/.bin/deno --version 2>/dev/null | grep -q "^deno $DENO_VERSION "
}
if ! runtimes_ok; then
  runtimes_command="npm install --prefix .runtimes --no-save --no-audit --no-fund bun@$BUN_VERSION deno@$DENO_VERSION"
  echo "setup-test-deps: installing bun $BUN_VERSION and deno $DENO_VERSION into .runtimes/ for the runtime suite: $runtimes_command"
  mkdir -p .runtimes
  if ! $runtimes_command >/dev/null 2>.runtimes/install.log || ! runtimes_ok; then
    cat .runtimes/install.log >&2
    echo "setup-test-deps: could not install the runtimes from the npm registry. Run:" >&2
    echo "  $runtimes_command" >&2
    exit 1
  fi
fi

missing=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
/usr/bin/python3 -c 'import websockets' 2>/dev/null || missing+=(python3-websockets)
/usr/bin/python3 -c 'import tornado' 2>/dev/null || missing+=(python3-tornado)
command -v websocketd >/dev/null || missing+=(websocketd)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)

if [ "$(node -p "require('./.runtimes/artillery/node_modules/artillery/package.json').version" 2>/dev/null)" != "$ARTILLERY_VERSION" ]; then
  artillery_command="PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 ARTILLERY_DISABLE_TELEMETRY=true npm install --prefix .runtimes/artillery --no-save --no-audit --no-fund artillery@$ARTILLERY_VERSION"
  echo "setup-test-deps: installing artillery $ARTILLERY_VERSION into .runtimes/artillery for the engine's test (about 460 MB, once): $artillery_command"
  mkdir -p .runtimes/artillery
  if ! env PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 ARTILLERY_DISABLE_TELEMETRY=true npm install --prefix .runtimes/artillery --no-save --no-audit --no-fund "artillery@$ARTILLERY_VERSION" >/dev/null 2>.runtimes/artillery-install.log; then
    cat .runtimes/artillery-install.log >&2
    echo "setup-test-deps: could not install artillery from the npm registry. Run:" >&2
    echo "  $artillery_command" >&2
    exit 1
  fi
fi

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
