#!/usr/bin/env bash
# LDAP collection against ldapsearch, for make bench: loads an LDIF export
# written by tools/gen into a throwaway OpenLDAP slapd (back_mdb, loaded
# offline with slapadd -q -s, since AD objects such as contacts lack the sn
# OpenLDAP's person class requires), then times exoready's live collection
# and ldapsearch paging through the same searches of the same entries, and
# prints both results as JSON lines (tools/bench). Installs slapd and
# ldap-utils with apt-get when missing. slapd is not AD (no RootDSE naming
# contexts, no SD flags, static objectGUID): it measures volume and paging.
#
#   scripts/bench-ldap.sh MAILBOXES ad.ldif BINDIR
set -euo pipefail
cd "$(dirname "$0")/.."
n=$1
ldif=$2
bin=$3
port=${BENCH_LDAP_PORT:-3890}
base="DC=corp,DC=example,DC=test"
config="CN=Configuration,$base"
url="ldap://127.0.0.1:$port"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
if ! command -v slapadd >/dev/null || ! command -v ldapsearch >/dev/null; then
  echo "bench-ldap: installing slapd and ldap-utils" >&2
  # Keep the package from starting a system slapd on port 389 (the test
  # suite's Samba DC listens there): invoke-rc.d asks policy-rc.d first.
  guard=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    guard=1
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends slapd ldap-utils >&2
  [ -z "$guard" ] || $sudo rm -f /usr/sbin/policy-rc.d
fi
slapd=$(command -v slapd || echo /usr/sbin/slapd)

dir=$(mktemp -d "${TMPDIR:-/tmp}/exoready-slapd.XXXXXX")
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
umask 077
mkdir -p "$dir/db"
head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$dir/password"
cat >"$dir/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include $PWD/scripts/bench/ad.schema
pidfile $dir/slapd.pid
argsfile $dir/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
sizelimit size.soft=1000 size.hard=unlimited size.prtotal=unlimited
database mdb
maxsize 68719476736
suffix "$base"
rootdn "CN=bench,$base"
rootpw $(cat "$dir/password")
directory $dir/db
dbnosync
index objectClass eq
CONF

echo "bench-ldap: loading $ldif into slapd with slapadd -q" >&2
start=$(date +%s)
slapadd -q -s -f "$dir/slapd.conf" -l "$ldif" >&2
echo "bench-ldap: loaded in $(( $(date +%s) - start )) s" >&2
"$slapd" -h "$url/" -f "$dir/slapd.conf" -d 0 >"$dir/slapd.log" 2>&1 &
pid=$!
ready=""
for _ in $(seq 50); do
  if ldapsearch -x -H "$url" -D "CN=bench,$base" -y "$dir/password" -b "$base" -s base dn >/dev/null 2>&1; then
    ready=1
    break
  fi
  sleep 0.2
done
if [ -z "$ready" ]; then
  echo "bench-ldap: slapd did not answer on $url (port taken? set BENCH_LDAP_PORT); its log:" >&2
  cat "$dir/slapd.log" >&2
  exit 1
fi

# Warm the cache once, then measure each client once.
ldapsearch -x -H "$url" -D "CN=bench,$base" -y "$dir/password" -E pr=1000/noprompt -b "$base" "(objectClass=user)" dn >/dev/null
EXOREADY_LDAP_PASSWORD=$(cat "$dir/password") "$bin/bench" ldap "$n" "$url" "CN=bench,$base" "$base" "$config"
"$bin/bench" ldapsearch "$n" "$url" "CN=bench,$base" "$dir/password" "$base" "$config"
