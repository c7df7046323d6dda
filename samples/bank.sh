#!/usr/bin/env bash
# The bank of three JVMs: accounts partitioned across members a, b and c, money sent between them
# through outboxes over loopback TCP, snapshots cut for the whole group at once through ZooKeeper.
# Member b is killed with kill -9 mid-flight, the group is restarted, and every member resumes from
# the same epoch with the bank's money intact. Builds what it needs first.
#
#   bash samples/bank.sh                       # state goes to ./bank-data (wiped first), or $BANK_DATA
#   RUN_SECONDS=10 ZK_PORT=21811 BANK_PORT=7101 bash samples/bank.sh
#   SKIP_BUILD=1 bash samples/bank.sh          # use what ./mvnw package built already
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

run_seconds=${RUN_SECONDS:-6}
zk_port=${ZK_PORT:-21811}
bank_port=${BANK_PORT:-7101}
data="${BANK_DATA:-$root/bank-data}"
agent="$root/agent/target/stasis-agent.jar"
classpath="$root/samples/target/classes:$root/agent/api/target/classes"
members="a=$bank_port,b=$((bank_port + 1)),c=$((bank_port + 2))"
opened=$((3 * 100 * 1000))
pids=()

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

stop_all() {
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    pids=()
}
trap 'stop_all; [ -n "${zk:-}" ] && kill "$zk" 2>/dev/null; true' EXIT

# Starts member $1 of the group; its output goes to bank-data/$1.log (appended).
start_member() {
    java "-javaagent:$agent=dir=$data/$1,interval=1s,group=bank,group.member=$1,group.size=3,group.zookeeper=127.0.0.1:$zk_port" \
        -cp "$classpath" io.stasis.samples.bank.BankMember --member="$1" --members="$members" >> "$data/$1.log" 2>&1 &
    pids+=($!)
}

# Waits until every member's log has at least $1 lines matching $2, for at most a minute.
await_lines() {
    for _ in $(seq 600); do
        local all=1
        for m in a b c; do
            [ "$(grep -c -- "$2" "$data/$m.log" 2>/dev/null)" -ge "$1" ] || all=0
        done
        [ "$all" = 1 ] && return 0
        sleep 0.1
    done
    echo "no '$2' in every member's log after a minute; see $data/*.log" >&2
    return 1
}

if [ -z "${SKIP_BUILD:-}" ]; then
say "Building the agent and the sample (./mvnw package, tests skipped; a minute or two on a first run)"
mkdir -p target
if ! ./mvnw -B package -DskipTests 2>&1 | tee target/bank-build.log \
        | grep --line-buffered -E '^\[INFO\] Building Stasis|BUILD|ERROR' | sed 's/^\[INFO\] /   /'; then
    echo "the build failed; its whole output is in $root/target/bank-build.log" >&2
    exit 1
fi
fi

rm -rf "$data"
mkdir -p "$data/zookeeper"
say "ZooKeeper on 127.0.0.1:$zk_port (the group's coordination service)"
cat > "$data/zoo.cfg" <<EOF
tickTime=1000
dataDir=$data/zookeeper
clientPort=$zk_port
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=ruok
EOF
java -cp "$root/samples/target/zookeeper/*" org.apache.zookeeper.server.ZooKeeperServerMain "$data/zoo.cfg" \
    > "$data/zookeeper.log" 2>&1 &
zk=$!
for _ in $(seq 300); do
    if { exec 3<>"/dev/tcp/127.0.0.1/$zk_port"; } 2>/dev/null; then
        printf ruok >&3
        # A server still starting can take the connection and never answer: the read is bounded.
        answer=$(timeout 2 cat <&3 || true)
        exec 3<&-
        [ "$answer" = imok ] && break
    fi
    sleep 0.2
done
[ "${answer:-}" = imok ] || { echo "ZooKeeper did not start; see $data/zookeeper.log" >&2; exit 1; }

say "Run 1: members a, b and c send money to each other; the group cuts an epoch every second"
for m in a b c; do start_member "$m"; done
sleep "$run_seconds"
await_lines 2 "committed: snapshot"
for m in a b c; do grep "committed: snapshot" "$data/$m.log" | tail -1 | sed 's/^/   /'; done

say "kill -9 member b mid-flight, then the rest of the group: it restarts together"
kill -9 "${pids[1]}"
wait "${pids[1]}" 2>/dev/null || true
sleep 0.5
stop_all

say "Run 2: the same commands; every member restores the same epoch"
for m in a b c; do start_member "$m"; done
await_lines 2 "^state "  # the second start's
for m in a b c; do grep "restoring epoch\|not restoring" "$data/$m.log" | tail -1 | sed 's/^/   /'; done
say "The money, as restored: balances, plus transfers in outboxes their receiver had not applied"
if java -cp "$classpath" io.stasis.samples.bank.BankTotal "$opened" "$data/a.log" "$data/b.log" "$data/c.log"; then
    sleep 2
    stop_all
    say "What this showed"
    cat <<EOF
   - three JVMs took their snapshots at one cut: no member captured while another was inside a unit
     of work, and an epoch counted only once every member's snapshot was durable;
   - after kill -9 of one member and a restart of the group, every member restored the same epoch,
     and no transfer was lost or counted twice: outboxes are sent again, receivers skip duplicates;
   - the epochs and their members are in ZooKeeper under /stasis/groups/bank; each member's
     snapshots: java -jar $agent list --dir $data/a
EOF
else
    echo "the bank's money did not add up after the restore (see above)" >&2
    exit 1
fi
