#!/usr/bin/env bash
# 'stasis-agent.jar decrypt' against the stock age tool on one large file: MB of random bytes,
# encrypted by age to a fresh key, then decrypted RUNS times by each, alternately, to a new file.
# Wall-clock (elapsed) and CPU (user + sys) times as /usr/bin/time reports them; the outputs are
# compared byte for byte. Needs age, age-keygen and /usr/bin/time; builds nothing: run
# `./mvnw -B -q package -DskipTests` first.
#
#   bash benchmarks/decrypt.sh [MB] [RUNS]          (default: 200 MB, 3 runs)
#
# Environment: STASIS_BENCH_JDKS  space-separated JDK homes
#              (default: /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64)
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
MB=${1:-200}
RUNS=${2:-3}
JDKS=${STASIS_BENCH_JDKS:-/usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64}
JAR=$PWD/agent/target/stasis-agent.jar
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
chmod 700 "$WORK"
age-keygen -o "$WORK/key.txt" 2>/dev/null
head -c $((MB * 1000 * 1000)) /dev/urandom > "$WORK/plain"
age -r "$(grep -o 'age1[0-9a-z]*' "$WORK/key.txt" | head -1)" -o "$WORK/file.age" "$WORK/plain"
echo "$(age --version 2>&1 | head -1) age, $MB MB, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq "$RUNS"); do
    rm -f "$WORK/out.age-d"
    /usr/bin/time -f "age -d                run $run: %e s elapsed, %U s user, %S s sys" \
        age -d -i "$WORK/key.txt" -o "$WORK/out.age-d" "$WORK/file.age"
    cmp -s "$WORK/plain" "$WORK/out.age-d"
    for jdk in $JDKS; do
        rm -f "$WORK/out.zip"
        /usr/bin/time -f "decrypt (JDK $(basename "$jdk")) run $run: %e s elapsed, %U s user, %S s sys" \
            "$jdk/bin/java" -jar "$JAR" decrypt "$WORK/file.age" -i "$WORK/key.txt" -o "$WORK/out.zip" > /dev/null
        cmp -s "$WORK/plain" "$WORK/out.zip"
    done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
