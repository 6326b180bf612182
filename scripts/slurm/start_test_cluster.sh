#!/usr/bin/env bash
# Start a single-node SLURM cluster on this machine for tests: munge, slurmctld and slurmd on
# localhost, no accounting database. Needs root and Debian's slurmctld, slurmd, slurm-client, munge.
#   scripts/slurm/start_test_cluster.sh STATE_DIR      (stop with stop_test_cluster.sh STATE_DIR)
# The config goes to /etc/slurm/slurm.conf because the Snakemake SLURM executor clears SLURM_CONF
# inside jobs; an existing config not written by this script is never overwritten.
set -euo pipefail
state=$(realpath -m "${1:?usage: $0 STATE_DIR}")
marker="# pancan test cluster"
config=/etc/slurm/slurm.conf
host=$(hostname -s)
cpus=$(nproc)
memory_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 8 / 10 ))

for tool in slurmctld slurmd munged munge sinfo; do
    command -v "$tool" >/dev/null || { echo "start_test_cluster: $tool is not installed" >&2; exit 1; }
done
if [ -e "$config" ] && ! grep -qF "$marker" "$config"; then
    echo "start_test_cluster: $config exists and was not written by this script; not touching it" >&2
    exit 1
fi
mkdir -p "$state/state" "$state/spool" /etc/slurm
cat > "$state/slurm.conf" <<CONF
$marker (state in $state)
ClusterName=pancan-test
SlurmctldHost=$host
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
SlurmUser=root
SlurmdUser=root
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmdSpoolDir=$state/spool
StateSaveLocation=$state/state
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
MinJobAge=86400
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
NodeName=$host CPUs=$cpus RealMemory=$memory_mb State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
cp "$state/slurm.conf" "$config"

if ! munge -n >/dev/null 2>&1; then  # a working munged answers; a zombie one does not
    [ -s /etc/munge/munge.key ] || { dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
    mkdir -p /run/munge && chown munge:munge /run/munge
    /usr/sbin/munged --force --pid-file="$state/munged.pid"
    munge -n >/dev/null || { echo "start_test_cluster: munged did not start" >&2; tail -n 20 /var/log/munge/munged.log >&2; exit 1; }
fi
slurmctld -i
slurmd
for _ in $(seq 1 60); do
    if sinfo -h -o "%T" 2>/dev/null | grep -qx "idle"; then
        echo "start_test_cluster: node $host idle ($cpus CPUs, $memory_mb MB); state in $state"
        exit 0
    fi
    sleep 1
done
echo "start_test_cluster: the node did not become idle within 60 s" >&2
sinfo >&2 || true
for log in "$state/slurmctld.log" "$state/slurmd.log"; do
    echo "--- $log" >&2
    tail -n 40 "$log" >&2 || true
done
exit 1
