#!/usr/bin/env bash
# Hop3-TS quick start, command 1 of the README.
#
#   bash deploy/quickstart.sh [--example NAME] [--host-network]   bring everything up, deploy an example
#   bash deploy/quickstart.sh --stop                              stop everything it started (data kept)
#   bash deploy/quickstart.sh --purge                             stop, then delete everything it created
#
# As root, on a fresh Debian 12 with Node 20, from a clone of this repository. It:
#   1. apt-get installs what is missing: nginx, uwsgi-core, nftables, build-essential, python3;
#   2. runs `npm ci` (builds the SO_PEERCRED addon and better-sqlite3);
#   3. installs hop3-rootd with deploy/install-rootd.sh --root /var/lib/hop3-quickstart (every
#      path relocated there: code, config, state, op log, socket, app root) and starts it in
#      its own network and mount namespaces;
#   4. starts its own nginx master (not the system one) on 127.0.0.1-reachable port 18080;
#   5. bundles hop3-server (esbuild, as in production) and starts it as the hop3 user on
#      127.0.0.1:18000, with local state and a local uWSGI emperor (the server's child);
#   6. creates a token (hop3-server admin create-token), `hop3 login`, `hop3 deploy examples/<NAME>`
#      (default node-nodep: no network needed; node-dep needs the npm registry), and prints the
#      app URL and the answer nginx gives for the app's Host header.
#
# What it never touches: the host firewall (rootd's reconcile creates `table inet hop3` inside
# rootd's own network namespace; with --host-network, in the host namespace but with policy
# `accept`), the host mount table (rootd runs in a private mount namespace), the system nginx
# (its config, its :80, its sites: the quick start's nginx has its own prefix, pid file and
# ports), systemd (no unit is installed). Ports used: 18000 (API), 18080/18443 (nginx),
# 19000-19999 (apps, loopback only).
#
# Re-runnable: the previous quick start's processes are stopped first, each found by its pid
# file and checked against its command line; data (apps, releases, tokens) is kept, so a re-run
# brings the apps back and deploys a new release.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
QS=/var/lib/hop3-quickstart
RUN_DIR=$QS/run
NG=$QS/nginx
SRV=$QS/server
API_PORT=18000
HTTP_PORT=18080
HTTPS_PORT=18443
DOMAIN=localhost
HOP3_USER=hop3
EXAMPLE=node-nodep
HOST_NET=no
MODE=up
while [ $# -gt 0 ]; do
  case "$1" in
    --host-network) HOST_NET=yes; shift ;;
    --example) EXAMPLE=${2:-}; shift 2 ;;
    --stop) MODE=stop; shift ;;
    --purge) MODE=purge; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: $0 [--example NAME] [--host-network] | --stop | --purge" >&2; exit 2 ;;
  esac
