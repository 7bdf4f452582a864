# Sourced by the benchmarks that count registry requests (bench-registry.sh, bench-attest.sh):
# start_registry DIR starts Debian's Docker Distribution on a free loopback port with its storage and
# log in DIR (access log on, so a benchmark can count requests; deletes on), waits until /v2/ answers,
# and sets $host and $registry_pid. The caller stops it by that pid.
start_registry() {
  local dir=$1 port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  host="127.0.0.1:$port"
  cat > "$dir/config.yml" <<YML
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: $host
YML
  docker-registry serve "$dir/config.yml" > "$dir/registry.log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 100); do curl -sf "http://$host/v2/" >/dev/null 2>&1 && return 0; sleep 0.05; done
  echo "the registry on $host did not answer in 5 s; see $dir/registry.log" >&2
  return 1
}
