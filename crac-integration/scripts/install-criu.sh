#!/usr/bin/env bash
# install-criu.sh - install CRIU >= 4.2 for Stasis' CRIU image engine.
#
# Kernels >= 6.13 need CRIU >= 4.1 (older CRIU fails with
# "vdso: Unexpected rt vDSO area bounds"), and kernels >= 6.16 need CRIU >= 4.2
# for any process with a TCP socket, which every server has (4.1 fails with
# "sockets: Can't get 1:16 opt: Operation not supported"). Debian 12 (bookworm)
# ships CRIU 3.17 and Debian 13 (trixie) 4.1, so this script fetches criu and
# its whole shared library closure (including glibc) from Debian unstable (sid) with a
# *private* apt configuration, unpacks the .debs with dpkg-deb -x into
# PREFIX/root (nothing is dpkg-installed, the system's apt configuration and
# libraries are left alone) and writes PREFIX/bin/criu, a wrapper that starts
# criu through the unpacked dynamic loader with --library-path.
#
# If a usable criu >= 4.2 is installed by apt (e.g. on Debian 13), or the
# system's apt can install one, PREFIX/bin/criu is a symlink to it instead.
#
# Run `install-criu.sh --help` for options.
set -euo pipefail

PROG=install-criu
PREFIX=/opt/stasis-criu
MIN_VERSION=4.2
SUITE=sid
FORCE=0
USE_SYSTEM=1
WITH_CRIT=0
SELF_TEST=0

log() { printf '[%s] %s\n' "$PROG" "$*"; }
warn() { printf '[%s] WARNING: %s\n' "$PROG" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$PROG" "$*" >&2; exit 1; }

usage() {
  cat <<EOF
Usage: $0 [options]

Installs CRIU >= $MIN_VERSION into PREFIX and provides PREFIX/bin/criu.

  --prefix DIR     install prefix (default: $PREFIX)
  --suite NAME     Debian suite to take CRIU from when the system's is too
                   old (default: $SUITE); its mirror is the one the system's
                   apt sources already use
  --force          reinstall even if PREFIX/bin/criu already works
  --no-system      never use/link a criu installed by the system's apt
  --with-crit      also install crit (CRIU image tool) as PREFIX/bin/crit;
                   needs the system's python3-protobuf (installed with apt)
  --self-test      after installing, dump and restore a 'sleep' process, and
                   (with python3) one that listens on a TCP socket
  -h, --help       show this help

Must run as root. Re-running is cheap: when PREFIX/bin/criu already reports
a version >= $MIN_VERSION it is only re-checked.

Layout (unpacked install):
  PREFIX/bin/criu       wrapper: exec LOADER --library-path LIBS criu "\$@"
  PREFIX/bin/crit       (with --with-crit) crit on the system python3
  PREFIX/root/          the unpacked .debs (criu, glibc, libprotobuf-c, ...)
  PREFIX/MANIFEST       packages and versions that were unpacked
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; PREFIX=$2; shift 2 ;;
    --prefix=*) PREFIX=${1#--prefix=}; shift ;;
    --suite) [ $# -ge 2 ] || die "--suite needs a name"; SUITE=$2; shift 2 ;;
    --suite=*) SUITE=${1#--suite=}; shift ;;
    --force) FORCE=1; shift ;;
    --no-system) USE_SYSTEM=0; shift ;;
    --with-crit) WITH_CRIT=1; shift ;;
    --self-test) SELF_TEST=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

[ -n "$PREFIX" ] || die "--prefix must not be empty"
case "$PREFIX" in /*) ;; *) PREFIX="$(pwd)/$PREFIX" ;; esac
PREFIX=${PREFIX%/}
[ -n "$PREFIX" ] || die "refusing to install into /"

[ "$(id -u)" -eq 0 ] || die "must run as root (CRIU needs root to dump and restore; apt-get needs it too)"
[ "$(uname -s)" = Linux ] || die "CRIU only runs on Linux"
command -v dpkg >/dev/null || die "dpkg not found: this script supports Debian-based systems only"

CRIU="$PREFIX/bin/criu"
CRIT="$PREFIX/bin/crit"

# criu_version BIN -> prints "4.1.1" (empty if BIN does not run)
criu_version() {
  "$@" --version 2>/dev/null | sed -n 's/^Version: *//p' | head -n1
}
version_ok() { [ -n "$1" ] && dpkg --compare-versions "$1" ge "$MIN_VERSION"; }

