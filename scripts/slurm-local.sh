#!/usr/bin/env bash
# A one-machine Slurm, to try `raftsim sweep --executor slurm` and for the
# test suite: Debian's slurmctld, slurmd and munge (scripts/install-deps.sh
# installs them), started by hand (no systemd needed), with their own
# configuration under a state directory, so an existing /etc/slurm is never
# touched.
#
#   scripts/slurm-local.sh start [STATE_DIR]   starts munged, slurmctld and
#                                              slurmd; prints the line
#                                              export SLURM_CONF=STATE_DIR/slurm.conf
#   scripts/slurm-local.sh stop [STATE_DIR]    stops the three daemons
#
# STATE_DIR defaults to /tmp/raftsim-slurm. One node (this machine, as
# localhost) with every core, one partition `raftsim`. Run as root.
set -euo pipefail
action=${1:-}
state=${2:-/tmp/raftsim-slurm}
conf=$state/slurm.conf
# munged runs as the munge user, which must reach its socket: its files go
# to a directory of their own under /tmp (STATE_DIR may be private).
munge_dir=/tmp/raftsim-munge.$(printf '%s' "$state" | md5sum | cut -c1-12)

die() { echo "slurm-local.sh: $*" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || die "must run as root (it starts munged, slurmctld and slurmd)"
for tool in munged slurmctld slurmd sbatch squeue; do
  command -v "$tool" >/dev/null || die "$tool not found: run scripts/install-deps.sh"
done

pid_alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop() {
  for daemon in slurmd slurmctld; do
    if pid_alive "$state/$daemon.pid"; then
      kill "$(cat "$state/$daemon.pid")"
      for _ in $(seq 50); do pid_alive "$state/$daemon.pid" || break; sleep 0.1; done
    fi
    rm -f "$state/$daemon.pid"
  done
  if pid_alive "$munge_dir/munged.pid"; then
    kill "$(cat "$munge_dir/munged.pid")"
  fi
  rm -rf "$munge_dir"
}

start() {
  mkdir -p "$state"/{spool,ctld,log}
  stop 2>/dev/null || true
  # munge: the key Debian's package made, a socket of our own.
  mkdir -p "$munge_dir"
  chown munge:munge "$munge_dir"
  chmod 0755 "$munge_dir"
  [[ -f /etc/munge/munge.key ]] || die "/etc/munge/munge.key is missing (reinstall munge)"
  runuser -u munge -- munged --socket="$munge_dir/munge.socket" \
    --pid-file="$munge_dir/munged.pid" --log-file="$munge_dir/munged.log" \
    --seed-file="$munge_dir/munged.seed"
  local cpus memory
  cpus=$(nproc)
  memory=$(( $(awk '/MemTotal/ { print $2 }' /proc/meminfo) / 1024 * 9 / 10 ))
  cat >"$conf" <<EOF
ClusterName=raftsim
SlurmctldHost=localhost
AuthType=auth/munge
AuthInfo=socket=$munge_dir/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmdSpoolDir=$state/spool
StateSaveLocation=$state/ctld
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
MinJobAge=30
NodeName=localhost CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=raftsim Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF=$conf
  slurmctld -f "$conf"
  slurmd -f "$conf" -N localhost
  # Ready when the node accepts jobs.
  for _ in $(seq 100); do
    if sinfo -h -o '%T' 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'; then
      echo "export SLURM_CONF=$conf"
      return 0
    fi
    sleep 0.2
  done
  echo "slurm-local.sh: the node did not come up; logs in $state/log:" >&2
  tail -n 5 "$state"/log/*.log >&2 || true
  exit 1
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *) die "usage: scripts/slurm-local.sh start|stop [STATE_DIR]" ;;
esac
