#!/usr/bin/env bash
# A throwaway Samba AD DC for exoready's integration tests.
#
#   scripts/samba-dc.sh start   install what is missing (apt), provision the DC
#                               once, start it; print export lines on stdout
#   scripts/samba-dc.sh env     print the export lines of the running DC
#   scripts/samba-dc.sh stop    stop the DC and delete its directory
#
# The DC (realm CORP.EXAMPLE.TEST, domain CORP) lives in $EXOREADY_SAMBA_DIR
# (default: ${TMPDIR:-/tmp}/exoready-samba-dc), listens on 127.0.0.1 only, on
# Samba's fixed LDAP ports 389 and 636, with a certificate from its own CA.
# Its schema gets the Exchange attributes and classes exoready reads, then
# the objects of fixtures/ldap/*.ldif are loaded in file-name order. Tests
# bind as svc-exoready, a plain domain user: what a real collection needs.
#
# stdout carries only the export lines (eval "$(scripts/samba-dc.sh start)");
# everything else goes to stderr.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${EXOREADY_SAMBA_DIR:-${TMPDIR:-/tmp}/exoready-samba-dc}
REALM=CORP.EXAMPLE.TEST
DOMAIN=CORP
BASE_DN=DC=corp,DC=example,DC=test
SVC_USER=svc-exoready
PACKAGES=(samba samba-dsdb-modules samba-vfs-modules samba-ad-provision ldb-tools ldap-utils openssl)