# --- final verification (used by every path) --------------------------------
verify() {
  local v out rc
  log "verifying $CRIU"
  v=$(criu_version "$CRIU") || true
  [ -n "$v" ] || die "$CRIU --version does not run; re-run with --force"
  "$CRIU" --version | sed "s/^/[$PROG]   /"
  version_ok "$v" || die "$CRIU is version $v, need >= $MIN_VERSION; re-run with --force"

  log "running: $CRIU check"
  set +e; out=$("$CRIU" check 2>&1); rc=$?; set -e
  printf '%s\n' "$out" | sed "s/^/[$PROG]   /"
  # 'check' exits non-zero only if a feature needed for any dump/restore is
  # missing; that is fatal. Warnings such as "Can't keep kdat cache on
  # non-tempfs" (/run is not tmpfs) are harmless.
  [ "$rc" -eq 0 ] || die "'criu check' failed (exit $rc): this kernel lacks features CRIU needs"

  # Optional features: report, never fatal. On this project's machines only
  # mem_dirty_track (soft-dirty bits, CONFIG_MEM_SOFT_DIRTY) is missing; it is
  # only used by 'criu pre-dump' / --track-mem (incremental dumps).
  set +e; out=$("$CRIU" check --all 2>&1); rc=$?; set -e
  if [ "$rc" -eq 0 ]; then
    log "criu check --all: all optional kernel features present"
  else
    log "criu check --all reports missing optional features (not fatal for plain dump/restore):"
    printf '%s\n' "$out" | grep -E 'Warn|Error|missing|not supported|OFF' | sed "s/^/[$PROG]   /" || true
    if ! "$CRIU" check --feature mem_dirty_track >/dev/null 2>&1; then
      log "  -> no soft-dirty memory tracking: 'criu pre-dump' and --track-mem are unavailable; full dumps work"
    fi
  fi
  if [ -x "$CRIT" ]; then
    if "$CRIT" --help >/dev/null 2>&1; then log "crit available: $CRIT"; else warn "$CRIT does not run"; fi
  fi
}

# dump_and_restore NAME COMMAND...: dumps and restores a process running COMMAND.
dump_and_restore() {
  local name=$1 dir pid rc=0
  shift
  dir=$(mktemp -d /tmp/install-criu-selftest.XXXXXX)
  log "self-test: dump and restore $name (images in $dir)"
  # 9>&-: the child must not inherit the install lock (CRIU refuses to dump
  # tasks holding file locks unless --file-locks is given).
  # The process is its own session leader (so no --shell-job is needed) and the
  # child of a quiet bash that reaps it when 'criu dump' kills it: a dead but
  # unreaped task keeps its PID, and restore needs that PID free.
  pid=$(bash -c 'setsid "$@" </dev/null >/dev/null 2>&1 & echo $!; exec >&-; wait' _ "$@" 2>/dev/null 9>&- &)
  sleep 0.5
  if ! "$CRIU" dump -t "$pid" -D "$dir" -o dump.log >/dev/null 2>&1; then
    rc=1; warn "self-test dump failed; log: $dir/dump.log"; grep -E 'Error' "$dir/dump.log" >&2 || true
  fi
  sleep 0.1
  if kill -0 "$pid" 2>/dev/null; then
    [ $rc -ne 0 ] || { rc=1; warn "self-test: process still alive after dump"; }
    kill "$pid" 2>/dev/null || true
  fi
  if [ $rc -eq 0 ] && ! "$CRIU" restore -D "$dir" -d -o restore.log >/dev/null 2>&1; then
    rc=1; warn "self-test restore failed; log: $dir/restore.log"; grep -E 'Error' "$dir/restore.log" >&2 || true
  fi
  if [ $rc -eq 0 ]; then
    if kill -0 "$pid" 2>/dev/null; then kill "$pid"; log "self-test passed: $name (pid $pid restored)"; else rc=1; warn "self-test: pid $pid not running after restore"; fi
  fi
  kill "$pid" 2>/dev/null || true
  [ $rc -eq 0 ] || die "self-test failed: $name (images and logs kept in $dir)"
  rm -rf "$dir"
}

self_test() {
  dump_and_restore "a 'sleep' process" sleep 1000
  if command -v python3 >/dev/null 2>&1; then
    # What a server holds: a listening TCP socket (CRIU 4.1 cannot dump one on kernels >= 6.16).
    dump_and_restore "a process listening on TCP" python3 -c \
      'import socket, time; s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); time.sleep(1000)'
  else
    log "self-test: no python3, so no TCP listener was dumped"
  fi
}

