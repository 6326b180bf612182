#!/usr/bin/env bash
# Stop what start_test_cluster.sh started: slurmd, slurmctld, munged (if it started it), its config.
set -uo pipefail
state=$(realpath -m "${1:?usage: $0 STATE_DIR}")
for daemon in slurmd slurmctld; do
    if [ -s "$state/$daemon.pid" ]; then
        kill "$(cat "$state/$daemon.pid")" 2>/dev/null || true
    fi
done
sleep 1
pkill -x slurmd 2>/dev/null || true
pkill -x slurmctld 2>/dev/null || true
if [ -e "$state/munged.started" ]; then
    pkill -x munged 2>/dev/null || true
    rm -f "$state/munged.started"
fi
if [ -e /etc/slurm/slurm.conf ] && grep -qF "# pancan test cluster" /etc/slurm/slurm.conf; then
    rm -f /etc/slurm/slurm.conf
fi
echo "stop_test_cluster: stopped"