log() { echo "samba-dc: $*" >&2; }
die() { log "error: $*"; exit 1; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

running() {
	[[ -f $DIR/samba.pid ]] && kill -0 "$(cat "$DIR/samba.pid")" 2>/dev/null
}

install_packages() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	((${#missing[@]} == 0)) && return
	log "installing ${missing[*]}"
	local sudo=()
	((EUID == 0)) || sudo=(sudo)
	"${sudo[@]}" apt-get update >&2
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >&2
}

# ldb tools run offline on the DC's database, before samba starts: faster
# than LDAP, and they accept SDDL for nTSecurityDescriptor.
ldb() {
	local tool=$1
	shift
	"$tool" -H "$DIR/private/sam.ldb" --configfile="$DIR/etc/smb.conf" "$@"
}

make_tls() {
	local t=$DIR/tls
	mkdir -p "$t"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$t/ca.key" -out "$t/ca.pem" -days 30 \
		-subj "/CN=exoready test CA" -addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout "$t/dc.key" -out "$t/dc.csr" \
		-subj "/CN=dc1.corp.example.test" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1,DNS:dc1.corp.example.test,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$t/ext.cnf"
	openssl x509 -req -in "$t/dc.csr" -CA "$t/ca.pem" -CAkey "$t/ca.key" -CAcreateserial \
		-out "$t/dc.pem" -days 30 -extfile "$t/ext.cnf" 2>/dev/null
	chmod 600 "$t/dc.key" "$t/ca.key"
	# A second CA that signed nothing: tests use it as the wrong --ca-file.
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$t/other-ca.key" -out "$t/other-ca.pem" -days 30 \
		-subj "/CN=exoready unrelated CA" 2>/dev/null
}

password() { printf '%sAa1!' "$(openssl rand -hex 12)"; }

provision() {
	rm -rf "$DIR"
	mkdir -p "$DIR"
	chmod 700 "$DIR"
	local admin_pw
	admin_pw=$(password)
	log "provisioning $REALM in $DIR"
	samba-tool domain provision --targetdir="$DIR" --realm="$REALM" --domain="$DOMAIN" \
		--server-role=dc --dns-backend=NONE --use-rfc2307 --host-name=dc1 --host-ip=127.0.0.1 \
		--adminpass="$admin_pw" --backend-store=mdb \
		--option="interfaces=127.0.0.1" --option="bind interfaces only=yes" \
		--option="server services=-dns -nbt -wrepl -winbindd -ntp_signd -kcc -dnsupdate -smb -s3fs -rpc -kdc" \
		--option="dsdb:schema update allowed=true" \
		--option="log file=$DIR/log" --option="pid directory=$DIR/pid" >"$DIR/provision.log" 2>&1 ||
		{ tail -20 "$DIR/provision.log" >&2; die "provision failed (log: $DIR/provision.log)"; }
	(umask 077 && printf '%s' "$admin_pw" >"$DIR/admin.pw")
	make_tls
	# Provision leaves these out: simple binds on 389 for tests, and our certificate
	# (Samba's self-made one has a negative serial number, which Go refuses).
	sed -i "/^\[global\]/a \\
	ldap server require strong auth = no\\
	tls enabled = yes\\
	tls keyfile = $DIR/tls/dc.key\\
	tls certfile = $DIR/tls/dc.pem\\
	tls cafile = $DIR/tls/ca.pem" "$DIR/etc/smb.conf"

	local f
	for f in "$REPO"/fixtures/ldap/*.ldif; do
		log "loading ${f#"$REPO"/}"
		if grep -q '^changetype: modify' "$f"; then
			ldb ldbmodify "$f" >/dev/null
		else
			ldb ldbadd "$f" >/dev/null
		fi
	done
	local svc_pw
	svc_pw=$(password)
	samba-tool user add "$SVC_USER" "$svc_pw" -H "$DIR/private/sam.ldb" --configfile="$DIR/etc/smb.conf" \
		--description="exoready collection account (plain domain user)" >/dev/null
	(umask 077 && printf '%s' "$svc_pw" >"$DIR/svc.pw")
	touch "$DIR/.provisioned"
}

wait_ready() {
	local i
	for i in $(seq 1 100); do
		if ldapsearch -x -H ldap://127.0.0.1 -D "$SVC_USER@corp.example.test" -y "$DIR/svc.pw" \
			-b "" -s base defaultNamingContext >/dev/null 2>&1; then
			return 0
		fi
		running || { tail -20 "$DIR/samba.log" >&2; die "samba exited (log: $DIR/samba.log)"; }
		sleep 0.2
	done
	die "samba did not answer LDAP within 20 s (log: $DIR/samba.log)"
}

print_env() {
	cat <<EOF
export EXOREADY_TEST_LDAP_URL=ldap://127.0.0.1:389
export EXOREADY_TEST_LDAPS_URL=ldaps://127.0.0.1:636
export EXOREADY_TEST_CA_FILE=$DIR/tls/ca.pem
export EXOREADY_TEST_BIND_DN=CN=$SVC_USER,CN=Users,$BASE_DN
export EXOREADY_TEST_LDAP_PASSWORD_FILE=$DIR/svc.pw
EOF
}

start() {
	if running; then
		log "already running (pid $(cat "$DIR/samba.pid"))"
		print_env
		return
	fi
	install_packages
	local p
	for p in 389 636; do
		port_busy "$p" && die "127.0.0.1:$p is in use; Samba's LDAP ports are fixed: stop whatever listens there (ss -ltnp 'sport = :$p')"
	done
	[[ -f $DIR/.provisioned ]] || provision
	log "starting samba"
	setsid samba -i -s "$DIR/etc/smb.conf" --no-process-group </dev/null >>"$DIR/samba.log" 2>&1 &
	echo $! >"$DIR/samba.pid"
	wait_ready
	log "ready: ldap://127.0.0.1:389, ldaps://127.0.0.1:636 (pid $(cat "$DIR/samba.pid"))"
	print_env
}

stop() {
	if running; then
		local pid
		pid=$(cat "$DIR/samba.pid")
		log "stopping samba (pid $pid)"
		kill "$pid"
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
	fi
	rm -rf "$DIR"
}

case ${1:-} in
start) start ;;
stop) stop ;;
env) running || die "not running: scripts/samba-dc.sh start"; print_env ;;
*) echo "usage: $0 start|env|stop" >&2; exit 2 ;;
esac