finish() {
  verify
  [ "$SELF_TEST" -eq 0 ] || self_test
  log "done: use $CRIU"
  exit 0
}

mkdir -p "$PREFIX/bin"
# Serialise concurrent runs (e.g. parallel CI jobs) on the same prefix.
exec 9>"$PREFIX/.install.lock"
flock 9

# --- 1. already installed? ---------------------------------------------------
if [ "$FORCE" -eq 0 ] && [ -x "$CRIU" ]; then
  v=$(criu_version "$CRIU") || true
  if version_ok "$v" && { [ "$WITH_CRIT" -eq 0 ] || [ -x "$CRIT" ]; }; then
    log "CRIU $v already installed at $CRIU"
    finish
  fi
  log "existing $CRIU is not usable (version '${v:-none}'); reinstalling"
fi

link_system_criu() {
  local bin=$1 v=$2
  log "using system CRIU $v at $bin"
  ln -sfn "$bin" "$CRIU.tmp" && mv -Tf "$CRIU.tmp" "$CRIU"
  if [ "$WITH_CRIT" -eq 1 ]; then
    if command -v crit >/dev/null; then
      ln -sfn "$(command -v crit)" "$CRIT"
    else
      log "installing crit with the system's apt (python3-pycriu)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-pycriu >/dev/null \
        || die "apt-get install python3-pycriu failed"
      ln -sfn /usr/bin/crit "$CRIT"
    fi
  fi
  finish
}

# --- 2. a system criu that is new enough ------------------------------------
if [ "$USE_SYSTEM" -eq 1 ]; then
  for bin in /usr/sbin/criu /usr/bin/criu; do
    [ -x "$bin" ] || continue
    v=$(criu_version "$bin") || true
    if version_ok "$v" && "$bin" check >/dev/null 2>&1; then
      link_system_criu "$bin" "$v"
    fi
    log "system $bin is version '${v:-unknown}' (need >= $MIN_VERSION); not using it"
  done
  cand=$(apt-cache policy criu 2>/dev/null | sed -n 's/^ *Candidate: *//p' | head -n1) || true
  if [ -n "$cand" ] && [ "$cand" != "(none)" ] && version_ok "${cand#*:}"; then
    log "system apt offers criu $cand; installing it with apt-get"
    if DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends criu; then
      v=$(criu_version /usr/sbin/criu) || true
      if version_ok "$v" && /usr/sbin/criu check >/dev/null 2>&1; then
        link_system_criu /usr/sbin/criu "$v"
      fi
      warn "apt-installed criu '$v' is not usable; falling back to an unpacked $SUITE build"
    else
      warn "apt-get install criu failed; falling back to an unpacked $SUITE build"
    fi
  elif [ -z "$cand" ] || [ "$cand" = "(none)" ]; then
    log "system apt has no criu package in its (current) lists"
  else
    log "system apt offers criu $cand, too old (need >= $MIN_VERSION)"
  fi
fi

# --- 3. unpack criu + library closure from $SUITE ----------------------------
for tool in apt-get apt-cache dpkg-deb; do
  command -v "$tool" >/dev/null || die "$tool not found"
done

