#!/usr/bin/env bash
# A real OpenPBS site for the `realpbs` tests and the pbs_server benchmark.
#
# Builds (or reuses) OpenPBS 23.06.06, whose JSON writer is the one Aurora's PBS 2022 uses, and master,
# whose cJSON writer newer PBS uses, with the project's shared scripts (build.sh, start.sh: see their
# README); starts one 23.06.06 site in private namespaces (host `pbshost`, test user $PBS_TEST_USER);
# tunes it so the tests wait seconds, not minutes; writes a wrapper that runs *master's* qstat as a client
# of that server; and appends what the tests read to $DAOSTUI_CI_ENV:
#   DAOSTUI_TEST_PBS_BIN            the site's bin dir (qsub, qstat, ... as the test user)
#   DAOSTUI_TEST_PBS_USER           that user
#   DAOSTUI_TEST_PBS_WORKDIR        a directory the user owns, for job scripts and .o/.e files
#   DAOSTUI_TEST_PBS_ADMIN          qmgr as root inside the site (queue limits for the tests)
#   DAOSTUI_TEST_PBS_MASTER_QSTAT   master's qstat against the same server
#   DAOSTUI_TEST_PBS_SERVER_PID     pbs_server's pid (the benchmark reads its CPU time)
# Needs root (apt, namespaces); without it, or when a build fails, it says why and exits non-zero, and
# the tests skip with that reason. A second run reuses the builds (~15 s for the site).
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
say() { echo "20-realpbs: $*"; }
fail() { say "$*; the realpbs tests will be skipped"; exit 1; }
elapsed() { echo $(( $(date +%s) - $1 ))s; }

[ "$(id -u)" = 0 ] || fail "not root (building OpenPBS and entering its namespaces need root)"
for tool in unshare nsenter setpriv apt-get; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing"
done
realpbs=${DAOSTUI_REALPBS_DIR:-}
if [ -z "$realpbs" ]; then
  for candidate in "$repo/../shared/realpbs" "$repo/../../shared/realpbs"; do
    [ -x "$candidate/build.sh" ] && { realpbs=$(cd "$candidate" && pwd); break; }
  done
fi
[ -n "$realpbs" ] && [ -x "$realpbs/build.sh" ] || fail "no OpenPBS sources: set DAOSTUI_REALPBS_DIR to the realpbs directory"
: "${DAOSTUI_CI_ENV:?DAOSTUI_CI_ENV must name the file the steps append KEY=VALUE lines to}"

started=$(date +%s)
prefix=$("$realpbs/build.sh" 23.06.06 | tail -1) || fail "building OpenPBS 23.06.06 failed"
say "OpenPBS 23.06.06 in $prefix ($(elapsed "$started"))"

# build.sh runs `grep -rl '#include <eval.h>' src | xargs ...` under `set -o pipefail`: master no longer
# includes eval.h, grep finds nothing and exits 1, and the build stops there silently. A grep shim first on
# PATH turns "no match" (1) into success for exactly that call; every other grep is the real one.
started=$(date +%s)
shim=$(mktemp -d /tmp/daostui-grepshim.XXXXXX)
cat > "$shim/grep" <<'SHIM'
#!/bin/sh
if [ "$1" = "-rl" ] && [ "$2" = "#include <eval.h>" ]; then /bin/grep "$@"; [ $? -le 1 ] && exit 0; exit 2; fi
exec /bin/grep "$@"
SHIM
chmod 755 "$shim/grep"
master=$(PATH="$shim:$PATH" "$realpbs/build.sh" master | tail -1)
master_ok=$?
rm -rf "$shim"
if [ "$master_ok" = 0 ] && [ -x "$master/bin/qstat" ]; then
  say "OpenPBS master in $master ($(elapsed "$started"))"
else
  say "building OpenPBS master failed ($(elapsed "$started")): the master-qstat test will be skipped"
  master=""
fi

