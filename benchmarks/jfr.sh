#!/usr/bin/env bash
# The gate and checkpoint benchmarks without JFR, with a recording whose settings leave the Stasis
# events out, and with a recording of the JDK's default settings (the Stasis events on, as they
# are by default; io.stasis.QuiesceWait above 10 ms). Target: no difference within the error while
# no recording asks for our events.
#
# Builds nothing: run `./mvnw -B -q package -DskipTests` first.
#
#   bash benchmarks/jfr.sh [JMH options]     (default: -f 2 -wi 3 -i 5 -w 1s -r 1s)
#
# Environment: STASIS_BENCH_JDKS  space-separated JDK homes (default: JDK 17)
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

JAR=benchmarks/target/benchmarks.jar
if [[ ! -f $JAR ]]; then
    echo "jfr.sh: build first: ./mvnw -B -q package -DskipTests" >&2
    exit 2
fi
JDKS=${STASIS_BENCH_JDKS:-/usr/lib/jvm/java-17-openjdk-amd64}
if [[ $# -gt 0 ]]; then OPTIONS=("$@"); else OPTIONS=(-f 2 -wi 3 -i 5 -w 1s -r 1s); fi
OFF=""
for event in Checkpoint CheckpointWrite Restore QuiesceWait Incident Image; do
    OFF+=",+io.stasis.$event#enabled=false"
done
BENCHMARKS='QuiesceGateBenchmark.(plainCall|quiesceGate)_1thread|CheckpointPauseBenchmark.checkpoint$'

for jdk in $JDKS; do
    for mode in none stasis-off default; do
        case $mode in
            none) jvm=() ;;
            stasis-off) jvm=(-jvmArgsAppend "-XX:StartFlightRecording=settings=default$OFF") ;;
            default) jvm=(-jvmArgsAppend "-XX:StartFlightRecording=settings=default") ;;
        esac
        echo "== $jdk, JFR: $mode"
        "$jdk/bin/java" -jar "$JAR" "$BENCHMARKS" -p stateMb=1 "${OPTIONS[@]}" "${jvm[@]}" 2>&1 \
            | grep -E '^(Benchmark|QuiesceGate|CheckpointPause)|p0.50|# pause' || true
    done
done
