#!/usr/bin/env bash
# Wall time of a canary weight change, per provider, through berth's own routers (berth-traffic-bench):
# nginx (rewrite the include, `nginx -t`, `nginx -s reload`) against HAProxy (runtime API over the
# admin socket, no reload). Starts two backends (one nginx, "stable" and "canary" on two ports), a
# front nginx and an haproxy on 127.0.0.1, then changes the weight CHANGES times on each, alternating
# 0 and 100 %: a change is in effect when a fresh request reaches the side it sends everything to.
# Reports the median and p90 of apply() (the call's own time) and of apply-to-in-effect.
# Usage: scripts/bench-traffic.sh [CHANGES]   (default 50; needs nginx-light and haproxy)
set -euo pipefail
cd "$(dirname "$0")/.."
changes=${1:-50}
for tool in /usr/sbin/nginx /usr/sbin/haproxy; do
  [[ -x $tool ]] || { echo "bench-traffic: $tool is missing (apt-get install nginx-light haproxy)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/berth-bench-traffic.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

echo "== building berth-traffic-bench (release)" >&2
swift build -c release --product berth-traffic-bench >/dev/null
bin=$(swift build -c release --show-bin-path)

p_stable=$(port); p_canary=$(port); p_nginx=$(port); p_haproxy=$(port)
temp_paths() { for t in body proxy fastcgi uwsgi scgi; do echo "  ${t/body/client_body}_temp_path $1/tmp/$t;"; done; }
for d in backends front; do mkdir -p "$work/$d/logs" "$work/$d/tmp" "$work/$d/berth"; chmod 777 "$work/$d/tmp"; done
cat >"$work/backends/nginx.conf" <<CONF
worker_processes 1;
pid $work/backends/nginx.pid;
error_log $work/backends/logs/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
$(temp_paths "$work/backends")
  server { listen 127.0.0.1:$p_stable; location / { default_type text/plain; return 200 "stable\n"; } }
  server { listen 127.0.0.1:$p_canary; location / { default_type text/plain; return 200 "canary\n"; } }
}
CONF
# A bootstrap include so nginx starts; berth's first apply() replaces it with its own.
cat >"$work/front/berth/api.conf" <<CONF
upstream api_weighted { server 127.0.0.1:$p_stable; }
map "" \$api_pool { default api_weighted; }
CONF
cat >"$work/front/nginx.conf" <<CONF
worker_processes 1;
pid $work/front/nginx.pid;
error_log $work/front/logs/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
$(temp_paths "$work/front")
  include $work/front/berth/api.conf;
  server { listen 127.0.0.1:$p_nginx; location / { proxy_pass http://\$api_pool; } }
}
CONF
cat >"$work/haproxy.cfg" <<CONF
global
  stats socket $work/admin.sock mode 600 level admin
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
frontend fe
  bind 127.0.0.1:$p_haproxy
  default_backend api
backend api
  balance roundrobin
  server s1 127.0.0.1:$p_stable weight 100
  server c1 127.0.0.1:$p_canary weight 0
CONF
for d in backends front; do
  /usr/sbin/nginx -p "$work/$d" -c "$work/$d/nginx.conf" -e "$work/$d/logs/error.log" -g 'daemon off;' &
  pids+=($!)
done
/usr/sbin/haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
pids+=($!)
for p in "$p_stable" "$p_canary" "$p_nginx" "$p_haproxy"; do wait_port "$p" || { echo "bench-traffic: nothing listens on $p" >&2; exit 1; }; done

echo "== nginx: $changes changes" >&2
"$bin/berth-traffic-bench" nginx "$work/front/berth/api.conf" "$work/front/nginx.conf" "$work/front" \
  "127.0.0.1:$p_stable" "127.0.0.1:$p_canary" "$p_nginx" "$changes" >"$work/nginx.json"
echo "== haproxy: $changes changes" >&2
"$bin/berth-traffic-bench" haproxy "$work/admin.sock" api "$p_haproxy" "$changes" >"$work/haproxy.json"

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
rows = [json.load(open(f"{work}/{name}.json")) for name in ("nginx", "haproxy")]
print("| provider | changes | apply() median | apply() p90 | in effect: median | in effect: p90 | in effect: max |")
print("|---|---:|---:|---:|---:|---:|---:|")
for r in rows:
    how = "include, `nginx -t`, `nginx -s reload`" if r["router"] == "nginx" else "runtime API (`set weight`), no reload"
    print(f"| {r['router']} ({how}) | {r['changes']} | {r['applyMedianMs']:.1f} ms | {r['applyP90Ms']:.1f} ms | "
          f"{r['effectMedianMs']:.1f} ms | {r['effectP90Ms']:.1f} ms | {r['effectMaxMs']:.1f} ms |")
PY
