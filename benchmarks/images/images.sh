#!/usr/bin/env bash
# Time to first operation: an ordinary start of WarmService against restore-image of an image taken
# once it had warmed up. Run as root from the project's root after ./mvnw -B install -DskipTests and
# crac-integration/scripts/install-criu.sh. Usage: benchmarks/images/images.sh [RUNS] [JAVA]
set -euo pipefail
RUNS=${1:-5}
JAVA=${2:-java}
AGENT=$PWD/agent/target/stasis-agent.jar
WORK=$(mktemp -d)
trap 'pkill -f "WarmService" || true; rm -rf "$WORK"' EXIT
cp benchmarks/images/WarmService.java "$WORK/"
"$(dirname "$(readlink -f "$(command -v "$JAVA")")")/javac" -d "$WORK" "$WORK/WarmService.java"
START=("$JAVA" -XX:-UsePerfData -javaagent:"$AGENT"=dir="$WORK/data" -cp "$WORK" WarmService)

# Milliseconds from launching "$@" until it prints its first "op" line; the process is then stopped.
first_op() {
    local t0 pid
    t0=$(date +%s%N)
    "$@" > "$WORK/out" 2>&1 &
    pid=$!
    until grep -q '^op ' "$WORK/out" 2>/dev/null; do
        if ! kill -0 "$pid" 2>/dev/null; then echo "ended before its first operation: $*" >&2; cat "$WORK/out" >&2; exit 1; fi
        sleep 0.002
    done
    echo $(( ($(date +%s%N) - t0) / 1000000 ))
    pkill -f WarmService || true
    wait "$pid" 2>/dev/null || true
    sleep 0.5
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "JDK: $("$JAVA" -version 2>&1 | head -1)"
for i in $(seq "$RUNS"); do first_op "${START[@]}"; done > "$WORK/cold"
echo "ordinary start, first operation (ms): $(tr '\n' ' ' < "$WORK/cold")-> median $(median < "$WORK/cold")"

# Images a warmed-up WarmService into $1, with any further arguments passed to the image command.
take_image() {
    local dir=$1
    shift
    rm -rf "$WORK/data"
    setsid "${START[@]}" > "$WORK/app.out" 2>&1 &
    until grep -q '^op ' "$WORK/app.out"; do sleep 0.01; done
    "$JAVA" -jar "$AGENT" image $! --dir "$dir" "$@" | tail -1
    du -sh "$dir" | cut -f1 | sed 's/^/image size: /'
}

take_image "$WORK/image"
# Alternated: the command as it is, and the command's JVM with a class-data-sharing archive of its
# own classes, made by one run first (the user guide's "A faster restore-image").
first_op "$JAVA" -XX:ArchiveClassesAtExit="$WORK/cli.jsa" -jar "$AGENT" restore-image "$WORK/image" --no-fallback > /dev/null
for i in $(seq "$RUNS"); do
    first_op "$JAVA" -jar "$AGENT" restore-image "$WORK/image" --no-fallback >> "$WORK/warm"
    first_op "$JAVA" -XX:SharedArchiveFile="$WORK/cli.jsa" -jar "$AGENT" restore-image "$WORK/image" --no-fallback \
        >> "$WORK/warm-cds"
done
echo "restore-image, first operation (ms): $(tr '\n' ' ' < "$WORK/warm")-> median $(median < "$WORK/warm")"
echo "restore-image with the command's own CDS archive (ms): $(tr '\n' ' ' < "$WORK/warm-cds")-> median $(median < "$WORK/warm-cds")"

RECIPIENT=$("$JAVA" -jar "$AGENT" keygen -o "$WORK/key.txt" | sed -n 's/^Public key: //p')
take_image "$WORK/sealed" --recipient "$RECIPIENT"
for i in $(seq "$RUNS"); do
    first_op "$JAVA" -jar "$AGENT" restore-image "$WORK/sealed" --no-fallback --identity "$WORK/key.txt"
done > "$WORK/sealed-warm"
echo "restore-image of the encrypted image, first operation (ms): $(tr '\n' ' ' < "$WORK/sealed-warm")-> median $(median < "$WORK/sealed-warm")"
