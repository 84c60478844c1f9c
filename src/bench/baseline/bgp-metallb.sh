#!/bin/bash
# bgp-metallb built by hand, the baseline `npm run bench` compares lab up and down against: the same
# lab (a BIRD router in AS 11000 between a client network and the cluster network, N workers in
# AS 22000, each announcing 172.16.254.1/32 over eBGP and serving its name over HTTP with nginx), made
# with ip, bird and nginx and nothing else: no SSH, no journal, no checks beyond the proof below.
#
#   bgp-metallb.sh up N     network, daemons, then waits until the router has N sessions Established,
#                           one route to 172.16.254.1 with N next hops, and the client gets an answer
#   bgp-metallb.sh down     stops the daemons by PID, deletes the namespaces
#
# Env: TAG (namespace prefix base-TAG-, default bench), RUN (state folder, default /tmp/lab-base-TAG).
# Bridges live in a switch namespace: nothing is created in the root namespace.
set -euo pipefail
TAG=${TAG:-bench}
RUN=${RUN:-/tmp/lab-base-$TAG}
P=base-$TAG
SW=$P-sw R=$P-router C=$P-client

worker_ip() { echo "10.0.0.$((50 + $1))"; }

# BIRD's timers as the lab renders them: connect after 1 s, not BIRD's default 5 s
timers() {
  cat <<CONF
  connect delay time 1; connect retry time 2; error wait time 1, 5;
  startup hold time 10; hold time 9; keepalive time 3;
CONF
}

router_conf() {
  local n=$1 i
  echo "router id 10.0.0.1;"
  echo "protocol device { scan time 10; }"
  echo "protocol kernel { ipv4 { import none; export all; }; merge paths on limit $((n > 16 ? n : 16)); }"
  echo "template bgp worker { local 10.0.0.1 as 11000; ipv4 { import all; export none; };"
  timers
  echo "}"
  for i in $(seq 1 "$n"); do echo "protocol bgp w$i from worker { neighbor $(worker_ip "$i") as 22000; }"; done
}

worker_conf() {
  echo "router id $(worker_ip "$1");"
  echo "protocol device { scan time 10; }"
  echo "protocol static service { ipv4; route 172.16.254.1/32 blackhole; }"
  echo "protocol bgp uplink { local $(worker_ip "$1") as 22000; neighbor 10.0.0.1 as 11000;"
  echo "  ipv4 { import none; export where proto = \"service\"; };"
  timers
  echo "}"
}

nginx_conf() {
  local d=$RUN/w$1
  cat <<CONF
pid $d/nginx.pid;
error_log $d/nginx.log;
worker_processes 1;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $d; proxy_temp_path $d; fastcgi_temp_path $d; uwsgi_temp_path $d; scgi_temp_path $d;
  server { listen 80; location / { default_type text/plain; return 200 "worker$1\n"; } }
}
CONF
}

# a daemon's pid, once its pid file is written (they fork, then write it)
pid_of() { for _ in $(seq 200); do [ -s "$1" ] && { cat "$1"; return; }; sleep 0.01; done; echo "no pid file $1" >&2; return 1; }

