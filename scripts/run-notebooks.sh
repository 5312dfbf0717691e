#!/usr/bin/env bash
# `npm run notebooks [-- NOTEBOOK.ipynb…]`: executes every notebooks/*.ipynb (or those named) headlessly on the Deno kernel and writes
# build/notebooks/NAME.html (and the executed notebook, build/notebooks/executed/NAME.ipynb).
# Fails when a cell fails or a chart output went missing. See notebooks/README.md.
#
# RETOUR_NOTEBOOK_DATABASE  DuckDB file to read (read-only). Unset: build simulator data first into
#                           build/notebooks/data/ with the retour CLI (simulate, import, jobs, model).
# RETOUR_NOTEBOOK_TRUTH     the simulator's truth file, for the model notebook (set automatically with
#                           the simulator data).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
out=build/notebooks

if ! command -v jupyter >/dev/null 2>&1 || ! jupyter nbconvert --version >/dev/null 2>&1; then
  echo "run-notebooks: 'jupyter nbconvert' is not installed. On Debian/Ubuntu: sudo apt-get install jupyter-nbconvert python3-ipykernel" >&2
  exit 1
fi
if [ ! -x node_modules/.bin/deno ]; then
  echo "run-notebooks: node_modules/.bin/deno is missing (the npm package 'deno' is a devDependency): run npm ci" >&2
  exit 1
fi
# The kernelspec (notebooks/jupyter/kernels/deno) starts `deno` from PATH.
export PATH="$root/node_modules/.bin:$PATH"
export JUPYTER_PATH="$root/notebooks/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
export NO_COLOR=1

started=$SECONDS
mkdir -p "$out"

# Runs one step quietly; on failure shows its log and stops.
step() {
  local name=$1
  shift
  local log="$out/data/$name.log"
  local begin=$SECONDS
  if ! "$@" >"$log" 2>&1; then
    echo "run-notebooks: '$*' failed; its output ($log):" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
  echo "  $name: $((SECONDS - begin)) s"
}

if [ -z "${RETOUR_NOTEBOOK_DATABASE:-}" ]; then
  seed=5 days=240 customers=4000 start=2025-01-01
  # The simulation covers [start, start + days); jobs and training run as of its end.
  now="$(date -u -d "$start + $days days" +%Y-%m-%dT00:00:00Z)"
  earlier="$(date -u -d "$start + $((days - 28)) days" +%Y-%m-%dT00:00:00Z)"
  data="$out/data"
  rm -rf "$data"
  mkdir -p "$data"
  export RETOUR_DATABASE="$root/$data/retour.duckdb"
  echo "run-notebooks: building simulator data in $data (seed $seed, $days days, $customers customers, as of $now)"
  step simulate node bin/retour.mjs simulate --seed "$seed" --days "$days" --customers "$customers" --start "$start" \
    --out "$data/events.ndjson" --truth "$data/truth.json"
  step import node bin/retour.mjs import "$data/events.ndjson"
  step jobs node bin/retour.mjs jobs run all --now "$now"
  if node bin/retour.mjs model --help >/dev/null 2>&1; then
    # Two trainings, four weeks apart, so the registry shows a history and a promotion decision.
    # The earlier one has a single training snapshot (20 positive rows, below the default minimum of
    # 40): its minimum is lowered for it, the later one trains under the defaults (docs/risk.md § Too few labels).
    step train-earlier env RETOUR_TRAIN_MIN_TRAINING_POSITIVES=10 node bin/retour.mjs model train --now "$earlier"
    step train node bin/retour.mjs model train --now "$now"
    step risk node bin/retour.mjs jobs run risk --now "$now"
  fi
  export RETOUR_NOTEBOOK_DATABASE="$RETOUR_DATABASE"
  export RETOUR_NOTEBOOK_TRUTH="$root/$data/truth.json"
else
  # Kernels start in notebooks/: make relative paths absolute, from where `npm run` was called.
  absolute() { case "$1" in /*) echo "$1" ;; *) realpath -m -- "${INIT_CWD:-$root}/$1" ;; esac; }
  RETOUR_NOTEBOOK_DATABASE="$(absolute "$RETOUR_NOTEBOOK_DATABASE")"
  export RETOUR_NOTEBOOK_DATABASE
  if [ -n "${RETOUR_NOTEBOOK_TRUTH:-}" ]; then
    RETOUR_NOTEBOOK_TRUTH="$(absolute "$RETOUR_NOTEBOOK_TRUTH")"
    export RETOUR_NOTEBOOK_TRUTH
  fi
fi
if [ ! -f "$RETOUR_NOTEBOOK_DATABASE" ]; then
  echo "run-notebooks: no database at $RETOUR_NOTEBOOK_DATABASE" >&2
  exit 1
fi

if [ "$#" -gt 0 ]; then notebooks=("$@"); else notebooks=(notebooks/*.ipynb); fi
echo "run-notebooks: executing notebooks against $RETOUR_NOTEBOOK_DATABASE"
mkdir -p "$out/executed"
failed=()
htmls=()
for notebook in "${notebooks[@]}"; do
  name="$(basename "$notebook" .ipynb)"
  log="$out/executed/$name.log"
  # Every notebook must run headlessly on the database file; one that cannot is a failure, not a skip.
  if ! grep -q RETOUR_NOTEBOOK_DATABASE "$notebook"; then
    echo "  $name: FAILED (does not read RETOUR_NOTEBOOK_DATABASE, so it cannot run headlessly)"
    failed+=("$name")
    continue
  fi
  begin=$SECONDS
  status=failed
  : >"$log"
  # A failed run must not leave the HTML of an earlier success behind.
  rm -f "$out/$name.html" "$out/executed/$name.ipynb"
  # The Deno kernel now and then reports a cell finished before its display reached nbconvert, which
  # then drops the chart without an error; the check below finds such cells, and only then is the
  # notebook executed again. A failing cell fails at once.
  for attempt in 1 2 3; do
    if ! jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=300 \
        --output-dir "$out/executed" "$notebook" >>"$log" 2>&1; then
      break
    fi
    if node bin/run-ts.mjs scripts/check-executed-notebooks.ts "$out/executed/$name.ipynb" 2>>"$log"; then
      status=ok
      break
    fi
    echo "  $name: attempt $attempt lost a display output, executing again" | tee -a "$log"
  done
  if [ "$status" = ok ] && jupyter nbconvert --to html --output-dir "$out" "$out/executed/$name.ipynb" >>"$log" 2>&1; then
    htmls+=("$out/$name.html")
    echo "  $name: $((SECONDS - begin)) s"
  else
    failed+=("$name")
    echo "  $name: FAILED after $((SECONDS - begin)) s; the end of $log:" >&2
    grep -v 'is unstable and might change' "$log" | tail -n 30 >&2
  fi
done

echo "run-notebooks: $((SECONDS - started)) s in all"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "run-notebooks: failed: ${failed[*]}" >&2
  exit 1
fi
printf '%s\n' "${htmls[@]}"
