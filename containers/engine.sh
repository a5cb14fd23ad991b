#!/usr/bin/env bash
# Makes a Docker engine answer, for the container tests: installs docker.io and debootstrap when
# missing, starts dockerd when none answers, and waits for it. Idempotent: with an engine already
# answering and debootstrap present it only checks and returns.
#
# The daemon runs without its default bridge or iptables rules: benchmark containers use no network
# (or the host's loopback for multi-node tests), and this machine must never route private ranges.
set -euo pipefail

LOG_FILE="${KERNELPERF_DOCKERD_LOG:-/var/log/kernelperf-dockerd.log}"
WAIT_S="${KERNELPERF_DOCKERD_WAIT_S:-60}"

say() { echo "engine: $*" >&2; }
fail() {
    say "error: $1"
    say "fix: $2"
    exit 1
}

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || [[ -x /usr/sbin/debootstrap ]] || missing+=(debootstrap)

# An engine that answers is enough for Docker itself; debootstrap is still needed for the base image.
if docker info >/dev/null 2>&1 && [[ ! " ${missing[*]} " =~ " debootstrap " ]]; then
    exit 0
fi

if ((${#missing[@]})); then
    [[ $(id -u) -eq 0 ]] || fail "missing ${missing[*]} and not root" \
        "run: sudo apt-get install -y ${missing[*]}"
    command -v apt-get >/dev/null 2>&1 || fail "missing ${missing[*]} and no apt-get here" \
        "install Docker Engine and debootstrap with this system's package manager"
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

docker info >/dev/null 2>&1 && exit 0

command -v dockerd >/dev/null 2>&1 || fail "dockerd not found after installing docker.io" \
    "install Docker Engine (docker.io or docker-ce) so that dockerd is on PATH"
[[ $(id -u) -eq 0 ]] || fail "no Docker engine answers and only root can start one here" \
    "start Docker (sudo systemctl start docker) or add yourself to the docker group"

say "starting dockerd (log: $LOG_FILE)"
mkdir -p "$(dirname "$LOG_FILE")"
# setsid + nohup: the daemon must outlive make and its shell, and not take their terminal signals.
setsid nohup dockerd --bridge=none --iptables=false >>"$LOG_FILE" 2>&1 </dev/null &

for ((waited_s = 0; waited_s < WAIT_S; waited_s++)); do
    if docker info >/dev/null 2>&1; then
        say "dockerd answers after ${waited_s}s"
        exit 0
    fi
    sleep 1
done
tail -n 20 "$LOG_FILE" >&2 || true
fail "dockerd did not answer within ${WAIT_S}s" "read $LOG_FILE; raise KERNELPERF_DOCKERD_WAIT_S"