until_true() { # seconds, command...
  local end=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -lt $end ] || { echo "timed out: $*" >&2; return 1; }; sleep 0.05; done
}
established() { [ "$(birdc -s "$RUN/router/bird.ctl" show protocols | grep -c Established)" -ge "$1" ]; }
ecmp() { [ "$(ip -n "$R" route show 172.16.254.1 | grep -c "${2:-nexthop}")" -ge "$1" ]; }
answers() { ip netns exec "$C" curl -s -m 1 http://172.16.254.1/ | grep -q '^worker'; }

up() {
  local n=$1 i ns d
  [ ! -e "$RUN/pids" ] || { echo "already up ($RUN/pids): down first" >&2; exit 1; }
  mkdir -p "$RUN/router"
  : > "$RUN/pids"
  ip netns add "$SW"; ip netns add "$R"; ip netns add "$C"
  {
    echo "link set lo up"
    echo "link add k8s type bridge forward_delay 0 stp_state 0"
    echo "link add cli type bridge forward_delay 0 stp_state 0"
    echo "link set k8s up"; echo "link set cli up"
  } | ip -n "$SW" -batch -
  ip link add eth0 netns "$R" type veth peer name r0 netns "$SW"
  ip link add eth1 netns "$R" type veth peer name r1 netns "$SW"
  ip link add eth0 netns "$C" type veth peer name c0 netns "$SW"
  for i in $(seq 1 "$n"); do
    ns=$P-w$i
    ip netns add "$ns"
    ip link add eth0 netns "$ns" type veth peer name "w$i" netns "$SW"
    printf '%s\n' "link set lo up" "addr add 172.16.254.1/32 dev lo" "addr add $(worker_ip "$i")/24 dev eth0" \
      "link set eth0 up" "route add default via 10.0.0.1" | ip -n "$ns" -batch -
  done
  {
    echo "link set r0 master k8s up"; echo "link set r1 master cli up"; echo "link set c0 master cli up"
    for i in $(seq 1 "$n"); do echo "link set w$i master k8s up"; done
  } | ip -n "$SW" -batch -
  printf '%s\n' "link set lo up" "addr add 10.0.0.1/24 dev eth0" "addr add 172.16.0.1/24 dev eth1" \
    "link set eth0 up" "link set eth1 up" | ip -n "$R" -batch -
  ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1
  printf '%s\n' "link set lo up" "addr add 172.16.0.10/24 dev eth0" "link set eth0 up" \
    "route add 10.0.0.0/24 via 172.16.0.1" "route add 172.16.254.0/24 via 172.16.0.1" | ip -n "$C" -batch -

  # the router first: the workers' first connects find it listening
  router_conf "$n" > "$RUN/router/bird.conf"
  ip netns exec "$R" bird -c "$RUN/router/bird.conf" -s "$RUN/router/bird.ctl" -P "$RUN/router/bird.pid"
  echo "router bird $(pid_of "$RUN/router/bird.pid")" >> "$RUN/pids"
  for i in $(seq 1 "$n"); do
    ns=$P-w$i d=$RUN/w$i
    mkdir -p "$d"
    worker_conf "$i" > "$d/bird.conf"
    nginx_conf "$i" > "$d/nginx.conf"
    ip netns exec "$ns" bird -c "$d/bird.conf" -s "$d/bird.ctl" -P "$d/bird.pid"
    ip netns exec "$ns" nginx -c "$d/nginx.conf" -p "$d" -e "$d/nginx.log"
  done
  for i in $(seq 1 "$n"); do
    echo "worker$i bird $(pid_of "$RUN/w$i/bird.pid")" >> "$RUN/pids"
    echo "worker$i nginx $(pid_of "$RUN/w$i/nginx.pid")" >> "$RUN/pids"
  done

  until_true 60 established "$n"
  if [ "$n" = 1 ]; then until_true 30 ecmp 1 via; else until_true 30 ecmp "$n"; fi
  until_true 20 answers
}

alive() { [ -e "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

down() {
  local node kind pid ns left
  if [ -f "$RUN/pids" ]; then
    while read -r node kind pid; do kill "$pid" 2>/dev/null || true; done < "$RUN/pids"
    for _ in $(seq 200); do
      left=0
      while read -r node kind pid; do alive "$pid" && left=1; done < "$RUN/pids"
      [ $left = 0 ] && break
      sleep 0.02
    done
    while read -r node kind pid; do alive "$pid" && kill -9 "$pid" 2>/dev/null; done < "$RUN/pids" || true
  fi
  for ns in $(ip netns list | awk -v p="$P-" 'index($1, p) == 1 { print $1 }'); do ip netns del "$ns"; done
  rm -rf "$RUN"
}

case ${1:-} in
  up) up "${2:?up N: the number of workers}" ;;
  down) down ;;
  *) echo "usage: $0 up N | down" >&2; exit 2 ;;
esac
