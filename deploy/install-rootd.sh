#!/usr/bin/env bash
# Install hop3-rootd ROOT-OWNED, outside any path the hop3 user can write.
#
#   deploy/install-rootd.sh [options]          (as root, from a clone after `npm ci`)
#
# What it does (idempotent: a second run changes nothing that is already right):
#   1. bundles rootd (rootd/bin.ts + shared-protocol + @sinclair/typebox) into ONE
#      JavaScript file with esbuild (no tsx, no node_modules at run time) and installs it
#      with the SO_PEERCRED addon under $PREFIX/lib/hop3-rootd/, plus the launcher
#      $PREFIX/bin/hop3-rootd; everything root:root, no group/other write bit, and every
#      ancestor directory root-owned and not group/other-writable;
#   2. creates the hop3 system group and user if missing;
#   3. writes $SYSCONFDIR/rootd.json (0600 root) from deploy/rootd.example.json — never
#      overwriting an existing one — with the hop3 uid filled in;
#   4. creates the state dir (0700) and an empty state file with `hop3-rootd init-state`,
#      the op log dir (0700), the TLS dir (0700) and the app root (owned by hop3);
#   5. when systemd is PID 1: installs the socket + service units and the tmpfiles rule
#      for /run/hop3, enables and (re)starts them; otherwise prints how to run
#      `hop3-rootd serve` under another supervisor.
#   6. audits what it installed: nothing may be owned by, or writable for, anyone but root.
#
# Options (all paths absolute):
#   --root DIR             relocate EVERY path below under DIR (tests; the result runs in place);
#                          never creates users, never touches systemd
#   --prefix DIR           code                        (default /opt/hop3)
#   --sysconfdir DIR       config                      (default /etc/hop3)
#   --state-dir DIR        rootd state                 (default /var/lib/hop3-rootd)
#   --log-dir DIR          op log                      (default /var/log/hop3-rootd)
#   --run-dir DIR          socket directory            (default /run/hop3)
#   --app-root DIR         APP_ROOT                    (default /srv/hop3/apps)
#   --user NAME --group NAME   the hop3-server account (default hop3/hop3)
#   --firewall-policy drop|accept   written into a NEW config only (default drop)
#   --systemd auto|yes|no  install units (default auto: only when systemd is PID 1)
#   --no-start             install and enable units but do not (re)start them
set -euo pipefail
umask 022

die() { echo "install-rootd: error: $*" >&2; exit 1; }
say() { echo "install-rootd: $*"; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
ROOT=""
PREFIX=/opt/hop3
SYSCONFDIR=/etc/hop3
STATE_DIR=/var/lib/hop3-rootd
LOG_DIR=/var/log/hop3-rootd
RUN_DIR=/run/hop3
APP_ROOT=/srv/hop3/apps
NGINX_ETC=/etc/nginx
HOP3_USER=hop3
HOP3_GROUP=hop3
FIREWALL_POLICY=drop
SYSTEMD=auto
START=yes

while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT=$2; shift 2 ;;
    --prefix) PREFIX=$2; shift 2 ;;
    --sysconfdir) SYSCONFDIR=$2; shift 2 ;;
    --state-dir) STATE_DIR=$2; shift 2 ;;
    --log-dir) LOG_DIR=$2; shift 2 ;;
    --run-dir) RUN_DIR=$2; shift 2 ;;
    --app-root) APP_ROOT=$2; shift 2 ;;
    --user) HOP3_USER=$2; shift 2 ;;
    --group) HOP3_GROUP=$2; shift 2 ;;
    --firewall-policy) FIREWALL_POLICY=$2; shift 2 ;;
    --systemd) SYSTEMD=$2; shift 2 ;;
    --no-start) START=no; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

