#!/usr/bin/env bash
# Hop3-TS quick start, command 1 of the README.
#
#   bash deploy/quickstart.sh [--host-network]      (as root, fresh Debian 12 + Node 20, from a clone)
#
# What it does TODAY (hop3-server, the CLI and app deploys arrive with issue 4):
#   1. apt-get installs what is missing: nginx, nftables, uwsgi-core, build-essential, python3;
#   2. `npm ci` in the clone (builds the SO_PEERCRED addon);
#   3. installs hop3-rootd with deploy/install-rootd.sh into a LOCAL prefix,
#      /var/lib/hop3-quickstart (creating the hop3 system user/group if missing), with its
#      own config, state dir, op log and socket /run/hop3-quickstart/rootd.sock;
#   4. starts `hop3-rootd serve` in the background and calls daemon.handshake and
#      daemon.health over the socket with a small node:net client, and prints the replies.
#
# What it does NOT touch on this host:
#   - the firewall: by default rootd runs in its own network namespace (unshare --net), so
#     its start-up reconcile creates `table inet hop3` there, not on the host. With
#     --host-network it runs in the host namespace with firewall policy `accept`: the only
#     change is rootd's own `table inet hop3`, which then drops nothing;
#   - the system nginx: rootd gets a private nginx.conf and site dir under the quickstart
#     dir and ports 28080/28443 (only `nginx -t` runs; no nginx is started or reloaded);
#   - mounts: the app root is empty, so there is nothing to mount or unmount;
#   - systemd: no unit is installed (the production install is deploy/install-rootd.sh).
#
# Re-runnable: a previous quickstart rootd (found by its pid file) is stopped first; config,
# state and op log are kept across runs. Remove everything with:
#   kill "$(cat /var/lib/hop3-quickstart/rootd.pid)"; rm -rf /var/lib/hop3-quickstart /run/hop3-quickstart
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
QS=/var/lib/hop3-quickstart
RUN_DIR=/run/hop3-quickstart
HOST_NET=no
case "${1:-}" in
  --host-network) HOST_NET=yes ;;
  "") ;;
  *) echo "usage: $0 [--host-network]" >&2; exit 2 ;;
esac
say() { echo "quickstart: $*"; }
[ "$(id -u)" = 0 ] || { echo "quickstart: run as root (rootd is the root half of Hop3)" >&2; exit 1; }

# 1. Debian packages ----------------------------------------------------------------------
need=()
for pair in nginx:nginx nft:nftables uwsgi:uwsgi-core make:build-essential g++:build-essential python3:python3 unshare:util-linux; do
  bin=${pair%%:*}; pkg=${pair#*:}
  command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/sbin/$bin" ] || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  say "apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u) >/dev/null
fi
command -v node >/dev/null || { echo "quickstart: Node 20 is required (https://nodejs.org or NodeSource)" >&2; exit 1; }
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] || { echo "quickstart: Node >= 20 is required" >&2; exit 1; }

