#!/usr/bin/env bash
# Start-up overhead of the agent: whole-process wall time and time to main(), with and without
# -javaagent, for a trivial application (HelloMain) and one with @Checkpointed state that the agent
# instruments, restores at start-up and captures at exit (CheckpointedMain), on each JDK.
#
# Builds nothing: run `mvn -B -q package -DskipTests` first.
#
#   bash benchmarks/startup.sh [RUNS]        RUNS timed runs per variant (default 20)
#
# Environment: STASIS_BENCH_JDKS  space-separated JDK homes
#              (default: /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64)
#              STASIS_BENCH_CACHE  none (default); appcds: each variant runs with a static AppCDS
#              archive of the application's classes, from a class list of one run without the agent
#              (-XX:DumpLoadedClassList, then -Xshare:dump; a JDK dumps no archive with an agent
#              attached unless told to with a diagnostic flag), the agent's variant's made with
#              --add-modules=java.instrument as the user guide says (JDK 25 refuses the archive's
#              module graph otherwise); appcds-agent: as appcds, but the agent's variant runs with
#              the agent jar on the class path as well and its archive is made from a class list of
#              a run with the agent, so that it holds the agent's own classes too (the user guide's
#              recipe); aot: each variant runs with a JDK 24+ AOT cache trained
#              by a run of that variant (-XX:AOTMode=record, then create), since a cache trained
#              without the agent is refused once it is added; JDKs without AOT caches are skipped
#
# A third variant runs with an agent that does nothing (the start-up jar's own Premain-Class,
# EmptyAgent): the JVM's own cost of -javaagent, the floor Stasis starts from; its time to main and
# CPU time are printed after the table (cached runs give it no archive or cache of its own, so it is left out).
#
# Runs alternate (without, with, with, without, ...) so that drift on a shared machine hits both
# variants alike; two untimed warm-up runs of each variant come first (page cache, and the first
# snapshot, so that every timed run of CheckpointedMain with the agent restores one). The agent
# runs with its defaults apart from dir (a fresh temporary directory per JDK and application), so
# on-exit=true: the whole-process time includes the exit snapshot, written and fsynced.
# Times are medians, with the interquartile range (25th-75th percentile) in brackets.
# "to main" is measured inside the JVM, from the JVM's recorded start time to
# the first line of main(), in whole milliseconds.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

RUNS=${1:-20}
CACHE=${STASIS_BENCH_CACHE:-none}
case $CACHE in none|appcds|appcds-agent|aot) ;; *) echo "startup.sh: STASIS_BENCH_CACHE must be none, appcds, appcds-agent or aot" >&2; exit 2 ;; esac
JDKS=${STASIS_BENCH_JDKS:-/usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64}
AGENT=agent/target/stasis-agent.jar
APPS_JAR=$(ls benchmarks/target/stasis-benchmarks-*-startup.jar 2>/dev/null | head -1 || true)
API_JAR=agent/api/target/stasis-api.jar
if [[ ! -f $AGENT || -z $APPS_JAR || ! -f $API_JAR ]]; then
    echo "startup.sh: build first: mvn -B -q package -DskipTests (missing $AGENT, the startup jar or the API jar)" >&2
    exit 2
fi
CP="$APPS_JAR:$API_JAR"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/stasis-startup.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }

# stats: reads numbers, prints "median p25 p75" (linear interpolation between order statistics)
stats() {
    sort -n | awk '
        function q(p,   h, i) { h = (NR - 1) * p + 1; i = int(h); return i >= NR ? v[NR] : v[i] + (h - i) * (v[i + 1] - v[i]) }
        { v[NR] = $1 }
        END { printf "%.1f %.1f %.1f\n", q(0.5), q(0.25), q(0.75) }'
}

# cache_options VARIANT APP: the JVM options that use the variant's archive or cache, if any
cache_options() {
    case $CACHE in
        appcds|appcds-agent) echo "-XX:SharedArchiveFile=$WORK/$1-$2.jsa" ;;
        aot) echo "-XX:AOTCache=$WORK/$1-$2.aot" ;;
    esac
}

# class_path VARIANT: the class path the variant runs with
class_path() {
    if [[ $CACHE == appcds-agent && $1 == with ]]; then echo "$CP:$AGENT"; else echo "$CP"; fi
}