[ "$(id -u)" = 0 ] || die "run as root: the installed files must be owned by root"
[[ "$HOP3_USER" =~ ^[a-z_][a-z0-9_-]{0,31}$ ]] || die "bad user name $HOP3_USER"
[[ "$HOP3_GROUP" =~ ^[a-z_][a-z0-9_-]{0,31}$ ]] || die "bad group name $HOP3_GROUP"
case "$FIREWALL_POLICY" in drop|accept) ;; *) die "--firewall-policy must be drop or accept" ;; esac
case "$SYSTEMD" in auto|yes|no) ;; *) die "--systemd must be auto, yes or no" ;; esac
for p in "$PREFIX" "$SYSCONFDIR" "$STATE_DIR" "$LOG_DIR" "$RUN_DIR" "$APP_ROOT"; do
  case "$p" in /*) ;; *) die "paths must be absolute: $p" ;; esac
  [[ "$p" =~ ^(/[A-Za-z0-9._-]+)+$ ]] || die "paths may only use letters, digits, '.', '_', '-' and '/' (no trailing /): $p"
  case "$p" in *..*) die "paths must not contain '..': $p" ;; esac
done
if [ -n "$ROOT" ]; then
  case "$ROOT" in /*) ;; *) die "--root must be absolute" ;; esac
  ROOT=${ROOT%/}
  mkdir -p "$ROOT"
  ROOT=$(cd "$ROOT" && pwd -P)
  PREFIX=$ROOT$PREFIX; SYSCONFDIR=$ROOT$SYSCONFDIR; STATE_DIR=$ROOT$STATE_DIR
  LOG_DIR=$ROOT$LOG_DIR; RUN_DIR=$ROOT$RUN_DIR; APP_ROOT=$ROOT$APP_ROOT
  NGINX_ETC=$ROOT$NGINX_ETC
  [ "$SYSTEMD" = yes ] && die "--root and --systemd yes do not mix"
  SYSTEMD=no
fi

LIB=$PREFIX/lib/hop3-rootd
CONF=$SYSCONFDIR/rootd.json

# --- checks ---------------------------------------------------------------------------
NODE_BIN=${NODE_BIN:-$(command -v node || true)}
[ -n "$NODE_BIN" ] || die "node (>= 20) not found"
NODE_BIN=$(readlink -f "$NODE_BIN")
NODE_MAJOR=$("$NODE_BIN" -p 'process.versions.node.split(".")[0]')
[ "$NODE_MAJOR" -ge 20 ] || die "node $("$NODE_BIN" --version) is too old; hop3-rootd needs Node 20+"

# A path is safe for root-run code when it and every ancestor is owned by root and not
# writable by group/other (a sticky world-writable dir such as /tmp is tolerated, as the
# kernel stops others from renaming entries they do not own there).
assert_root_chain() { # path what
  local p=$1 what=$2 st uid mode
  while :; do
    st=$(stat -L -c '%u %a' "$p") || die "$what: cannot stat $p"
    uid=${st% *}; mode=$((8#${st#* }))
    [ "$uid" = 0 ] || die "$what: $p is owned by uid $uid, not root (root would run or trust code an other user can swap)"
    if [ $((mode & 8#022)) -ne 0 ] && [ $((mode & 8#1000)) -eq 0 ]; then
      die "$what: $p is writable by group or other (mode $(printf '%o' $mode))"
    fi
    [ "$p" = / ] && break
    p=$(dirname "$p")
  done
}
assert_root_chain "$NODE_BIN" "node binary"
[ -f "$REPO/rootd/bin.ts" ] || die "$REPO/rootd/bin.ts missing: run from a complete clone"
ADDON=$REPO/build/Release/peercred.node
[ -f "$ADDON" ] || die "$ADDON missing: run \`npm ci\` (it builds the SO_PEERCRED addon; needs build-essential python3)"
ESBUILD=$REPO/node_modules/.bin/esbuild
[ -x "$ESBUILD" ] || die "esbuild missing: run \`npm ci\` in $REPO first"

# --- 2. the hop3 account ---------------------------------------------------------------
if ! getent group "$HOP3_GROUP" >/dev/null; then
  [ -z "$ROOT" ] || die "group $HOP3_GROUP does not exist (with --root, accounts are never created)"
  groupadd --system "$HOP3_GROUP"
  say "created system group $HOP3_GROUP"
fi
if ! getent passwd "$HOP3_USER" >/dev/null; then
  [ -z "$ROOT" ] || die "user $HOP3_USER does not exist (with --root, accounts are never created)"
  useradd --system --gid "$HOP3_GROUP" --home-dir "/home/$HOP3_USER" --create-home \
    --shell /usr/sbin/nologin --comment "Hop3 server" "$HOP3_USER"
  say "created system user $HOP3_USER"
fi
HOP3_UID=$(id -u "$HOP3_USER")
HOP3_GID=$(getent group "$HOP3_GROUP" | cut -d: -f3)
[ "$HOP3_UID" != 0 ] || die "the hop3 user must not be root"

# --- 1. code ----------------------------------------------------------------------------
mkdir -p "$PREFIX/bin" "$PREFIX/lib" "$PREFIX/share/doc/hop3-rootd"
assert_root_chain "$PREFIX" "install prefix"
STAGE=$(mktemp -d "$PREFIX/lib/.hop3-rootd.stage.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/rootd" "$STAGE/build/Release"
COMMIT=$(git -C "$REPO" rev-parse HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$REPO" status --porcelain -- rootd shared-protocol package-lock.json 2>/dev/null | head -c1 || true)
[ -z "$DIRTY" ] || COMMIT="$COMMIT+local-changes"
(cd "$REPO" && "$ESBUILD" rootd/bin.ts --bundle --platform=node --format=esm --target=node20 \
  --legal-comments=inline --log-level=warning --outfile="$STAGE/rootd/hop3-rootd.raw.mjs")
{
  echo "// hop3-rootd bundled by deploy/install-rootd.sh from commit $COMMIT."
  echo "// Sources: rootd/, shared-protocol/ and @sinclair/typebox; not minified, so it can be reviewed and diffed."
  sed '1{/^#!/d}' "$STAGE/rootd/hop3-rootd.raw.mjs"
} > "$STAGE/rootd/hop3-rootd.mjs"
rm "$STAGE/rootd/hop3-rootd.raw.mjs"
cp "$ADDON" "$STAGE/build/Release/peercred.node"
(cd "$STAGE" && sha256sum rootd/hop3-rootd.mjs build/Release/peercred.node) > "$STAGE/MANIFEST"
echo "commit $COMMIT" >> "$STAGE/MANIFEST"
chown -R 0:0 "$STAGE"
chmod -R u=rwX,go=rX "$STAGE"
chmod 0755 "$STAGE"

same_code() { [ -f "$LIB/MANIFEST" ] && cmp -s "$LIB/MANIFEST" "$STAGE/MANIFEST"; }
if [ -L "$LIB" ]; then die "$LIB is a symbolic link; refusing"; fi
if same_code; then
  say "code unchanged ($LIB, $COMMIT)"
  # Re-assert ownership and modes in case someone changed them.
  chown -R 0:0 "$LIB"; chmod -R u=rwX,go=rX "$LIB"
else
  if [ -d "$LIB" ]; then
    OLD="$PREFIX/lib/.hop3-rootd.old.$$"
    mv "$LIB" "$OLD"; mv "$STAGE" "$LIB"; rm -rf "$OLD"
  else
    mv "$STAGE" "$LIB"
  fi
  say "installed code in $LIB ($COMMIT)"
fi

# V8 flags for rootd (deploy/rootd.node-flags, shared with bench/rootd.ts): a 1 MiB young
# generation and no optimizing compiler keep rootd under 60 MB RSS under load; its ops are
# tiny, so the interpreter's speed is not what limits it (see docs/benchmarks.md).
ROOTD_NODE_FLAGS=$(tr -s ' \n' ' ' < "$REPO/deploy/rootd.node-flags")
case "$ROOTD_NODE_FLAGS" in *[!a-z0-9=\ -]*) die "deploy/rootd.node-flags holds unexpected characters" ;; esac
LAUNCHER_TMP=$(mktemp "$PREFIX/bin/.hop3-rootd.XXXXXX")
cat > "$LAUNCHER_TMP" <<EOF
#!/bin/sh
# hop3-rootd launcher, installed by deploy/install-rootd.sh. Root runs only code from
# root-owned paths: this node binary and the bundle below; no module search path is used.
unset NODE_OPTIONS NODE_PATH
exec $NODE_BIN $ROOTD_NODE_FLAGS $LIB/rootd/hop3-rootd.mjs "\$@"
EOF
chown 0:0 "$LAUNCHER_TMP"; chmod 0755 "$LAUNCHER_TMP"
if cmp -s "$LAUNCHER_TMP" "$PREFIX/bin/hop3-rootd"; then rm -f "$LAUNCHER_TMP"; else mv -f "$LAUNCHER_TMP" "$PREFIX/bin/hop3-rootd"; fi
for f in docs/rootd.md docs/architecture.md docs/rootd-protocol.md deploy/rootd.example.json \
         deploy/systemd/hop3-rootd.service deploy/systemd/hop3-rootd.socket deploy/systemd/hop3-rootd.tmpfiles; do
  dst="$PREFIX/share/doc/hop3-rootd/$(basename "$f")"
  if [ -f "$REPO/$f" ] && ! cmp -s "$REPO/$f" "$dst"; then install -o 0 -g 0 -m 0644 "$REPO/$f" "$dst"; fi
done
chown 0:0 "$PREFIX" "$PREFIX/bin" "$PREFIX/lib" "$PREFIX/share" "$PREFIX/share/doc" "$PREFIX/share/doc/hop3-rootd"
chmod go-w "$PREFIX" "$PREFIX/bin" "$PREFIX/lib" "$PREFIX/share" "$PREFIX/share/doc" "$PREFIX/share/doc/hop3-rootd"
"$PREFIX/bin/hop3-rootd" --version >/dev/null || die "the installed hop3-rootd does not run"

# --- 3. config ----------------------------------------------------------------------------
install -d -o 0 -g 0 -m 0755 "$SYSCONFDIR"
assert_root_chain "$SYSCONFDIR" "config dir"
if [ -e "$CONF" ] || [ -L "$CONF" ]; then
  [ ! -L "$CONF" ] || die "$CONF is a symbolic link; refusing"
  chown 0:0 "$CONF"; chmod 0600 "$CONF"
  say "config kept: $CONF (never overwritten; compare with $PREFIX/share/doc/hop3-rootd/rootd.example.json)"
else
  CONF_TMP=$(mktemp "$SYSCONFDIR/.rootd.json.XXXXXX")
  chmod 0600 "$CONF_TMP"
  R_SOCKET="$RUN_DIR/rootd.sock" R_GROUP="$HOP3_GROUP" R_UID="$HOP3_UID" R_STATE="$STATE_DIR/state.json" \
  R_LOG="$LOG_DIR/oplog.jsonl" R_APPS="$APP_ROOT" R_TLS="$SYSCONFDIR/tls" R_POLICY="$FIREWALL_POLICY" \
  R_SITES="$NGINX_ETC/hop3-sites" \
  "$NODE_BIN" - "$REPO/deploy/rootd.example.json" "$CONF_TMP" <<'EOF'
const fs = require('node:fs');
const [src, dst] = process.argv.slice(2);
const e = process.env;
const c = JSON.parse(fs.readFileSync(src, 'utf8'));
c.socket.path = e.R_SOCKET;
c.socket.group = e.R_GROUP;
c.socket.allowed_uids = [Number(e.R_UID)];
c.cgroup_attach_uids = [Number(e.R_UID)];
c.state_file = e.R_STATE;
c.op_log = e.R_LOG;
c.app_root = e.R_APPS;
c.nginx.tls_dir = e.R_TLS;
c.nginx.site_dir = e.R_SITES;
c.firewall = { policy: e.R_POLICY };
fs.writeFileSync(dst, JSON.stringify(c, null, 2) + '\n', { mode: 0o600 });
EOF
  chown 0:0 "$CONF_TMP"; mv "$CONF_TMP" "$CONF"
  say "wrote $CONF (firewall policy $FIREWALL_POLICY)"
fi

# --- 4. state, log, tls, app root ------------------------------------------------------------
install -d -o 0 -g 0 -m 0700 "$STATE_DIR" "$LOG_DIR" "$SYSCONFDIR/tls"
chown 0:0 "$STATE_DIR" "$LOG_DIR" "$SYSCONFDIR/tls"; chmod 0700 "$STATE_DIR" "$LOG_DIR" "$SYSCONFDIR/tls"
assert_root_chain "$STATE_DIR" "state dir"; assert_root_chain "$LOG_DIR" "log dir"
STATE_FILE=$(R_CONF="$CONF" "$NODE_BIN" -p "JSON.parse(require('fs').readFileSync(process.env.R_CONF,'utf8')).state_file")
if [ -e "$STATE_FILE" ]; then
  say "state kept: $STATE_FILE"
else
  "$PREFIX/bin/hop3-rootd" init-state --config "$CONF"
fi
# APP_ROOT belongs to the hop3 user, but its PARENT must be root's: otherwise the hop3 user
# could replace APP_ROOT by a symlink and steer rootd's mounts outside it.
APP_PARENT=$(dirname "$APP_ROOT")
mkdir -p "$APP_PARENT"
assert_root_chain "$APP_PARENT" "parent of the app root"
if [ -L "$APP_ROOT" ]; then die "$APP_ROOT is a symbolic link; refusing"; fi
if [ ! -d "$APP_ROOT" ]; then
  install -d -o "$HOP3_UID" -g "$HOP3_GID" -m 0755 "$APP_ROOT"
  say "created app root $APP_ROOT (owned by $HOP3_USER)"
fi

# --- 4b. nginx: rootd's own site directory, hooked into Debian's nginx.conf -----------------------
# rootd writes only <site_dir>/*.conf files carrying its marker; a dedicated directory keeps the
# operator's conf.d untouched. Debian's stock nginx.conf includes conf.d/*.conf inside http{}, so one
# include line there is the whole integration. Debian's stock "default" site also claims
# default_server on :80, which would make every `nginx -t` of rootd's 444 default server fail.
install -d -o 0 -g 0 -m 0755 "$NGINX_ETC/hop3-sites"
if [ -d "$NGINX_ETC/conf.d" ]; then
  printf '# hop3-rootd: the sites rootd renders (never edit them by hand)\ninclude %s/hop3-sites/*.conf;\n' "${NGINX_ETC#$ROOT}" > "$NGINX_ETC/conf.d/.hop3.conf.tmp"
  chmod 0644 "$NGINX_ETC/conf.d/.hop3.conf.tmp"; mv "$NGINX_ETC/conf.d/.hop3.conf.tmp" "$NGINX_ETC/conf.d/hop3.conf"
  say "nginx: $NGINX_ETC/conf.d/hop3.conf includes $NGINX_ETC/hop3-sites/*.conf"
else
  say "nginx: no $NGINX_ETC/conf.d; add 'include ${NGINX_ETC#$ROOT}/hop3-sites/*.conf;' inside http{} yourself (see $PREFIX/share/doc/hop3-rootd/nginx.conf)"
fi
if [ -L "$NGINX_ETC/sites-enabled/default" ]; then
  rm -f "$NGINX_ETC/sites-enabled/default"
  say "nginx: disabled Debian's stock default site (it claims default_server; rootd serves a 444 default)"
fi

# --- 6. audit ------------------------------------------------------------------------------------
BAD=$(find "$PREFIX/bin/hop3-rootd" "$LIB" "$PREFIX/share/doc/hop3-rootd" "$SYSCONFDIR/rootd.json" "$SYSCONFDIR/tls" \
  "$STATE_DIR" "$LOG_DIR" \( ! -user 0 -o -perm /022 \) -print 2>/dev/null || true)
[ -z "$BAD" ] || die "these installed paths are not root-only: $BAD"

# --- 5. supervisor -------------------------------------------------------------------------------
if [ "$SYSTEMD" = auto ]; then
  if [ -d /run/systemd/system ] && [ "$(ps -p 1 -o comm=)" = systemd ]; then SYSTEMD=yes; else SYSTEMD=no; fi
fi
if [ "$SYSTEMD" = yes ]; then
  UNIT_DIR=/etc/systemd/system
  for u in hop3-rootd.socket hop3-rootd.service; do
    sed -e "s#/opt/hop3/#$PREFIX/#g" -e "s#/etc/hop3/rootd.json#$CONF#g" -e "s#/run/hop3/#$RUN_DIR/#g" \
        -e "s#^SocketGroup=hop3#SocketGroup=$HOP3_GROUP#" "$REPO/deploy/systemd/$u" > "$UNIT_DIR/.$u.tmp"
    chmod 0644 "$UNIT_DIR/.$u.tmp"; mv "$UNIT_DIR/.$u.tmp" "$UNIT_DIR/$u"
  done
  sed -e "s#^d /run/hop3 0750 root hop3#d $RUN_DIR 0750 root $HOP3_GROUP#" "$REPO/deploy/systemd/hop3-rootd.tmpfiles" \
    > /etc/tmpfiles.d/hop3-rootd.conf
  chmod 0644 /etc/tmpfiles.d/hop3-rootd.conf
  systemd-tmpfiles --create /etc/tmpfiles.d/hop3-rootd.conf
  systemctl daemon-reload
  systemctl enable hop3-rootd.socket hop3-rootd.service
  if [ "$START" = yes ]; then
    systemctl restart hop3-rootd.socket hop3-rootd.service
    say "hop3-rootd started under systemd: systemctl status hop3-rootd"
  fi
else
  install -d -o 0 -g "$HOP3_GID" -m 0750 "$RUN_DIR"
  chown 0:"$HOP3_GID" "$RUN_DIR"; chmod 0750 "$RUN_DIR"
  say "systemd is not in charge here: no units installed. Run under your supervisor, as root:"
  say "  install -d -o root -g $HOP3_GROUP -m 0750 $RUN_DIR   # at every boot: $RUN_DIR is usually on tmpfs"
  say "  exec $PREFIX/bin/hop3-rootd serve --config $CONF"
  say "  (stop it with SIGTERM; it reconciles on every start; restart it if it exits)"
fi
say "done. Audit the op log with: $PREFIX/bin/hop3-rootd log verify --config $CONF"
