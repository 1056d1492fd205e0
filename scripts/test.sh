#!/usr/bin/env bash
# The whole test suite, as README and CI run it: starts a throwaway Samba AD
# DC on 127.0.0.1 (installing Samba with apt-get when missing), runs every Go
# test (unit, Rego, CLI end-to-end, integration) with the race detector, and
# stops the DC again.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -f scripts/samba-dc.sh ]; then
  if env_lines=$(bash scripts/samba-dc.sh start); then
    eval "$env_lines"
    trap 'bash scripts/samba-dc.sh stop >/dev/null 2>&1 || true' EXIT
  else
    echo "scripts/test.sh: could not start the Samba AD DC; integration tests cannot run" >&2
    exit 1
  fi
fi

go vet ./...
go test -race -count=1 -tags integration ./...