# 2. npm ci (skipped when node_modules and the addon are already up to date) ------------------
cd "$REPO"
if [ ! -f build/Release/peercred.node ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Stop a previous quickstart rootd: only the process recorded in our pid file, and only if
# it is a hop3-rootd serving our config.
if [ -f "$QS/rootd.pid" ]; then
  old=$(cat "$QS/rootd.pid")
  if [ -r "/proc/$old/cmdline" ] && tr '\0' ' ' < "/proc/$old/cmdline" | grep -q "hop3-rootd.mjs serve --config $QS/etc/rootd.json"; then
    say "stopping the previous quickstart rootd (pid $old)"
    kill -TERM "$old"
    for _ in $(seq 1 50); do [ -d "/proc/$old" ] || break; sleep 0.1; done
  fi
  rm -f "$QS/rootd.pid"
fi

# 3. install into the local prefix --------------------------------------------------------------
install -d -o 0 -g 0 -m 0755 "$QS"
policy=accept
bash "$REPO/deploy/install-rootd.sh" --prefix "$QS/opt" --sysconfdir "$QS/etc" --state-dir "$QS/state" \
  --log-dir "$QS/log" --run-dir "$RUN_DIR" --app-root "$QS/srv/apps" --systemd no --firewall-policy "$policy" \
  | sed 's/^/  /'

# The quickstart's own nginx (config only, never started) and the host's cgroup v2 mount.
NG=$QS/nginx
install -d -o 0 -g 0 -m 0755 "$NG" "$NG/sites" "$NG/tmp" "$NG/logs"
{
  echo "pid $NG/nginx.pid;"
  echo "error_log $NG/logs/error.log;"
  echo "events {}"
  echo "http {"
  echo "  access_log off;"
  for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $NG/tmp/$t;"; done
  echo "  include $NG/sites/*.conf;"
  echo "}"
} > "$NG/nginx.conf"
CG=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
[ -n "$CG" ] || { CG=$QS/no-cgroup2; install -d -m 0755 "$CG"; }
R_CONF="$QS/etc/rootd.json" R_NG="$NG" R_CG="$CG" R_TLS="$QS/etc/tls" R_POLICY="$policy" node - <<'EOF'
const fs = require('node:fs');
const e = process.env;
const c = JSON.parse(fs.readFileSync(e.R_CONF, 'utf8'));
c.cgroup_root = e.R_CG;
c.nginx = {
  binary: '/usr/sbin/nginx', conf: `${e.R_NG}/nginx.conf`, site_dir: `${e.R_NG}/sites`, prefix: e.R_NG,
  tls_dir: e.R_TLS, http_port: 28080, https_port: 28443, pid_file: `${e.R_NG}/nginx.pid`, error_log: `${e.R_NG}/logs/error.log`,
};
c.firewall = { policy: e.R_POLICY };
fs.writeFileSync(e.R_CONF + '.tmp', JSON.stringify(c, null, 2) + '\n', { mode: 0o600 });
fs.renameSync(e.R_CONF + '.tmp', e.R_CONF);
EOF

# 4. start rootd and talk to it ---------------------------------------------------------------------
launch=("$QS/opt/bin/hop3-rootd" serve --config "$QS/etc/rootd.json")
if [ "$HOST_NET" = no ]; then launch=(unshare --net -- "${launch[@]}"); fi
: > "$QS/rootd.log"
setsid "${launch[@]}" >>"$QS/rootd.log" 2>&1 < /dev/null &
echo $! > "$QS/rootd.pid"
for _ in $(seq 1 100); do
  grep -q ' ready ' "$QS/rootd.log" && break
  [ -d "/proc/$(cat "$QS/rootd.pid")" ] || { cat "$QS/rootd.log" >&2; echo "quickstart: rootd exited" >&2; exit 1; }
  sleep 0.1
done
grep -q ' ready ' "$QS/rootd.log" || { cat "$QS/rootd.log" >&2; echo "quickstart: rootd did not become ready" >&2; exit 1; }
say "$(grep ' ready ' "$QS/rootd.log" | tail -1)"

R_SOCK="$RUN_DIR/rootd.sock" node - <<'EOF'
const net = require('node:net');
const s = net.connect(process.env.R_SOCK);
const calls = [
  { v: 1, id: 'qs-1', op: 'daemon.handshake', params: { client: 'quickstart', protocol: 1 } },
  { v: 1, id: 'qs-2', op: 'daemon.health', params: {} },
];
let buf = '';
let n = 0;
s.on('connect', () => { for (const c of calls) s.write(JSON.stringify(c) + '\n'); });
s.on('data', (b) => {
  buf += b;
  let i;
  while ((i = buf.indexOf('\n')) >= 0) {
    const reply = JSON.parse(buf.slice(0, i));
    buf = buf.slice(i + 1);
    console.log(`${calls[n].op} →`, JSON.stringify(reply.ok ? reply.result : reply.error, null, 2));
    if (!reply.ok) process.exitCode = 1;
    if (++n === calls.length) s.end();
  }
});
s.on('error', (e) => { console.error(`quickstart: cannot reach rootd: ${e.message}`); process.exit(1); });
EOF

cat <<EOF

quickstart: hop3-rootd is running (pid $(cat "$QS/rootd.pid"), $( [ "$HOST_NET" = no ] && echo "in its own network namespace" || echo "host network, firewall policy accept")).
  socket   $RUN_DIR/rootd.sock (root and group hop3)
  config   $QS/etc/rootd.json     op log  $QS/log/oplog.jsonl     daemon log  $QS/rootd.log
  audit    $QS/opt/bin/hop3-rootd log verify --config $QS/etc/rootd.json
  stop     kill \$(cat $QS/rootd.pid)

hop3-server, the hop3 CLI and deploying the sample app arrive with issue 4; until then this
quick start brings up only the privileged half. For a production install use
deploy/install-rootd.sh (systemd units, /opt/hop3, /etc/hop3) and read docs/rootd.md.
EOF
