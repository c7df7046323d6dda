#!/usr/bin/env bash
# Time to first HTTP response of a Spring Boot web service (benchmarks/images/spring-web): an
# ordinary start, a start with a JDK 25 AOT cache trained with the agent (when JAVA is 25 or later),
# and restore-image of an image taken once it had served, plain and encrypted. Run as root from the
# project's root after ./mvnw -B install -DskipTests and crac-integration/scripts/install-criu.sh.
# Usage: benchmarks/images/spring.sh [RUNS] [JAVA]
set -euo pipefail
RUNS=${1:-5}
JAVA=${2:-java}
PORT=18080
AGENT=$PWD/agent/target/stasis-agent.jar
WORK=$(mktemp -d)
trap 'pkill -f "$WORK/spring-web.jar" || true; rm -rf "$WORK"' EXIT

# The versions the Stasis build pins.
version() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" pom.xml | head -1; }
VERSIONS=(-Dspring-boot.version="$(version spring-boot.version)" -Dcompiler-plugin.version="$(version compiler-plugin.version)"
    -Djar-plugin.version="$(version jar-plugin.version)")
cp -r benchmarks/images/spring-web "$WORK/src"
(cd "$WORK/src" && "$OLDPWD/mvnw" -B -q package "${VERSIONS[@]}")
cp "$WORK/src/target/spring-web.jar" "$WORK/spring-web.jar"
APP=(-javaagent:"$AGENT"=dir="$WORK/data" -jar "$WORK/spring-web.jar" --server.port=$PORT)

# Milliseconds from launching "$@" until http://localhost:PORT/hello answers 200; the service is then stopped.
first_response() {
    local t0 pid
    t0=$(date +%s%N)
    "$@" > "$WORK/out" 2>&1 &
    pid=$!
    until curl -sf "localhost:$PORT/hello" > "$WORK/response"; do
        if ! kill -0 "$pid" 2>/dev/null; then echo "ended before its first response: $*" >&2; cat "$WORK/out" >&2; exit 1; fi
        sleep 0.005
    done
    echo $(( ($(date +%s%N) - t0) / 1000000 ))
    pkill -f "$WORK/spring-web.jar" || true
    wait "$pid" 2>/dev/null || true
    sleep 0.5
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
report() { echo "$1 (ms): $(tr '\n' ' ' < "$WORK/$2")-> median $(median < "$WORK/$2")"; }

echo "JDK: $("$JAVA" -version 2>&1 | head -1)"
for i in $(seq "$RUNS"); do first_response "$JAVA" "${APP[@]}"; done > "$WORK/cold"
report "ordinary start, first response" cold

if "$JAVA" -XX:AOTCache=/dev/null -version > /dev/null 2>&1 || [ "$("$JAVA" -XX:+PrintFlagsFinal -version 2>/dev/null | grep -c AOTCacheOutput)" -gt 0 ]; then
    # Trained with the agent: the JDK refuses a cache trained without -javaagent once one is added.
    "$JAVA" -XX:AOTCacheOutput="$WORK/app.aot" "${APP[@]}" > "$WORK/train.out" 2>&1 &
    until curl -sf "localhost:$PORT/hello" > /dev/null; do sleep 0.05; done
    for i in $(seq 50); do curl -s "localhost:$PORT/item/$i" > /dev/null; done
    pkill -f "$WORK/spring-web.jar"; wait || true
    for i in $(seq "$RUNS"); do first_response "$JAVA" -XX:AOTCache="$WORK/app.aot" "${APP[@]}"; done > "$WORK/aot"
    report "start with the AOT cache, first response" aot
fi

# Images the service, once it has served 50 items, into $1, with any further arguments passed to image.
take_image() {
    local dir=$1
    shift
    rm -rf "$WORK/data"
    setsid "$JAVA" "${APP[@]}" > "$WORK/app.out" 2>&1 &
    until curl -sf "localhost:$PORT/hello" > /dev/null; do sleep 0.05; done
    for i in $(seq 50); do curl -s "localhost:$PORT/item/$i" > /dev/null; done
    "$JAVA" -jar "$AGENT" image "$(pgrep -f "$WORK/spring-web.jar")" --dir "$dir" "$@" | tail -1
}

take_image "$WORK/image"
for i in $(seq "$RUNS"); do first_response "$JAVA" -jar "$AGENT" restore-image "$WORK/image" --no-fallback; done > "$WORK/warm"
report "restore-image, first response" warm
echo "its answer: $(cat "$WORK/response")"

RECIPIENT=$("$JAVA" -jar "$AGENT" keygen -o "$WORK/key.txt" | sed -n 's/^Public key: //p')
take_image "$WORK/sealed" --recipient "$RECIPIENT"
for i in $(seq "$RUNS"); do
    first_response "$JAVA" -jar "$AGENT" restore-image "$WORK/sealed" --no-fallback --identity "$WORK/key.txt"
done > "$WORK/sealed-warm"
report "restore-image of the encrypted image, first response" sealed-warm
