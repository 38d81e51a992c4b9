# Shared set-up of the benchmarks (sourced by bench-transform.sh and bench-run.sh, from the repo root):
#   bench_build        builds ddbcdc in release mode unless SKIP_BUILD=1; sets BIN
#   bench_machine      prints the machine line of a report
#   bench_time         times one run of a command (wall, peak RSS, CPU)
#   bench_input        generates bench-data/events-seed<SEED>-<RECORDS>.jsonl with
#                      scripts/gen_events.py (Lambda events of BATCH records) unless the file is
#                      there and was made by this generator; sets DATA and INPUT_BYTES
# Reads SEED, RECORDS, SCRATCH_PATH and PYTHON; sets what a script did not:

SEED=${SEED:-42}
RECORDS=${RECORDS:-200000}
BATCH=1000  # records per Lambda event
SCRATCH_PATH=${SCRATCH_PATH:-.build}

say() { printf '%s\n' "$*" >&2; }

bench_build() {
    if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
        say "== swift build -c release --product ddbcdc --scratch-path $SCRATCH_PATH"
        swift build -c release --product ddbcdc --scratch-path "$SCRATCH_PATH" >&2
    fi
    BIN="$SCRATCH_PATH/release/ddbcdc"
    [[ -x "$BIN" ]] || { say "no release binary at $BIN"; exit 1; }
}

bench_input() {
    mkdir -p bench-data
    DATA="bench-data/events-seed${SEED}-${RECORDS}.jsonl"
    local digest
    digest=$(sha256sum scripts/gen_events.py | cut -d' ' -f1)
    if [[ -s "$DATA" && "$(cat "$DATA.generator" 2>/dev/null)" == "$digest" ]]; then
        say "== using $DATA"
    else
        say "== generating $DATA ($RECORDS records, $BATCH per event)"
        "$PYTHON" scripts/gen_events.py --seed "$SEED" --records "$RECORDS" --batch-size "$BATCH" --out "$DATA.tmp" --stats
        mv "$DATA.tmp" "$DATA"
        echo "$digest" > "$DATA.generator"
    fi
    INPUT_BYTES=$(stat -L -c %s "$DATA")  # -L: the data may be a link to a shared copy
}

# The machine line of a report: CPUs and model, the Swift and Python versions.
bench_machine() {
    local model swift_version python_version
    model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
    swift_version=$(swift --version 2>/dev/null | head -1)
    python_version=$("$PYTHON" -c 'import platform; print(platform.python_version())' 2>/dev/null)
    echo "machine: $(nproc) CPUs, ${model:-?}; ${swift_version:-Swift ?}; Python ${python_version:-?}"
}

# bench_time LABEL ERRFILE COMMAND... : runs COMMAND once, stdout discarded, stderr to ERRFILE;
# exits the script (showing ERRFILE) if it fails. Sets BENCH_T0 and BENCH_T1 (epoch seconds) and,
# when /usr/bin/time exists (HAVE_TIME=1), BENCH_RSS (peak kB) and BENCH_CPU (user+system s),
# otherwise "-". Needs WORK (a scratch folder).
HAVE_TIME=0
[[ -x /usr/bin/time ]] && HAVE_TIME=1
bench_time() {
    local label=$1 err=$2; shift 2
    local status=0
    BENCH_RSS=- BENCH_CPU=-
    BENCH_T0=$(date +%s.%N)
    if [[ $HAVE_TIME == 1 ]]; then
        /usr/bin/time -v -o "$WORK/time.txt" "$@" > /dev/null 2> "$err" || status=$?
    else
        "$@" > /dev/null 2> "$err" || status=$?
    fi
    BENCH_T1=$(date +%s.%N)
    if [[ $status -ne 0 ]]; then
        say "!! $label exited $status:"
        sed 's/^/!!   /' "$err" >&2
        exit 1
    fi
    if [[ $HAVE_TIME == 1 ]]; then
        BENCH_RSS=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
        BENCH_CPU=$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ { s += $2 } END { printf "%.2f", s }' "$WORK/time.txt")
    fi
    say "   $label: $(awk -v a="$BENCH_T0" -v b="$BENCH_T1" 'BEGIN { printf "%.3f", b - a }') s"
}
