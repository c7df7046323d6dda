#!/usr/bin/env bash
# A group of three JVMs (the bank sample's members, samples/bank.sh) coordinated through a real
# ZooKeeper on loopback: the pause of a coordinated checkpoint (an epoch: drain, the barrier across
# the three members, capture) against an uncoordinated one (drain, capture) on the same member in
# the same run, and the time to restart the group of three.
#
# Builds nothing: run `./mvnw -B -q package -DskipTests` first.
#
#   bash benchmarks/group.sh [EPOCHS] [RESTARTS]     defaults: 40 epochs, 7 restarts
#
# Pauses: the agent's own figure, from its log lines on member a ("epoch N committed: … pause X ms"
# and, for the uncoordinated ones taken with `checkpoint PID` between epochs, "checkpoint N committed
# (local): … pause X ms"); medians with the interquartile range. Restart: from launching the three
# JVMs (after kill -9 of all three) until each has printed its restored state (the epoch agreed,
# read, applied), the slowest of the three; medians over RESTARTS.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

EPOCHS=${1:-40}
RESTARTS=${2:-7}
AGENT=agent/target/stasis-agent.jar
CP=samples/target/classes:agent/api/target/classes
if [[ ! -f $AGENT || ! -d samples/target/zookeeper ]]; then
    echo "group.sh: build first: ./mvnw -B -q package -DskipTests" >&2
    exit 2
fi
work=$(mktemp -d /tmp/stasis-group-bench.XXXXXX)
zk_port=$((20000 + RANDOM % 10000))
bank_port=$((30000 + RANDOM % 10000))
members="a=$bank_port,b=$((bank_port + 1)),c=$((bank_port + 2))"
pids=()
stop_members() {
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    pids=()
}
trap 'stop_members; kill "$zk" 2>/dev/null; rm -rf "$work"' EXIT

mkdir -p "$work/zookeeper"
printf 'tickTime=1000\ndataDir=%s\nclientPort=%s\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\nforceSync=%s\n' \
    "$work/zookeeper" "$zk_port" "${ZK_FORCE_SYNC:-yes}" > "$work/zoo.cfg"
java -cp "samples/target/zookeeper/*" org.apache.zookeeper.server.ZooKeeperServerMain "$work/zoo.cfg" \
    > "$work/zookeeper.log" 2>&1 &
zk=$!
sleep 2

start_members() {
    for m in a b c; do
        java "-javaagent:$AGENT=dir=$work/$m,interval=1s,group=bank,group.member=$m,group.size=3,group.zookeeper=127.0.0.1:$zk_port" \
            -cp "$CP" io.stasis.samples.bank.BankMember --member=$m --members="$members" >> "$work/$m.log" 2>&1 &
        pids+=($!)
    done
}
count() { grep -c -- "$1" "$2" 2>/dev/null || true; }
median_iqr() {  # numbers on stdin -> "median [q1-q3]"
    sort -n | awk '{v[NR]=$1} END {if (NR==0) {print "none"; exit} m=v[int((NR+1)/2)]; q1=v[int((NR+3)/4)]; q3=v[int((3*NR+1)/4)]; printf "%.2f ms [%.2f-%.2f] (n=%d)\n", m, q1, q3, NR}'
}

echo "== pauses: $EPOCHS epochs, with an uncoordinated checkpoint of member a between epochs"
start_members
a_pid=${pids[0]}
while [ "$(count 'epoch .* committed' "$work/a.log")" -lt "$EPOCHS" ]; do
    java -jar "$AGENT" checkpoint "$a_pid" --reason local > /dev/null 2>&1 || true
    sleep 0.3
done
coordinated=$(grep -o 'epoch [0-9]* committed: .* pause [0-9.]* ms' "$work/a.log" | sed 's/.*pause \([0-9.]*\) ms/\1/')
local_pauses=$(grep -o 'committed (local): .* pause [0-9.]* ms' "$work/a.log" | sed 's/.*pause \([0-9.]*\) ms/\1/')
echo "coordinated (epoch) pause, member a: $(echo "$coordinated" | median_iqr)"
echo "uncoordinated pause, member a:       $(echo "$local_pauses" | median_iqr)"
for m in b c; do
    echo "coordinated (epoch) pause, member $m: $(grep -o 'committed: .* pause [0-9.]* ms' "$work/$m.log" \
        | sed 's/.*pause \([0-9.]*\) ms/\1/' | median_iqr)"
done
echo "epochs aborted (all members' logs): $(cat "$work"/[abc].log | grep -c 'aborted' || true)"

echo "== group restarts: $RESTARTS"
times=()
for i in $(seq "$RESTARTS"); do
    stop_members
    for m in a b c; do : > "$work/$m.log"; done
    start=$(date +%s%N)
    start_members
    for m in a b c; do
        until grep -q '^state ' "$work/$m.log"; do sleep 0.01; done
    done
    times+=($(( ($(date +%s%N) - start) / 1000000 )))
    grep -h 'restoring epoch' "$work"/[abc].log | sed 's/.*\(member .*restoring epoch [0-9]*\).*/   \1/'
    while [ "$(count 'epoch .* committed' "$work/a.log")" -lt 2 ]; do sleep 0.1; done
done
echo "group restart, launch to every member's restored state: $(printf '%s\n' "${times[@]}" | median_iqr)"
