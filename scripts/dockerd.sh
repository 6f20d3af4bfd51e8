#!/usr/bin/env bash
# scripts/dockerd.sh — a private Docker engine (own containerd, socket, data
# root, exec root, pidfiles, address pool) for periscope's tests and for
# developers, on a machine with no registry; plus the test image
# periscope-test/busybox:latest built from test/docker-image/ with no registry.
#
# Usage:
#   scripts/dockerd.sh start   install what is missing (apt), start containerd +
#                              dockerd if not running, build the test image if
#                              missing; prints `DOCKER_HOST=unix://...` (only
#                              line on stdout; progress goes to stderr)
#   scripts/dockerd.sh stop    kill its containers, stop dockerd and containerd
#                              (SIGTERM, wait, SIGKILL), remove leftover shims,
#                              mounts, netns files and its own bridges; keeps the
#                              data root (images) so the next start is warm
#   scripts/dockerd.sh env     prints `export DOCKER_HOST=unix://$DIR/docker.sock`
#   scripts/dockerd.sh status  exit 0 if the engine answers
#   scripts/dockerd.sh purge   stop, then delete $DIR entirely (next start is cold)
#
# Environment:
#   PERISCOPE_DOCKERD_DIR             everything lives here (default /tmp/periscope-dockerd)
#   PERISCOPE_DOCKERD_POOL            address pool for user-defined networks (default
#                                     10.213.0.0/16; for another DIR a /16 in 10.214-253
#                                     derived from the DIR, so parallel engines differ)
#   PERISCOPE_DOCKERD_POOL_SIZE       prefix length of each network (default 24)
#   PERISCOPE_DOCKERD_STORAGE_DRIVER  overlay2 | vfs | ... (default: overlay2 if an overlay
#                                     mount works inside $DIR, else vfs)
#   PERISCOPE_DOCKERD_TIMEOUT         seconds to wait for the engine to answer (default 60)
#   PERISCOPE_DOCKERD_EXTRA_ARGS      extra dockerd flags, word-split (e.g. --live-restore)
#   PERISCOPE_TEST_IMAGE              tag of the test image (default periscope-test/busybox:latest)
#   PERISCOPE_BUSYBOX                 static busybox to put in the image (default /bin/busybox
#                                     from Debian's busybox-static)
#
# See docs-notes/docker-sandbox.md for why each dockerd flag is there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$(realpath -m "${PERISCOPE_DOCKERD_DIR:-/tmp/periscope-dockerd}")"
SOCK="$DIR/docker.sock"
HOST="unix://$SOCK"
CTR_DIR="$DIR/containerd"
CTR_SOCK="$CTR_DIR/containerd.sock"
if [ -n "${PERISCOPE_DOCKERD_POOL:-}" ]; then
  POOL="$PERISCOPE_DOCKERD_POOL"
elif [ "$DIR" = /tmp/periscope-dockerd ]; then
  POOL=10.213.0.0/16
else # another engine dir: its own /16 (10.214-253.x), stable for that dir
  POOL="10.$((214 + $(printf %s "$DIR" | cksum | cut -d' ' -f1) % 40)).0.0/16"
fi
POOL_SIZE="${PERISCOPE_DOCKERD_POOL_SIZE:-24}"
TIMEOUT="${PERISCOPE_DOCKERD_TIMEOUT:-60}"
IMAGE="${PERISCOPE_TEST_IMAGE:-periscope-test/busybox:latest}"
BUSYBOX="${PERISCOPE_BUSYBOX:-/bin/busybox}"
IMAGE_DIR="$ROOT/test/docker-image"

# Our docker calls talk to our socket only, whatever the caller's environment.
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
export DOCKER_HOST="$HOST"
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