# Find the Debian mirror URI the system already uses, from the main archive
# entry of its own release (not -security / -updates). Never hard-coded.
# shellcheck disable=SC1091
codename=$(. /etc/os-release 2>/dev/null; echo "${VERSION_CODENAME:-}")
mirror_uri() {
  local f uri
  # deb822 .sources files: stanzas separated by blank lines.
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri=$(awk -v want="$codename" '
      function flush() {
        if (!done && types ~ /(^| )deb( |$)/ && uris != "" && enabled !~ /^[Nn]o/) {
          n = split(suites, s, " ")
          for (i = 1; i <= n; i++) if (s[i] == want || (want == "" && s[i] !~ /-/)) { split(uris, u, " "); print u[1]; done = 1; exit }
        }
        types = ""; uris = ""; suites = ""; enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      tolower($1) == "types:"   { $1 = ""; types = $0 }
      tolower($1) == "uris:"    { $1 = ""; sub(/^ +/, ""); uris = $0 }
      tolower($1) == "suites:"  { $1 = ""; suites = $0 }
      tolower($1) == "enabled:" { enabled = $2 }
      END { flush() }' "$f")
    [ -n "$uri" ] && { echo "$uri"; return 0; }
  done
  # One-line format: deb [options] URI SUITE COMPONENTS...
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    uri=$(sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk -v want="$codename" '
      $1 == "deb" && ($3 == want || (want == "" && $3 !~ /-/)) { print $2; exit }')
    [ -n "$uri" ] && { echo "$uri"; return 0; }
  done
  return 1
}
MIRROR=$(mirror_uri) || die "could not find the Debian mirror in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list (looked for suite '${codename:-?}')"
MIRROR=${MIRROR%/}
log "system release: ${codename:-unknown}; Debian mirror from apt sources: $MIRROR"

ARCH=$(dpkg --print-architecture)
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$KEYRING" ] || die "$KEYRING missing: install debian-archive-keyring"

# Private apt state: sources, lists, cache and an empty dpkg status, so the
# system's sources, lists and installed-package view are not touched.
WORK="$PREFIX/var"
APTDIR="$WORK/apt"
DEBDIR="$WORK/debs"
mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" \
         "$APTDIR/sources.list.d" "$APTDIR/preferences.d"
: > "$APTDIR/status"
printf 'deb [arch=%s signed-by=%s] %s %s main\n' "$ARCH" "$KEYRING" "$MIRROR" "$SUITE" > "$APTDIR/sources.list"
APT_OPTS=(
  -o "Dir::Etc::sourcelist=$APTDIR/sources.list"
  -o "Dir::Etc::sourceparts=$APTDIR/sources.list.d"
  -o "Dir::Etc::preferences=$APTDIR/preferences"
  -o "Dir::Etc::preferencesparts=$APTDIR/preferences.d"
  -o "Dir::State::lists=$APTDIR/lists"
  -o "Dir::State::status=$APTDIR/status"
  -o "Dir::Cache=$APTDIR/cache"
  -o "APT::Architecture=$ARCH"
  -o "APT::Architectures::=$ARCH"
  -o "Acquire::Languages=none"
  -o "APT::Get::List-Cleanup=false"
)
# The _apt sandbox user must be able to write the lists/download dirs.
if id _apt >/dev/null 2>&1; then
  chown -R _apt:root "$APTDIR/lists" "$APTDIR/cache/archives"
fi

log "updating private apt lists for $SUITE (system apt configuration untouched)"
apt-get "${APT_OPTS[@]}" -q update >"$APTDIR/update.log" 2>&1 \
  || { cat "$APTDIR/update.log" >&2; die "apt-get update for $SUITE failed (see above)"; }
if grep -qE '^(W|E):' "$APTDIR/update.log"; then grep -E '^(W|E):' "$APTDIR/update.log" | sed "s/^/[$PROG]   /" >&2; fi

cver=$(apt-cache "${APT_OPTS[@]}" policy criu | sed -n 's/^ *Candidate: *//p' | head -n1)
if [ -z "$cver" ] || [ "$cver" = "(none)" ]; then die "no criu package in $SUITE for $ARCH"; fi
version_ok "${cver#*:}" || die "$SUITE offers criu $cver, need >= $MIN_VERSION (try --suite)"
log "$SUITE offers criu $cver"

# Dependency closure (Depends + Pre-Depends, recursively). Virtual packages
# show up as <name>; their providers are listed as well.
mapfile -t PKGS < <(apt-cache "${APT_OPTS[@]}" depends --recurse --no-recommends --no-suggests \
    --no-conflicts --no-breaks --no-replaces --no-enhances criu \
  | grep -v '^ ' | grep -v '^<' | sort -u)
[ "${#PKGS[@]}" -gt 0 ] || die "could not resolve the dependencies of criu"
# python3-pycriu is pure Python; it is used with the system's python3 and
# python3-protobuf, so only the package itself is unpacked.
[ "$WITH_CRIT" -eq 0 ] || PKGS+=(python3-pycriu)
log "downloading ${#PKGS[@]} packages: ${PKGS[*]}"

rm -rf "$DEBDIR"; mkdir -p "$DEBDIR"
if id _apt >/dev/null 2>&1; then chown _apt:root "$DEBDIR"; fi
(cd "$DEBDIR" && apt-get "${APT_OPTS[@]}" -q download "${PKGS[@]}") >"$APTDIR/download.log" 2>&1 \
  || { cat "$APTDIR/download.log" >&2; die "apt-get download failed (see above)"; }

STAGE="$PREFIX/root.new"
rm -rf "$STAGE"; mkdir -p "$STAGE"
: > "$PREFIX/MANIFEST.new"
for deb in "$DEBDIR"/*.deb; do
  dpkg-deb -x "$deb" "$STAGE"
  dpkg-deb -f "$deb" Package Version | paste -sd' ' >> "$PREFIX/MANIFEST.new"
done
log "unpacked $(wc -l < "$PREFIX/MANIFEST.new") packages into $STAGE"

# Locate the unpacked loader and library dirs (arch independent: next to libc).
libc=$(find "$STAGE" -name libc.so.6 \( -type f -o -type l \) | head -n1)
[ -n "$libc" ] || die "libc.so.6 not found in the unpacked packages"
libdir=$(dirname "$libc")
loader=$(find "$libdir" -maxdepth 1 -name 'ld-linux*.so*' | head -n1)
[ -n "$loader" ] || die "dynamic loader not found in $libdir"
[ -x "$STAGE/usr/sbin/criu" ] || die "criu binary missing from the criu package"
# Every dir that holds shared libraries, libc's first.
libpath=$(
  { echo "$libdir"; find "$STAGE" -name 'lib*.so*' \( -type f -o -type l \) \
      -not -path '*/gconv/*' -not -path '*/python3/*' -printf '%h\n'; } | awk '!seen[$0]++' | paste -sd:)
# Paths as they will be after the staging dir is moved into place.
final() { printf '%s' "${1//$STAGE/$PREFIX/root}"; }

# Check the unpacked binary runs before replacing anything.
v=$(criu_version "$loader" --library-path "$libpath" "$STAGE/usr/sbin/criu") || true
version_ok "$v" || die "unpacked criu does not run (version '${v:-none}'); try: $loader --library-path $libpath $STAGE/usr/sbin/criu --version"

rm -rf "$PREFIX/root.old"
[ ! -e "$PREFIX/root" ] || mv "$PREFIX/root" "$PREFIX/root.old"
mv "$STAGE" "$PREFIX/root"
rm -rf "$PREFIX/root.old"
mv -f "$PREFIX/MANIFEST.new" "$PREFIX/MANIFEST"

rm -f "$CRIU.tmp"   # may be a leftover symlink: never write through it
cat > "$CRIU.tmp" <<EOF
#!/bin/sh
# Generated by install-criu.sh: CRIU $v from Debian $SUITE, run through its own
# (unpacked) glibc loader so that the system's libraries are not used.
exec "$(final "$loader")" --argv0 criu --library-path "$(final "$libpath")" "$PREFIX/root/usr/sbin/criu" "\$@"
EOF
chmod 755 "$CRIU.tmp"
mv -f "$CRIU.tmp" "$CRIU"
log "wrote $CRIU (CRIU $v)"

# A crit wrapper from an earlier --with-crit run points into the old root.
[ "$WITH_CRIT" -eq 1 ] || rm -f "$CRIT"
if [ "$WITH_CRIT" -eq 1 ]; then
  if ! /usr/bin/python3 -c 'import google.protobuf' 2>/dev/null; then
    log "installing python3-protobuf with the system's apt (needed by crit)"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-protobuf \
         >"$WORK/crit-apt.log" 2>&1; then
      log "apt-get install failed; running the system's apt-get update and retrying"
      { apt-get -q update && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
          python3-protobuf; } >"$WORK/crit-apt.log" 2>&1 \
        || { cat "$WORK/crit-apt.log" >&2; die "apt-get install python3-protobuf failed (see above)"; }
    fi
  fi
  rm -f "$CRIT.tmp"
  cat > "$CRIT.tmp" <<EOF
#!/bin/sh
# Generated by install-criu.sh: crit (pycriu $v from Debian $SUITE) on the system python3.
PYTHONPATH="$PREFIX/root/usr/lib/python3/dist-packages\${PYTHONPATH:+:\$PYTHONPATH}" exec /usr/bin/python3 "$PREFIX/root/usr/bin/crit" "\$@"
EOF
  chmod 755 "$CRIT.tmp"
  mv -f "$CRIT.tmp" "$CRIT"
  log "wrote $CRIT"
fi

# The package lists are large and only needed for installing; keep the debs'
# names in MANIFEST instead.
rm -rf "$APTDIR/lists" "$APTDIR/cache" "$DEBDIR"
finish
