#!/bin/sh
# kp-slurm controller|node NAME: the entry point of a `kernelperf cluster --engine slurm` container.
# Starts munged with the cluster's one key (/kp/etc/munge.key), then slurmctld or the slurmd named
# NAME in the foreground, both reading /kp/etc/slurm.conf.
set -eu
case ${1:-} in
    controller | node) ;;
    *)
        echo "usage: kp-slurm controller|node NAME" >&2
        exit 2
        ;;
esac
install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
install -d -o munge -g munge -m 0755 /run/munge # clients need to reach the socket
install -o munge -g munge -m 0400 /kp/etc/munge.key /etc/munge/munge.key
runuser -u munge -- munged --force # --force: a restarted container finds the old socket
install -d -m 0755 /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
if [ "$1" = controller ]; then
    exec slurmctld -D -f /kp/etc/slurm.conf
fi
exec slurmd -D -f /kp/etc/slurm.conf -N "$2"
