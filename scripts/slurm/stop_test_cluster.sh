#!/usr/bin/env bash
# Stop what start_test_cluster.sh started, and nothing else: the slurmd, slurmctld and munged whose
# process ids it recorded in STATE_DIR (a daemon of the host that it did not start is left alone),
# and its /etc/slurm/slurm.conf.
#   scripts/slurm/stop_test_cluster.sh STATE_DIR
set -uo pipefail
state=$(realpath -m "${1:?usage: $0 STATE_DIR}")

stop() {  # stop DAEMON: kill the process recorded in $state/DAEMON.pid if it is still that daemon
    local daemon=$1 pidfile="$state/$1.pid" pid
    [ -s "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$daemon" ]; then
        kill "$pid" 2>/dev/null
        for _ in $(seq 1 50); do
            [ -e "/proc/$pid" ] || break
            sleep 0.2
        done
        [ ! -e "/proc/$pid" ] || kill -9 "$pid" 2>/dev/null
    fi
    rm -f "$pidfile"
}

stop slurmd
stop slurmctld
stop munged
if [ -e /etc/slurm/slurm.conf ] && grep -qF "# pancan test cluster (state in $state)" /etc/slurm/slurm.conf; then
    rm -f /etc/slurm/slurm.conf
fi
echo "stop_test_cluster: stopped"
