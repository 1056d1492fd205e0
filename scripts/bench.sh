#!/usr/bin/env bash
# make bench: measures exoready on generated tenants and prints the tables of
# docs/benchmarks.md. Not part of make test: at the default sizes it runs for
# tens of minutes and needs tens of GB of disk.
#
# For each size it generates the tenant once (cmd/exoready-gen, cached under
# BENCH_DIR), then measures
#   - exoready scan from LDIF + export folder + facts, under /usr/bin/time -v;
#   - the decode floor and exoready's read+evaluate of the same snapshot.json
#     (tools/bench);
#   - opa eval of the same policies on the same snapshot, with the opa
#     command of the OPA version exoready embeds, built into .cache/bin
#     (only up to BENCH_OPA_MAX mailboxes: its memory grows ~7 GB per 100k);
#   - live LDAP collection against ldapsearch on an OpenLDAP slapd loaded
#     with the same LDIF (scripts/bench-ldap.sh; BENCH_LDAP=0 skips it).
# Results are appended as JSON lines to BENCH_DIR/results.jsonl; the tables
# are printed at the end (tools/bench table).
#
#   make bench                                   # 10k, 100k, 600k
#   BENCH_SIZES="10000 100000" make bench        # quicker
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=${BENCH_SIZES:-"10000 100000 600000"}
seed=${BENCH_SEED:-1}
dir=${BENCH_DIR:-.cache/bench}
opa_max=${BENCH_OPA_MAX:-100000}
ldap=${BENCH_LDAP:-1}
opa_version=v1.22.0
bin=$PWD/.cache/bin
mkdir -p "$dir" "$bin"
dir=$(cd "$dir" && pwd)
results=$dir/results.jsonl

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
if [ ! -x /usr/bin/time ]; then
  echo "bench: installing time (for /usr/bin/time -v)" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends time >&2
fi

echo "bench: building exoready, exoready-gen and tools/bench" >&2
go build -trimpath -o "$bin/exoready" ./cmd/exoready
go build -trimpath -o "$bin/exoready-gen" ./cmd/exoready-gen
go build -trimpath -o "$bin/bench" ./tools/bench
if [ ! -x "$bin/opa" ] || ! "$bin/opa" version 2>/dev/null | grep -q "^Version: ${opa_version#v}$"; then
  echo "bench: building the opa command $opa_version (for the comparison only)" >&2
  GOBIN=$bin go install "github.com/open-policy-agent/opa@$opa_version"
fi

machine() {
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/^MemTotal/{print int($2/1048576)}' /proc/meminfo) GiB RAM; $(go version); load average $(cut -d' ' -f1-3 /proc/loadavg)"
}
machine | tee "$dir/machine.txt" >&2

"$bin/bench" opa-data "$dir"
query=$("$bin/bench" opa-query)

for n in $sizes; do
  t=$dir/$n
  if [ ! -f "$t/.seed-$seed" ]; then
    echo "bench: generating $n mailboxes (seed $seed) into $t" >&2
    rm -rf "$t"
    "$bin/exoready-gen" --mailboxes "$n" --seed "$seed" --out "$t"
    touch "$t/.seed-$seed"
  fi

  echo "bench: $n: the collectors alone (LDIF, export folder)" >&2
  "$bin/bench" read-ldif "$n" "$t/ad.ldif" | tee -a "$results"
  "$bin/bench" read-export "$n" "$t/exo-export" | tee -a "$results"

  # scan holds the whole tenant in memory (~20 MB of peak RSS per 1,000
  # mailboxes, docs/benchmarks.md): skip the in-memory measurements that
  # cannot fit here rather than push the machine into swap or the OOM killer.
  need_mb=$(( n * ${BENCH_MB_PER_1000:-20} / 1000 ))
  avail_mb=$(awk '/MemAvailable/{print int($2/1024)}' /proc/meminfo)
  if [ "$need_mb" -gt "$avail_mb" ] && [ -z "${BENCH_FORCE:-}" ]; then
    echo "bench: $n: scan, floor, evaluate and opa eval skipped: need ~$need_mb MB, $avail_mb MB available (BENCH_FORCE=1 runs them)" >&2
    echo "{\"name\":\"skipped\",\"mailboxes\":$n,\"ms\":0,\"counts\":{\"need_mb\":$need_mb,\"avail_mb\":$avail_mb}}" | tee -a "$results"
    if [ "$ldap" = 1 ]; then
      bash scripts/bench-ldap.sh "$n" "$t/ad.ldif" "$bin" | tee -a "$results"
    fi
    continue
  fi

  echo "bench: $n: exoready scan (load average $(cut -d' ' -f1 /proc/loadavg))" >&2
  rm -rf "$t/out"
  /usr/bin/time -v -o "$t/scan.time" "$bin/exoready" scan --ad-ldif "$t/ad.ldif" --exo-export "$t/exo-export" --facts "$t/facts.yaml" \
    --out "$t/out" --fail-on none --log-format json 2>"$t/scan.log" || {
    echo "bench: scan of $n failed; see $t/scan.log" >&2
    exit 1
  }
  "$bin/bench" timed scan "$n" "$t/scan.time" "$t/out/findings.json" "$t/scan.log" | tee -a "$results"

  echo "bench: $n: decode floor and exoready evaluate of snapshot.json" >&2
  # The snapshot the scan just wrote, so the floor and the comparisons read
  # what this build writes (the generator's copy may predate a schema change).
  snap=$t/out/snapshot.json
  "$bin/bench" floor "$n" "$snap" | tee -a "$results"
  "$bin/bench" evaluate "$n" "$snap" | tee -a "$results"

  if [ "$n" -le "$opa_max" ]; then
    echo "bench: $n: opa eval of the same policies and snapshot" >&2
    /usr/bin/time -v -o "$t/opa.time" "$bin/opa" eval --data policies --ignore '*_test.rego' --ignore '*.yaml' --ignore '*.go' \
      --data "$dir/data.json" --input "$snap" --format json "$query" >/dev/null 2>"$t/opa.err" || true
    "$bin/bench" timed "opa eval" "$n" "$t/opa.time" | tee -a "$results"
  fi

  if [ "$ldap" = 1 ]; then
    bash scripts/bench-ldap.sh "$n" "$t/ad.ldif" "$bin" | tee -a "$results"
  fi
done

echo "bench: the workbook writer at 600,000 mailbox rows (BenchmarkXLSX600k)" >&2
go test ./report -run '^$' -bench XLSX600k -benchtime 1x | "$bin/bench" gotest workbook 600000 | tee -a "$results"

machine | tee -a "$dir/machine.txt" >&2
echo
cat "$dir/machine.txt" | sed 's/^/    /'
echo
"$bin/bench" table "$results"