log() { echo "dockerd.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

dk() { docker -H "$HOST" "$@"; }

answers() { [ -S "$SOCK" ] && timeout 10 docker -H "$HOST" version >/dev/null 2>&1; }

# alive PID: the process exists and is not a zombie (PID 1 in this sandbox
# reaps orphans late, so `kill -0` alone would see a dead dockerd as alive).
alive() {
  local st
  st="$(sed -n 's/^.*) \(.\).*$/\1/p' "/proc/$1/stat" 2>/dev/null)" || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}

# pid_from FILE NAME: the pid in FILE if that process is alive, is NAME and
# belongs to this $DIR (its command line names $DIR); empty otherwise.
pid_from() {
  local f="$1" name="$2" pid
  [ -f "$f" ] || return 0
  pid="$(tr -dc 0-9 <"$f")"
  [ -n "$pid" ] || return 0
  alive "$pid" || return 0
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || return 0
  { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qF -- "$DIR" || return 0
  echo "$pid"
}

# wait_gone PID SECONDS
wait_gone() {
  local pid="$1" n=$(($2 * 10))
  while alive "$pid" && [ "$n" -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
  ! alive "$pid"
}

# stop_pid NAME PIDFILE SECONDS: SIGTERM, wait, SIGKILL.
stop_pid() {
  local name="$1" f="$2" secs="$3" pid
  pid="$(pid_from "$f" "$name")"
  if [ -n "$pid" ]; then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" "$secs"; then
      log "$name did not exit within ${secs}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 10 || log "warning: $name (pid $pid) still there"
    fi
  fi
  rm -f "$f"
}

ensure_packages() {
  local pkgs=()
  command -v dockerd >/dev/null 2>&1 || pkgs+=(docker.io)
  command -v docker >/dev/null 2>&1 || pkgs+=(docker.io)
  command -v containerd >/dev/null 2>&1 || pkgs+=(containerd)
  command -v runc >/dev/null 2>&1 || pkgs+=(runc)
  # iptables: even with --iptables=false, the embedded DNS server (127.0.0.11)
  # of user-defined networks is wired with DNAT rules inside each container's
  # netns by running iptables; docker.io depends on it anyway.
  command -v iptables >/dev/null 2>&1 || pkgs+=(iptables)
  if [ -z "${PERISCOPE_BUSYBOX:-}" ] &&
    ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed'; then
    pkgs+=(busybox-static)
  fi
  # On an AppArmor kernel dockerd needs apparmor_parser to load docker-default
  # (not the case in this sandbox's kernel).
  if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null || true)" = Y ] &&
    ! command -v apparmor_parser >/dev/null 2>&1; then
    pkgs+=(apparmor)
  fi
  [ "${#pkgs[@]}" -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing ${pkgs[*]}: run as root (apt-get install)"
  log "installing: ${pkgs[*]}"
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${pkgs[@]}" >&2
}

# Storage driver: overlay2 when the kernel lets us mount overlay inside $DIR
# (it does on this sandbox's ext4 root); vfs otherwise (e.g. $DIR on overlayfs).
pick_storage_driver() {
  if [ -n "${PERISCOPE_DOCKERD_STORAGE_DRIVER:-}" ]; then
    echo "$PERISCOPE_DOCKERD_STORAGE_DRIVER"
    return
  fi
  if [ -d "$DIR/data/overlay2" ]; then echo overlay2; return; fi
  if [ -d "$DIR/data/vfs" ]; then echo vfs; return; fi
  local t="$DIR/.overlay-probe"
  rm -rf "$t" && mkdir -p "$t/l" "$t/u" "$t/w" "$t/m"
  if mount -t overlay overlay -o "lowerdir=$t/l,upperdir=$t/u,workdir=$t/w" "$t/m" 2>/dev/null; then
    umount "$t/m"
    rm -rf "$t"
    echo overlay2
  else
    rm -rf "$t"
    echo vfs
  fi
}

start_containerd() {
  local pid
  pid="$(pid_from "$DIR/containerd.pid" containerd)"
  if [ -n "$pid" ] && [ -S "$CTR_SOCK" ]; then return 0; fi
  mkdir -p "$CTR_DIR"
  # Our own containerd: a dockerd without --containerd would share a system
  # containerd whenever /run/containerd/containerd.sock exists.
  cat >"$DIR/containerd.toml" <<EOF
version = 2
root = "$CTR_DIR/root"
state = "$CTR_DIR/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]
[grpc]
  address = "$CTR_SOCK"
[ttrpc]
  address = "$CTR_SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
EOF
  rm -f "$CTR_SOCK" "$CTR_SOCK.ttrpc"
  # Non-interactive bash: the background job shares our process group, so
  # setsid does not fork and $! is containerd itself.
  setsid containerd --config "$DIR/containerd.toml" --log-level warn \
    >>"$DIR/containerd.log" 2>&1 </dev/null 9>&- &
  echo $! >"$DIR/containerd.pid"
  local n=$((TIMEOUT * 10))
  until [ -S "$CTR_SOCK" ]; do
    alive "$(cat "$DIR/containerd.pid")" || { tail -20 "$DIR/containerd.log" >&2; die "containerd exited"; }
    n=$((n - 1))
    [ "$n" -gt 0 ] || { tail -20 "$DIR/containerd.log" >&2; die "containerd socket did not appear in ${TIMEOUT}s"; }
    sleep 0.1
  done
}

start_dockerd() {
  local driver="$1"
  # Own config file, so /etc/docker/daemon.json is not read; the trust key
  # (which also gives the engine its ID) goes here, not /etc/docker/key.json.
  printf '{\n  "deprecated-key-path": "%s"\n}\n' "$DIR/key.json" >"$DIR/daemon.json"
  local flags=(
    --host "$HOST"
    --config-file "$DIR/daemon.json"        # ignore /etc/docker/daemon.json
    --data-root "$DIR/data"
    --exec-root "$DIR/exec"
    --pidfile "$DIR/dockerd.pid"
    --containerd "$CTR_SOCK"
    --storage-driver "$driver"
    --bridge=none                           # no docker0: user-defined networks only
    --default-address-pool "base=$POOL,size=$POOL_SIZE"
    --iptables=false                        # leave the host's iptables alone
    --ip-masq=false
    --ip-forward=false                      # leave net.ipv4.ip_forward alone (stays 0)
  )
  # shellcheck disable=SC2206
  [ -n "${PERISCOPE_DOCKERD_EXTRA_ARGS:-}" ] && flags+=(${PERISCOPE_DOCKERD_EXTRA_ARGS})
  echo "--- $(date -u +%FT%TZ) dockerd ${flags[*]}" >>"$DIR/dockerd.log"
  setsid dockerd "${flags[@]}" >>"$DIR/dockerd.log" 2>&1 </dev/null 9>&- &
  wait_answer $!
}

# wait_answer PID: until the engine answers; fail if PID dies or on timeout.
wait_answer() {
  local dpid="$1" n=$((TIMEOUT * 10))
  until answers; do
    alive "$dpid" || { tail -30 "$DIR/dockerd.log" >&2; die "dockerd exited (log: $DIR/dockerd.log)"; }
    n=$((n - 1))
    [ "$n" -gt 0 ] || { tail -30 "$DIR/dockerd.log" >&2; die "dockerd did not answer within ${TIMEOUT}s (log: $DIR/dockerd.log)"; }
    sleep 0.1
  done
}

build_image() {
  if dk image inspect "$IMAGE" >/dev/null 2>&1; then return 0; fi
  [ -f "$BUSYBOX" ] || die "$BUSYBOX not found (apt-get install busybox-static)"
  if ldd "$BUSYBOX" >/dev/null 2>&1; then die "$BUSYBOX is dynamically linked: need busybox-static"; fi
  local ctx
  ctx="$(mktemp -d)"
  cp "$IMAGE_DIR/Dockerfile" "$ctx/Dockerfile"
  cp "$BUSYBOX" "$ctx/busybox"
  log "building $IMAGE"
  # Legacy builder: the engine is 20.10 and no buildx plugin is installed.
  if ! DOCKER_BUILDKIT=0 dk build -t "$IMAGE" "$ctx" >"$DIR/build.log" 2>&1; then
    rm -rf "$ctx"
    cat "$DIR/build.log" >&2
    die "image build failed"
  fi
  rm -rf "$ctx"
  dk run --rm --network none "$IMAGE" sh -c 'echo hi' >/dev/null || die "$IMAGE does not run"
}

on_start_exit() {
  local rc=$?
  [ "$rc" -eq 0 ] && return 0
  log "start failed: stopping what was started"
  cmd_stop >/dev/null 2>&1 || true
}

cmd_start() {
  [ "${#DIR}" -le 70 ] || die "PERISCOPE_DOCKERD_DIR too long for unix socket paths: $DIR"
  ensure_packages
  mkdir -p "$DIR"
  exec 9>"$DIR/.lock"
  flock -w "$TIMEOUT" 9 || die "another dockerd.sh holds $DIR/.lock"
  if ! answers; then
    local dpid t0 driver
    t0=$(date +%s%N)
    dpid="$(pid_from "$DIR/dockerd.pid" dockerd)"
    if [ -n "$dpid" ]; then
      # Alive but not answering yet: a restart restoring containers can take
      # 10 s and more (it stops the ones it finds running). Wait for it.
      log "dockerd (pid $dpid) is running but not answering yet: waiting"
      wait_answer "$dpid"
    else
      # Not running (never started, stopped, or killed): (re)start. A
      # containerd that survived dockerd is kept, with its containers' shims;
      # dockerd restores the containers from the same data root.
      rm -f "$DIR/dockerd.pid"
      driver="$(pick_storage_driver)"
      log "starting private dockerd in $DIR (storage driver $driver)"
      # On failure, leave nothing running behind.
      trap on_start_exit EXIT
      start_containerd
      start_dockerd "$driver"
      trap - EXIT
    fi
    log "engine up in $((($(date +%s%N) - t0) / 1000000))ms"
  fi
  build_image
  echo "DOCKER_HOST=$HOST"
}

# Processes left behind when dockerd/containerd died with containers running
# (kill -9, --live-restore): kill each container's init through runc (the
# kernel then kills its whole pid namespace), then the shims, by pid.
kill_leftovers() {
  local rr="$DIR/exec/runtime-runc/moby" id p cmd
  if [ -d "$rr" ] && command -v runc >/dev/null 2>&1; then
    for id in $(runc --root "$rr" list -q 2>/dev/null || true); do
      runc --root "$rr" kill "$id" KILL >/dev/null 2>&1 || true
      runc --root "$rr" delete -f "$id" >/dev/null 2>&1 || true
    done
  fi
  for p in /proc/[0-9]*; do
    cmd="$({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null || true)"
    case "$cmd" in
      *containerd-shim*"-address $CTR_SOCK "*)
        log "killing leftover shim ${p#/proc/}"
        kill -KILL "${p#/proc/}" 2>/dev/null || true
        ;;
    esac
  done
}

cleanup_mounts() {
  local mp
  # deepest first; mountinfo field 5 is the mount point
  awk -v d="$DIR" '$5 == d || index($5, d "/") == 1 { print length($5) " " $5 }' /proc/self/mountinfo |
    sort -rn | cut -d' ' -f2- | while read -r mp; do
      umount "$mp" 2>/dev/null || umount -l "$mp" 2>/dev/null || log "warning: cannot unmount $mp"
    done
}

# Bridges of this engine's user-defined networks: dockerd leaves them behind
# when it exits and re-creates them on start. Their names are read from this
# engine's own network store, so another engine's bridges are never touched
# (even when both use the same address pool).
cleanup_bridges() {
  local db="$DIR/data/network/files/local-kv.db" name
  [ -f "$db" ] && command -v ip >/dev/null 2>&1 || return 0
  { grep -aoE '"BridgeName":"[^"]+"' "$db" || true; } | sed 's/.*:"\(.*\)"/\1/' | sort -u |
    while read -r name; do
      [ -e "/sys/class/net/$name/bridge" ] || continue
      ip link delete "$name" 2>/dev/null || log "warning: cannot delete bridge $name"
    done
}

cmd_stop() {
  [ -d "$DIR" ] || return 0
  exec 9>"$DIR/.lock"
  flock -w 120 9 || die "another dockerd.sh holds $DIR/.lock"
  if answers; then
    local ids
    ids="$(dk ps -q 2>/dev/null || true)"
    # shellcheck disable=SC2086
    [ -z "$ids" ] || timeout 60 docker -H "$HOST" kill $ids >/dev/null 2>&1 || true
  fi
  stop_pid dockerd "$DIR/dockerd.pid" 30
  stop_pid containerd "$DIR/containerd.pid" 15
  kill_leftovers
  cleanup_mounts
  cleanup_bridges
  rm -rf "$DIR/exec" "$CTR_DIR/state" "$DIR/.overlay-probe"
  rm -f "$SOCK" "$CTR_SOCK" "$CTR_SOCK.ttrpc"
  log "stopped ($DIR kept; 'purge' deletes it)"
}

cmd_purge() {
  cmd_stop
  case "$DIR" in / | /tmp | /root | "$HOME") die "refusing to delete $DIR" ;; esac
  rm -rf "$DIR"
  log "deleted $DIR"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  env) echo "export DOCKER_HOST=$HOST" ;;
  status) answers ;;
  purge) cmd_purge ;;
  *)
    echo "usage: $0 start|stop|env|status|purge" >&2
    exit 2
    ;;
esac
