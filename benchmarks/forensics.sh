#!/usr/bin/env bash
# Forensics costs, measured on a stand-in service (benchmarks' ForensicsServiceMain: 64 idle pool
# threads, a cache of live objects, 10,000 entries of @Checkpointed state, two busy workers):
#
#   capture   time to capture one bundle without a heap dump (manual requests through
#             'stasis-agent.jar incident PID'; the first is a warm-up), as the agent logs it
#   storm     requests per second of the workers while 10,000 exceptions per second are reported to
#             the uncaught-exception handler for 30 s, with forensics=off and forensics=on
#   heap      one bundle with a full heap dump (forensics.heap-dump=on) of a heap holding about 1 GB
#
# Builds nothing: run `./mvnw -B -q package -DskipTests` first. The encryption throughput is a JMH
# benchmark: java -jar benchmarks/target/benchmarks.jar ForensicsEncryptionBenchmark
#
#   bash benchmarks/forensics.sh [capture|storm|heap|all] [RUNS]     (default: all, 3 runs)
#
# Environment: STASIS_BENCH_JDKS  space-separated JDK homes
#              (default: /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64)
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

WHAT=${1:-all}
RUNS=${2:-3}
JDKS=${STASIS_BENCH_JDKS:-/usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64}
AGENT=${STASIS_AGENT_JAR:-agent/target/stasis-agent.jar}
APPS_JAR=${STASIS_STARTUP_JAR:-$(ls benchmarks/target/stasis-benchmarks-*-startup.jar 2>/dev/null | head -1 || true)}
API_JAR=$(ls agent/api/target/stasis-api-*.jar 2>/dev/null | grep -v -e '-sources' -e '-javadoc' -e '-tests' | head -1 || true)
if [[ ! -f $AGENT || -z $APPS_JAR || -z $API_JAR ]]; then
    echo "forensics.sh: build first: ./mvnw -B -q package -DskipTests" >&2
    exit 2
fi
CP="$APPS_JAR:$API_JAR"
MAIN=io.stasis.benchmarks.startup.ForensicsServiceMain
WORK=$(mktemp -d "${TMPDIR:-/tmp}/stasis-forensics.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

java -jar "$AGENT" keygen -o "$WORK/key.txt" >/dev/null
RECIPIENT=$(sed -n 's/^# public key: //p' "$WORK/key.txt")

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

await() { # await FILE TEXT
    for _ in $(seq 1 600); do grep -q "$2" "$1" && return 0; sleep 0.2; done
    echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; return 1
}

capture() { # capture JDK_HOME
    local java=$1/bin/java dir=$WORK/capture-$RANDOM
    "$java" -Xmx2g -javaagent:"$AGENT"=dir=$dir,on-exit=false,forensics=on,forensics.recipients=$RECIPIENT,forensics.window=1s \
        -cp "$CP" $MAIN serve 200 > "$dir.log" 2>&1 &
    local pid=$!
    await "$dir.log" "forensics active"; await "$dir.log" serving
    for i in $(seq 0 "$RUNS"); do
        "$java" -jar "$AGENT" incident $pid --reason "run $i" >/dev/null
    done
    kill $pid; wait $pid 2>/dev/null || true
    local times sizes
    times=$(grep -o 'manual captured in .* bytes, [0-9]* ms' "$dir.log" | tail -n +2 | sed 's/.* \([0-9]*\) ms/\1/')
    sizes=$(grep -o '([0-9]* bytes' "$dir.log" | tail -n +2 | tr -d '(' | awk '{print $1}')
    echo "capture $("$java" -version 2>&1 | head -1): first $(grep -o 'bytes, [0-9]* ms' "$dir.log" | head -1 | awk '{print $2}') ms;" \
        "then median $(echo "$times" | median) ms (runs: $(echo $times)), bundle median $(echo "$sizes" | median) bytes"
}

storm() { # storm JDK_HOME
    local java=$1/bin/java off=() on=()
    for i in $(seq 1 "$RUNS"); do
        for mode in off on; do
            local dir=$WORK/storm-$mode-$i opts
            opts="dir=$dir,on-exit=false,forensics=$mode"
            [[ $mode == on ]] && opts="$opts,forensics.recipients=$RECIPIENT"
            local line
            line=$("$java" -Xmx1g -javaagent:"$AGENT"=$opts -cp "$CP" $MAIN storm 100 10000 30 2>"$dir.err" | grep 'storm reported=')
            local rps=${line##*requests-per-second=}
            [[ $mode == on ]] && on+=("$rps") || off+=("$rps")
            echo "  storm $mode run $i: $line; bundles: $(ls "$dir/forensics" 2>/dev/null | grep '\.age$' \
                | sed 's/.*Z-\(.*\)-[0-9]*\.age$/\1/' | sort | uniq -c | tr -s ' \n' ' ' || true)"
        done
    done
    local m_off m_on
    m_off=$(printf '%s\n' "${off[@]}" | median); m_on=$(printf '%s\n' "${on[@]}" | median)
    echo "storm $("$java" -version 2>&1 | head -1): requests/s median off $m_off, on $m_on:" \
        "$(awk -v a="$m_off" -v b="$m_on" 'BEGIN {printf "%+.1f %%", (b - a) * 100 / a}')"
}

heap() { # heap JDK_HOME
    local java=$1/bin/java dir=$WORK/heap-$RANDOM
    "$java" -Xmx3g -javaagent:"$AGENT"=dir=$dir,on-exit=false,forensics=on,forensics.recipients=$RECIPIENT,forensics.heap-dump=on,forensics.disk-budget=8g \
        -cp "$CP" $MAIN serve 1000 > "$dir.log" 2>&1 &
    local pid=$!
    await "$dir.log" "forensics active"; await "$dir.log" serving
    local start=$EPOCHREALTIME
    "$java" -jar "$AGENT" incident $pid --reason heap >/dev/null
    local end=$EPOCHREALTIME
    kill $pid; wait $pid 2>/dev/null || true
    age -d -i "$WORK/key.txt" -o "$dir.zip" "$dir"/forensics/*.age
    echo "heap $("$java" -version 2>&1 | head -1): $(grep -o 'manual captured in .*' "$dir.log" | sed 's/.*(\(.*\)).*/\1/');" \
        "incident command end to end $(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f s", b - a}');" \
        "heap.hprof $(unzip -l "$dir.zip" | awk '$4=="heap.hprof" {print $1}') bytes in the archive"
    rm -rf "$dir" "$dir.zip"
}

for jdk in $JDKS; do
    [[ $WHAT == all || $WHAT == capture ]] && capture "$jdk"
    [[ $WHAT == all || $WHAT == storm ]] && storm "$jdk"
    [[ $WHAT == all || $WHAT == heap ]] && heap "$jdk"
done