done
say() { echo "quickstart: $*"; }
die() { echo "quickstart: error: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (rootd is the root half of Hop3)"
[[ "$EXAMPLE" =~ ^[a-z0-9-]+$ ]] && [ -f "$REPO/examples/$EXAMPLE/hop3.toml" ] || die "no example named '$EXAMPLE' (see examples/)"

# --- stopping: only our own processes, by pid file, after checking the command line ---------
# stop_pid <pid file> <text the command line must contain> <signal> <what> <seconds>
stop_pid() {
  local file=$1 expect=$2 sig=$3 what=$4 secs=$5 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file" 2>/dev/null || true)
  if [[ "$pid" =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$expect"; then
    say "stopping the quick start's $what (pid $pid)"
    kill "-$sig" "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((secs * 10))); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    if [ -d "/proc/$pid" ]; then say "$what (pid $pid) did not stop in ${secs}s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; sleep 0.2; fi
  fi
  rm -f "$file"
}
stop_all() {
  # The server first: it stops its uWSGI emperor, and with it every app process.
  stop_pid "$QS/server.pid" "$SRV/lib/server/hop3-server.mjs serve" TERM hop3-server 40
  stop_pid "$QS/rootd.pid" "hop3-rootd.mjs serve --config $QS/etc/rootd.json" TERM hop3-rootd 10
  stop_pid "$NG/nginx.pid" "nginx: master process /usr/sbin/nginx -c $NG/nginx.conf" QUIT nginx 10
}
if [ "$MODE" != up ]; then
  stop_all
  if [ "$MODE" = purge ]; then
    rm -rf "$QS"
    say "removed $QS (the hop3 user and the Debian packages stay)"
  else
    say "stopped. Data kept in $QS: run the quick start again to bring the apps back, or --purge to delete it."
  fi
  exit 0
fi

# --- 1. Debian packages ------------------------------------------------------------------------
need=()
for pair in nginx:nginx nft:nftables uwsgi:uwsgi-core make:build-essential g++:build-essential python3:python3 unshare:util-linux setpriv:util-linux; do
  bin=${pair%%:*}; pkg=${pair#*:}
  command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/sbin/$bin" ] || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  say "apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2046
  apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u) >/dev/null
fi
command -v node >/dev/null || die "Node 20 is required (https://nodejs.org or NodeSource)"
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] || die "Node >= 20 is required"

# --- 2. npm ci (skipped when node_modules and the native addons are up to date) ----------------
cd "$REPO"
if [ ! -f build/Release/peercred.node ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

stop_all

# The hop3 account (install-rootd.sh creates it too, but never with --root).
if ! getent group "$HOP3_USER" >/dev/null; then groupadd --system "$HOP3_USER"; say "created system group $HOP3_USER"; fi
if ! getent passwd "$HOP3_USER" >/dev/null; then
  useradd --system --gid "$HOP3_USER" --home-dir "/home/$HOP3_USER" --create-home --shell /usr/sbin/nologin --comment "Hop3 server" "$HOP3_USER"
  say "created system user $HOP3_USER"
fi
HOP3_UID=$(id -u "$HOP3_USER"); HOP3_GID=$(getent group "$HOP3_USER" | cut -d: -f3)
for port in $API_PORT $HTTP_PORT $HTTPS_PORT; do
  ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || die "port $port is in use by another program (ss -ltnp 'sport = :$port'); the quick start needs 18000, 18080 and 18443"
done

# --- 3. rootd, installed under $QS (--root relocates every path; /etc/nginx is never touched) ----
install -d -o 0 -g 0 -m 0755 "$QS"
bash "$REPO/deploy/install-rootd.sh" --root "$QS" --prefix /opt --sysconfdir /etc --state-dir /state --log-dir /log \
  --run-dir /run --app-root /srv/apps --systemd no --firewall-policy accept | sed 's/^/  /'
install -d -o 0 -g 0 -m 0755 "$NG" "$NG/sites" "$NG/tmp" "$NG/logs"
CG=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
[ -n "$CG" ] || { CG=$QS/no-cgroup2; install -d -m 0755 "$CG"; }
# Keep the nginx, cgroup and firewall settings in line with this script on every run.
R_CONF="$QS/etc/rootd.json" R_NG="$NG" R_CG="$CG" R_TLS="$QS/etc/tls" R_HTTP=$HTTP_PORT R_HTTPS=$HTTPS_PORT node - <<'EOF'
const fs = require('node:fs');
const e = process.env;
const c = JSON.parse(fs.readFileSync(e.R_CONF, 'utf8'));
c.cgroup_root = e.R_CG;
c.nginx = {
  binary: '/usr/sbin/nginx', conf: `${e.R_NG}/nginx.conf`, site_dir: `${e.R_NG}/sites`, prefix: e.R_NG,
  tls_dir: e.R_TLS, http_port: Number(e.R_HTTP), https_port: Number(e.R_HTTPS),
  pid_file: `${e.R_NG}/nginx.pid`, error_log: `${e.R_NG}/logs/error.log`,
};
c.firewall = { policy: 'accept' };
fs.writeFileSync(e.R_CONF + '.tmp', JSON.stringify(c, null, 2) + '\n', { mode: 0o600 });
fs.renameSync(e.R_CONF + '.tmp', e.R_CONF);
EOF

# --- 4. the quick start's own nginx -----------------------------------------------------------------
{
  echo "# The quick start's nginx: its own prefix, pid file and ports; the system nginx is not involved."
  echo "# workers: www-data with the hop3 group, which may read the release trees (static sites)"
  echo "user www-data $HOP3_USER;"
  echo "worker_processes 1;"
  echo "pid $NG/nginx.pid;"
  echo "error_log $NG/logs/error.log;"
  echo "events { worker_connections 512; }"
  echo "http {"
  [ -f /etc/nginx/mime.types ] && echo "  include /etc/nginx/mime.types;"
  echo "  default_type application/octet-stream;"
  echo "  access_log $NG/logs/access.log;"
  for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $NG/tmp/$t;"; done
  echo "  server_names_hash_bucket_size 128;"
  echo "  include $NG/sites/*.conf;"
  echo "}"
} > "$NG/nginx.conf"
/usr/sbin/nginx -t -q -c "$NG/nginx.conf" -p "$NG/" || die "nginx -t failed for $NG/nginx.conf"
/usr/sbin/nginx -c "$NG/nginx.conf" -p "$NG/"
say "nginx started (pid $(cat "$NG/nginx.pid"), http://127.0.0.1:$HTTP_PORT)"

# --- rootd: in private network + mount namespaces (host firewall and mounts stay untouched) -------
launch=(unshare --mount --propagation private)
[ "$HOST_NET" = no ] && launch+=(--net)
launch+=(-- "$QS/opt/bin/hop3-rootd" serve --config "$QS/etc/rootd.json")
: > "$QS/rootd.log"
setsid "${launch[@]}" >>"$QS/rootd.log" 2>&1 < /dev/null &
echo $! > "$QS/rootd.pid"
for _ in $(seq 1 100); do
  grep -q ' ready ' "$QS/rootd.log" && break
  [ -d "/proc/$(cat "$QS/rootd.pid")" ] || { cat "$QS/rootd.log" >&2; die "rootd exited"; }
  sleep 0.1
done
grep -q ' ready ' "$QS/rootd.log" || { cat "$QS/rootd.log" >&2; die "rootd did not become ready"; }
say "hop3-rootd ready (pid $(cat "$QS/rootd.pid"), $( [ "$HOST_NET" = no ] && echo "own network namespace" || echo "host network, firewall policy accept"))"

# --- 5. hop3-server: one esbuild bundle (as deployed), run as the hop3 user ------------------------
LIB=$SRV/lib
STAGE=$(mktemp -d "$SRV.stage.XXXXXX")
mkdir -p "$STAGE/server" "$STAGE/node_modules"
# --main-fields=module,main: jsonc-parser's UMD build requires its own files dynamically;
# the banner gives CommonJS dependencies (yaml) a real require for node: built-ins.
"$REPO/node_modules/.bin/esbuild" "$REPO/server/main.ts" --bundle --platform=node --format=esm --target=node20 \
  --log-level=warning --external:better-sqlite3 --main-fields=module,main \
  "--banner:js=import { createRequire as __hop3Require } from 'node:module'; const require = __hop3Require(import.meta.url);" \
  --outfile="$STAGE/server/hop3-server.mjs"
cp -r "$REPO/server/db/migrations" "$STAGE/server/migrations"
cp "$REPO/package.json" "$STAGE/package.json"
for m in better-sqlite3 bindings file-uri-to-path; do cp -r "$REPO/node_modules/$m" "$STAGE/node_modules/$m"; done
chown -R 0:0 "$STAGE"; chmod -R u=rwX,go=rX "$STAGE"
install -d -o 0 -g 0 -m 0755 "$SRV"
rm -rf "$LIB"; mv "$STAGE" "$LIB"
install -d -o "$HOP3_UID" -g "$HOP3_GID" -m 0700 "$SRV/data"
install -d -o "$HOP3_UID" -g "$HOP3_GID" -m 0755 "$SRV/vassals" "$SRV/run" "$SRV/logs"
cat > "$QS/etc/server.json" <<EOF
{
  "listen": "127.0.0.1:$API_PORT",
  "data_dir": "$SRV/data",
  "rootd_socket": "$RUN_DIR/rootd.sock",
  "domain": "$DOMAIN",
  "app_root": "$QS/srv/apps",
  "runtime": {
    "emperor": "local",
    "vassal_dir": "$SRV/vassals",
    "run_dir": "$SRV/run",
    "log_dir": "$SRV/logs",
    "port_min": 19000,
    "port_max": 19999
  }
}
EOF
chmod 0644 "$QS/etc/server.json"
# A scrubbed environment: no HOP3_* or other variable of this shell reaches the server.
as_hop3() { setpriv --reuid="$HOP3_UID" --regid="$HOP3_GID" --init-groups -- env -i PATH="$PATH" HOME="$QS" LANG=C.UTF-8 "$@"; }
SERVER=(node "$LIB/server/hop3-server.mjs")
as_hop3 "${SERVER[@]}" admin revoke-token quickstart --config "$QS/etc/server.json" >/dev/null 2>&1 || true
TOKEN=$(cd "$SRV" && as_hop3 "${SERVER[@]}" admin create-token quickstart --config "$QS/etc/server.json")
: > "$QS/server.log"
(cd "$SRV" && exec setsid setpriv --reuid="$HOP3_UID" --regid="$HOP3_GID" --init-groups -- \
  env -i PATH="$PATH" HOME="$QS" LANG=C.UTF-8 node "$LIB/server/hop3-server.mjs" serve --config "$QS/etc/server.json" >>"$QS/server.log" 2>&1 < /dev/null) &
echo $! > "$QS/server.pid"
for _ in $(seq 1 150); do
  grep -q '"msg":"hop3-server listening"' "$QS/server.log" && break
  [ -d "/proc/$(cat "$QS/server.pid")" ] || { cat "$QS/server.log" >&2; die "hop3-server exited"; }
  sleep 0.1
done
grep -q '"msg":"hop3-server listening"' "$QS/server.log" || { tail -20 "$QS/server.log" >&2; die "hop3-server did not start"; }
say "hop3-server listening on http://127.0.0.1:$API_PORT (pid $(cat "$QS/server.pid"), user $HOP3_USER)"

# --- 6. the CLI: login and deploy -------------------------------------------------------------------
hop3() { XDG_CONFIG_HOME="$QS/cli" node --import tsx "$REPO/cli/main.ts" "$@"; }
printf '%s' "$TOKEN" | hop3 login --server "http://127.0.0.1:$API_PORT" --token -
say "hop3 deploy examples/$EXAMPLE"
hop3 deploy "examples/$EXAMPLE" || die "the deploy failed (see above); server log: $QS/server.log"
HOST="$EXAMPLE.$DOMAIN"
R_PORT=$HTTP_PORT R_HOST=$HOST node - <<'EOF'
const http = require('node:http');
const { R_PORT: port, R_HOST: host } = process.env;
const req = http.get({ host: '127.0.0.1', port: Number(port), path: '/', headers: { host }, agent: false }, (res) => {
  let body = '';
  res.on('data', (c) => (body += c));
  res.on('end', () => {
    console.log(`\nGET http://127.0.0.1:${port}/ with Host: ${host} → ${res.statusCode}\n${body.trimEnd()}`);
    if (res.statusCode !== 200) process.exitCode = 1;
  });
});
req.on('error', (e) => { console.error(`quickstart: no answer through nginx: ${e.message}`); process.exit(1); });
EOF

cat <<EOF

quickstart: $EXAMPLE is live at http://$HOST:$HTTP_PORT/  (nginx on port $HTTP_PORT; *.localhost resolves to 127.0.0.1)
  try       curl -H 'Host: $HOST' http://127.0.0.1:$HTTP_PORT/
  CLI       alias hop3='XDG_CONFIG_HOME=$QS/cli $REPO/node_modules/.bin/tsx $REPO/cli/main.ts'
            hop3 apps; hop3 logs -a $EXAMPLE; hop3 releases -a $EXAMPLE; hop3 deploy examples/static
  logs      server $QS/server.log   rootd $QS/rootd.log (op log $QS/log/oplog.jsonl)
            nginx $NG/logs/error.log, $NG/logs/access.log   apps $SRV/logs/<app>/
  pids      $QS/server.pid  $QS/rootd.pid  $NG/nginx.pid
  stop      bash deploy/quickstart.sh --stop      (--purge also deletes $QS)

This is a single-machine demo on ports 18000/18080; a production install (systemd units, the
system nginx on :80/:443, TLS) is described in docs/operator-guide.md.
EOF
