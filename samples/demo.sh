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

say "Building the agent and the sample (./mvnw package, tests skipped; a minute or two on a first run)"
# One line per module as it starts, so a first build is not minutes of silence; the rest in a log.
mkdir -p target
if ! ./mvnw -B package -DskipTests 2>&1 | tee target/demo-build.log \
        | grep --line-buffered -E '^\[INFO\] Building Stasis|BUILD|ERROR' | sed 's/^\[INFO\] /   /'; then
    echo "the build failed; its whole output is in $root/target/demo-build.log" >&2
    exit 1
fi

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
if java "-javaagent:$agent=dir=$data,on-exit=false" -cp "$classpath" io.stasis.samples.ledger.LedgerApp \
     --accounts=10000 --verify; then
    say "What this showed"
    cat <<EOF
   - kill -9 lost nothing that was committed: run 2 went on from the last snapshot run 1 left, with
     the same total money (no transfer half-applied: snapshots are cut only between units of work);
   - an orderly shutdown took a final snapshot, and run 3 restored it and checked every invariant;
   - the ledger's code has no save or load calls: @Checkpointed fields, @QuiescePoint methods, and
     the agent on the command line. The snapshots: java -jar $agent list --dir $data
EOF
else
    echo "the ledger's invariants did not hold after the restore (see above)" >&2
    exit 1
fi
