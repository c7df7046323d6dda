#!/usr/bin/env bash
# The Stasis demo: a bank ledger under the agent is killed with kill -9 mid-flight and carries on
# from its last snapshot, its total money intact. Builds what it needs first.
#
#   bash samples/demo.sh            # state goes to ./demo-data (wiped first)
#   RUN_SECONDS=10 bash samples/demo.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

run_seconds=${RUN_SECONDS:-5}
data="$root/demo-data"
agent="$root/agent/target/stasis-agent.jar"
classpath="$root/samples/target/classes:$root/agent/api/target/classes"
app=(java "-javaagent:$agent=dir=$data,interval=1s" -cp "$classpath" io.stasis.samples.ledger.LedgerApp
     --accounts=10000 --threads=4)

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# Waits until the store holds at least $1 snapshots: on a busy machine the first checkpoint comes late.
await_snapshots() {
    for _ in $(seq 300); do
        [ "$(ls "$data/manifests" 2>/dev/null | grep -c '\.json$')" -ge "$1" ] && return 0
        sleep 0.2
    done
    echo "no snapshot after 60 s" >&2
    return 1
}

say "Building the agent and the sample (./mvnw package, tests skipped)"
./mvnw -B -q package -DskipTests

rm -rf "$data"
say "Run 1: four tellers move money between 10,000 accounts; the agent checkpoints every second"
"${app[@]}" &
pid=$!
sleep "$run_seconds"
await_snapshots 2
say "kill -9 $pid, mid-flight"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true

say "The snapshots it left in $data"
java -jar "$agent" list --dir "$data"

say "Run 2: the same command; the ledger resumes from the last snapshot"
"${app[@]}" &
pid=$!
sleep "$run_seconds"
say "kill $pid (orderly shutdown: the agent takes a final snapshot)"
kill "$pid"
wait "$pid" 2>/dev/null || true

say "Run 3: resumes from the exit snapshot, checks the invariants, and stops"
java "-javaagent:$agent=dir=$data,on-exit=false" -cp "$classpath" io.stasis.samples.ledger.LedgerApp \
     --accounts=10000 --verify