started=$(date +%s)
state=${DAOSTUI_TEST_PBS_STATE:-/tmp/daostui-ci-pbs}
user=${PBS_TEST_USER:-pbsuser}
[ -f "$state/holder.pid" ] && "$realpbs/stop.sh" "$state"
rm -rf "$state"
# Every site's PostgreSQL data service takes the same socket outside the namespaces: one site per host
socket=/var/run/postgresql/.s.PGSQL.15007
# A lock whose postmaster is gone (a machine or session that stopped without stop.sh) is stale: remove it
if [ -e "$socket.lock" ] && ! kill -0 "$(head -1 "$socket.lock" 2>/dev/null)" 2>/dev/null; then
  say "removing the stale data-service socket of a site that is gone (pid $(head -1 "$socket.lock" 2>/dev/null))"
  rm -f "$socket" "$socket.lock"
fi
if [ -e "$socket" ] || [ -e "$socket.lock" ]; then
  fail "another OpenPBS site runs on this host: its data service holds $socket (pid $(head -1 "$socket.lock" 2>/dev/null)); stop it first"
fi
bin=$("$realpbs/start.sh" "$state" "$user" "$prefix" | tail -1) || fail "the OpenPBS site did not start (see $state/*.log)"
"$bin/qstat" -B >/dev/null 2>&1 || fail "the OpenPBS site does not answer qstat -B: $(grep -h -i error "$state"/start.log | head -2)"
holder=$(cat "$state/holder.pid")
home=$(cat "$state/pbs_home")
inside() { nsenter -t "$holder" -n -u -m -- env PBS_CONF_FILE="$state/pbs.conf" "$@"; }

# Test-speed tuning, all inside the private site:
# - MoM polls resource usage every 120 s by default, so a walltime kill would come minutes late;
# - the scheduler only plans queued jobs (estimated.start_time) with strict ordering on.
printf '$min_check_poll 1\n$max_check_poll 2\n' >> "$home/mom_priv/config"
sed -i 's/^strict_ordering:.*/strict_ordering: true ALL/' "$home/sched_priv/sched_config"
inside "$prefix/bin/qmgr" -c "set server backfill_depth = 20" >/dev/null
# HUP makes both re-read their configuration; by the pids in their own lock files (other sites may run)
kill -HUP "$(cat "$home/mom_priv/mom.lock")" "$(cat "$home/sched_priv/sched.lock")"
for _ in $(seq 30); do inside "$prefix/bin/qstat" -B >/dev/null 2>&1 && break; sleep 1; done

cat > "$state/admin-qmgr" <<W
#!/bin/sh
# qmgr as root inside the OpenPBS site in $state (the tests set queue limits with it)
exec nsenter -t $holder -n -u -m -- env PBS_CONF_FILE=$state/pbs.conf $prefix/bin/qmgr "\$@"
W
chmod 755 "$state/admin-qmgr"
if [ -n "$master" ]; then
  sed "s#$prefix/bin/qstat#$master/bin/qstat#; s#^\# qstat of#\# master's qstat as a client of#" \
    "$bin/qstat" > "$state/master-qstat"
  chmod 755 "$state/master-qstat"
fi
work="$state/work"
mkdir -p "$work" && chown "$user" "$work" && chmod 755 "$work"
say "site up in $state as $user ($(elapsed "$started"))"

{
  echo "DAOSTUI_TEST_PBS_BIN=$bin"
  echo "DAOSTUI_TEST_PBS_USER=$user"
  echo "DAOSTUI_TEST_PBS_WORKDIR=$work"
  echo "DAOSTUI_TEST_PBS_ADMIN=$state/admin-qmgr"
  echo "DAOSTUI_TEST_PBS_SERVER_PID=$(cat "$home/server_priv/server.lock")"
  if [ -n "$master" ]; then echo "DAOSTUI_TEST_PBS_MASTER_QSTAT=$state/master-qstat"; fi
} >> "$DAOSTUI_CI_ENV"