# train JAVA APP VARIANT DATA: makes the variant's archive or cache with a run of its own
train() {
    local java=$1 app=$2 variant=$3 data=$4 agent_opt=() cp
    cp=$(class_path "$variant")
    [[ $variant == with ]] && agent_opt=("-javaagent:$AGENT=dir=$data")
    local main=("${agent_opt[@]}" -cp "$cp" "io.stasis.benchmarks.startup.$app") modules=() listed=()
    [[ $variant == with ]] && modules=(--add-modules=java.instrument)
    # appcds lists the classes of a run without the agent; appcds-agent of a run with it
    if [[ $CACHE == appcds-agent ]]; then listed=("${main[@]}"); else listed=(-cp "$cp" "io.stasis.benchmarks.startup.$app"); fi
    case $CACHE in
        appcds|appcds-agent) "$java" "${modules[@]}" -XX:DumpLoadedClassList="$WORK/$variant-$app.lst" \
                    "${listed[@]}" >/dev/null 2>"$WORK/train.err" &&
                "$java" "${modules[@]}" -Xshare:dump -XX:SharedClassListFile="$WORK/$variant-$app.lst" \
                    -XX:SharedArchiveFile="$WORK/$variant-$app.jsa" -cp "$cp" >/dev/null 2>>"$WORK/train.err" ;;
        aot) "$java" -XX:AOTMode=record -XX:AOTConfiguration="$WORK/$variant-$app.aotconf" "${main[@]}" >/dev/null 2>"$WORK/train.err" &&
             "$java" -XX:AOTMode=create -XX:AOTConfiguration="$WORK/$variant-$app.aotconf" \
                 -XX:AOTCache="$WORK/$variant-$app.aot" "${main[@]}" >/dev/null 2>>"$WORK/train.err" ;;
    esac || { echo "startup.sh: training $app ($variant agent, $CACHE) failed:" >&2; cat "$WORK/train.err" >&2; exit 1; }
}

# run JAVA APP VARIANT DATA: one JVM; appends "wall_us to_main_ms cpu_ms" to $WORK/VARIANT.times
run() {
    local java=$1 app=$2 variant=$3 data=$4 agent_opt=() cache_opt=() start end TIMEFORMAT='%3U %3S'
    [[ $variant == with ]] && agent_opt=("-javaagent:$AGENT=dir=$data")
    [[ $variant == empty ]] && agent_opt=("-javaagent:$APPS_JAR")
    [[ $CACHE != none ]] && cache_opt=("$(cache_options "$variant" "$app")")
    start=$(now_us)
    # bash's time keyword: user and system CPU seconds of the JVM, all its threads
    if ! { time "$java" "${cache_opt[@]}" "${agent_opt[@]}" -cp "$(class_path "$variant")" "io.stasis.benchmarks.startup.$app" >"$WORK/out" 2>"$WORK/err"; } 2>"$WORK/cpu"; then
        echo "startup.sh: $app ($variant agent) failed on $java:" >&2
        cat "$WORK/out" "$WORK/err" >&2
        exit 1
    fi
    end=$(now_us)
    if grep -q '\[stasis\] ERROR' "$WORK/err"; then
        echo "startup.sh: the agent reported an error:" >&2
        cat "$WORK/err" >&2
        exit 1
    fi
    local to_main
    to_main=$(sed -n 's/^toMainMs=\([0-9]*\).*/\1/p' "$WORK/out")
    echo "$((end - start)) $to_main $(awk '{ printf "%.0f", ($1 + $2) * 1000 }' "$WORK/cpu")" >>"$WORK/$variant.times"
    cp "$WORK/out" "$WORK/$variant.lastout"
    cp "$WORK/err" "$WORK/$variant.lasterr"
}

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
echo "machine: $(nproc) CPUs, ${cpu:-unknown CPU}, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "runs per variant: $RUNS (after 2 untimed warm-up runs each), alternating; class cache: $CACHE"
echo
printf '%-4s %-17s %-20s %-20s %8s %7s   %-18s %-18s %8s   %-18s %-18s %7s\n' \
    JDK app "wall, no agent" "wall, agent" "diff" ratio "to main, no agent" "to main, agent" "diff" \
    "CPU, no agent" "CPU, agent" ratio
