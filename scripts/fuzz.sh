#!/usr/bin/env bash
# Runs every Go fuzz target of the module for a bounded time each
# (FUZZTIME, default 20s; FUZZ_PKGS to limit the packages). A failing input
# is saved by go test under the package's testdata/fuzz/<Target>/: commit it,
# it is then a regression test that plain `go test` runs on every build.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-20s}
pkgs=${FUZZ_PKGS:-$(go list ./...)}
failed=()
ran=0
for pkg in $pkgs; do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  grep -qs '^func Fuzz' "$dir"/*_test.go || continue
  if ! list=$(go test -list '^Fuzz' "$pkg"); then
    echo "$list" >&2
    failed+=("$pkg (does not build)")
    continue
  fi
  for target in $(grep '^Fuzz' <<<"$list" || true); do
    echo "== $pkg $target ($fuzztime)"
    ran=$((ran + 1))
    corpus="$dir/testdata/fuzz/$target"
    before=$( (ls "$corpus" 2>/dev/null || true) | wc -l)
    log=$(mktemp)
    set +e
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" 2>&1 | tee "$log" | grep -v '^fuzz: elapsed'
    rc=${PIPESTATUS[0]}
    set -e
    if [ "$rc" -ne 0 ]; then
      after=$( (ls "$corpus" 2>/dev/null || true) | wc -l)
      # Go 1.26's coordinator can report its own -fuzztime deadline as a
      # failure (go.dev/issue/75804): no input is saved then, and nothing
      # but the deadline is reported.
      if [ "$after" -eq "$before" ] && grep -q '^    context deadline exceeded$' "$log" && ! grep -q 'Failing input written' "$log"; then
        echo "   (the fuzz coordinator's own deadline race, go.dev/issue/75804: no failing input; not counted)"
      else
        failed+=("$pkg $target")
      fi
    fi
    rm -f "$log"
  done
done
echo "fuzzed $ran targets for $fuzztime each"
if [ ${#failed[@]} -gt 0 ]; then
  printf 'failing: %s\n' "${failed[@]}" >&2
  echo "the failing inputs are in the packages' testdata/fuzz/ folders: fix the code, keep the input as a regression test" >&2
  exit 1
fi
