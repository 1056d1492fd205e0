#!/usr/bin/env bash
# The whole test suite, as README and CI run it: starts a throwaway Samba AD
# DC on 127.0.0.1 (installing Samba with apt-get when missing), runs every Go
# test (unit, Rego, CLI end-to-end, integration, the PowerShell syntax check)
# with the race detector, and stops the DC again.
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

# The generated PowerShell is parsed with the tree-sitter grammar under node
# (plan/pwsh_syntax_test.go): install node and npm when missing, and the
# grammar into the ignored .cache/pwsh-syntax; a skipped check then fails.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  sudo=()
  ((EUID == 0)) || sudo=(sudo)
  "${sudo[@]}" apt-get update >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends nodejs npm >&2
fi
mkdir -p .cache/pwsh-syntax
cp plan/testdata/pwsh-syntax/package.json plan/testdata/pwsh-syntax/check.mjs .cache/pwsh-syntax/
if [ ! -f .cache/pwsh-syntax/node_modules/tree-sitter-powershell/tree-sitter-powershell.wasm ]; then
  (cd .cache/pwsh-syntax && npm install --no-audit --no-fund --ignore-scripts --loglevel=error >&2)
fi
export EXOREADY_REQUIRE_PWSH_CHECK=1

go vet ./...
go test -race -count=1 -tags integration ./...