printf '%-4s %-17s %-20s %-20s %8s %7s   %-18s %-18s %8s   %-18s %-18s %7s\n' \
    "" "" "ms [IQR]" "ms [IQR]" "ms" "" "ms [IQR]" "ms [IQR]" "ms" "ms [IQR]" "ms [IQR]" ""

notes=()
for home in $JDKS; do
    java="$home/bin/java"
    if [[ ! -x $java ]]; then
        echo "startup.sh: no JDK at $home, skipped" >&2
        continue
    fi
    feature=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.version = \([0-9]*\).*/\1/p')
    if [[ $CACHE == aot && $feature -lt 24 ]]; then
        echo "startup.sh: JDK $feature has no AOT cache, skipped" >&2
        continue
    fi
    version=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')
    for app in HelloMain CheckpointedMain; do
        data="$WORK/data-$feature-$app"
        rm -f "$WORK/without.times" "$WORK/with.times" "$WORK/empty.times"
        if [[ $CACHE != none ]]; then
            train "$java" "$app" without "$data"
            train "$java" "$app" with "$data"
        fi
        for _ in 1 2; do
            run "$java" "$app" without "$data"
            run "$java" "$app" with "$data"
        done
        rm -f "$WORK/without.times" "$WORK/with.times" "$WORK/empty.times"
        for ((i = 1; i <= RUNS; i++)); do
            if ((i % 2)); then
                run "$java" "$app" without "$data"
                [[ $CACHE == none ]] && run "$java" "$app" empty "$data"
                run "$java" "$app" with "$data"
            else
                run "$java" "$app" with "$data"
                [[ $CACHE == none ]] && run "$java" "$app" empty "$data"
                run "$java" "$app" without "$data"
            fi
        done
        w0=$(awk '{ print $1 / 1000 }' "$WORK/without.times" | stats)
        w1=$(awk '{ print $1 / 1000 }' "$WORK/with.times" | stats)
        m0=$(awk '{ print $2 }' "$WORK/without.times" | stats)
        m1=$(awk '{ print $2 }' "$WORK/with.times" | stats)
        c0=$(awk '{ print $3 }' "$WORK/without.times" | stats)
        c1=$(awk '{ print $3 }' "$WORK/with.times" | stats)
        awk -v jdk="$feature" -v app="$app" -v w0="$w0" -v w1="$w1" -v m0="$m0" -v m1="$m1" -v c0="$c0" -v c1="$c1" 'BEGIN {
            split(w0, a); split(w1, b); split(m0, c); split(m1, d); split(c0, e); split(c1, f)
            printf "%-4s %-17s %-20s %-20s %+8.1f %6.2fx   %-18s %-18s %+8.1f   %-18s %-18s %6.2fx\n", jdk, app,
                sprintf("%.1f [%.1f-%.1f]", a[1], a[2], a[3]), sprintf("%.1f [%.1f-%.1f]", b[1], b[2], b[3]), b[1] - a[1], b[1] / a[1],
                sprintf("%.1f [%.1f-%.1f]", c[1], c[2], c[3]), sprintf("%.1f [%.1f-%.1f]", d[1], d[2], d[3]), d[1] - c[1],
                sprintf("%.1f [%.1f-%.1f]", e[1], e[2], e[3]), sprintf("%.1f [%.1f-%.1f]", f[1], f[2], f[3]), f[1] / e[1]
        }'
        if [[ $CACHE == none ]]; then
            me=$(awk '{ print $2 }' "$WORK/empty.times" | stats)
            ce=$(awk '{ print $3 }' "$WORK/empty.times" | stats)
            notes+=("JDK $feature $app, an agent that does nothing: to main $(echo "$me" | awk '{ printf "%.1f ms [%.1f-%.1f]", $1, $2, $3 }'), CPU $(awk -v e="$ce" -v n="$c0" 'BEGIN { split(e, a); split(n, b); printf "%.1f ms [%.1f-%.1f], %.2fx of no agent", a[1], a[2], a[3], a[1] / b[1] }')")
        fi
        if [[ $app == CheckpointedMain ]]; then
            notes+=("JDK $version, CheckpointedMain with the agent, last run: $(tr -d '\n' <"$WORK/with.lastout");" \
                    "  $(grep -c 'restoring from snapshot' "$WORK/with.lasterr") restore line(s), $(grep -c 'committed (exit)' "$WORK/with.lasterr") exit snapshot(s) in its log")
        fi
    done
done
echo
printf '%s\n' "${notes[@]}"
