#!/usr/bin/env bash
# Benchmark `graduate scan` against ripgrep on two large generated trees.
# Reports only: it never fails because something is slow.
#   1. "copies": copies of the fixture apps, about a third in node_modules
#      (skipped by both tools);
#   2. "source": a monorepo of services where nearly every file is source
#      and most touch no HTTP (domain models, helpers, validators), the
#      case where graduate's parse prefilter matters most.
#   FILES=20000   approximate number of files to generate per tree
#   KEEP=1        keep the generated tree (its path is printed)
#   RUNS=5        hyperfine runs per command
#   ROUNDS=RUNS   rounds of the interleaved ratio (rg, then graduate, each round)
#   INSTR=1       also count instructions (valgrind's callgrind, one thread):
#                 unlike time, the count does not drift with the machine's
#                 load, so it shows a change of a few percent (slow: minutes)
# Usage: scripts/bench.sh   (from anywhere; runs as root on a fresh Debian machine)
# On a shared virtual machine the means drift by a fifth between batches: the
# ratio of the fastest runs is printed too, the steadier of the two.
set -euo pipefail

FILES="${FILES:-20000}"
RUNS="${RUNS:-5}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
APPS=(express-prototype fastapi-service go-service axum-service flask-minimal koa-orders)

# 1. Tools: ripgrep, hyperfine, GNU time (jq only for the sanity check).
need=()
command -v rg >/dev/null || need+=(ripgrep)
command -v hyperfine >/dev/null || need+=(hyperfine)
[[ -x /usr/bin/time ]] || need+=(time)
command -v jq >/dev/null || need+=(jq)
[[ "${INSTR:-0}" != 1 ]] || command -v valgrind >/dev/null || need+=(valgrind)
if ((${#need[@]})); then
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

# 2. Release binary, where cargo says it put it (CARGO_TARGET_DIR moves it).
BIN="$(cargo build --release --locked --quiet --bin graduate --message-format=json-render-diagnostics |
  sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)"

# 3. Deterministic tree. services/svc-N/ holds a copy of fixture app N mod 6 in
# a renamed directory, each source/markdown file suffixed with a numbered
# comment, plus one extra numbered route file; node_modules/pkg-M/index.js
# files (outbound calls and fake AWS keys) are noise both tools must skip.
WORK="$(mktemp -d)"
if [[ "${KEEP:-0}" == 1 ]]; then echo "keeping $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi
TREE="$WORK/tree"
mkdir -p "$TREE/services"
printf 'node_modules/\n' >"$TREE/.gitignore"

declare -A CONTENT   # "app|relpath" -> file contents, read once
declare -a RELS DIRS # per app: newline-separated relative file paths / dirs
for i in "${!APPS[@]}"; do
  a="${APPS[$i]}"
  RELS[i]="$(cd "fixtures/$a" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)"
  DIRS[i]="$(cd "fixtures/$a" && find . -mindepth 1 -type d | sed 's|^\./||' | LC_ALL=C sort)"
  while IFS= read -r rel; do CONTENT["$a|$rel"]="$(<"fixtures/$a/$rel")"; done <<<"${RELS[$i]}"
done
fake_key() {  # 16 uppercase letters derived from $1, into KEY
  local n d s; printf -v s '%016d' "$1"; KEY=AKIA
  for ((d = 0; d < 16; d++)); do n=${s:d:1}; KEY+=${L:n + d % 10:1}; done
}
L=ABCDEFGHIJKLMNOPQRSTUVWXYZ

total=0 nm=0 n=0
while ((total < FILES)); do
  i=$((n % ${#APPS[@]})); a="${APPS[$i]}"
  svc="$TREE/services/svc-$n/${a%%-*}-$n"      # renamed copy, e.g. go-17
  mapfile -t dirs <<<"${DIRS[$i]}"
  mkdir -p "$svc" "${dirs[@]/#/$svc/}"       # one mkdir per copy, not per file
  while IFS= read -r rel; do
    [[ -z "$rel" ]] && continue
    body="${CONTENT["$a|$rel"]}"
    case "$rel" in   # numbered comment in the file's own syntax; others verbatim
      *.py | *.toml | *.yml | *.yaml) body+=$'\n'"# copy $n" ;;
      *.js | *.go | *.rs) body+=$'\n'"// copy $n" ;;
      *.md) body+=$'\n'"<!-- copy $n -->" ;;
    esac
    printf '%s\n' "$body" >"$svc/$rel"; total=$((total + 1))
  done <<<"${RELS[$i]}"
  # One extra route per copy, in the app's own language.
  case "$a" in
    express-*) printf "app.get('/extra/%d', async (req, res) => res.json(await fetch('http://up/%d')));\n" "$n" "$n" >"$svc/src/extra_$n.js" ;;
    fastapi-*) printf "@app.get('/extra/%d')\nasync def extra_%d():\n    return {'n': %d}\n" "$n" "$n" "$n" >"$svc/app/extra_$n.py" ;;
    go-*) printf 'package main\n\nfunc init() { http.HandleFunc("/extra/%d", handler) }\n' "$n" >"$svc/extra_$n.go" ;;
    axum-*) printf 'pub async fn extra_%d() -> String { reqwest::get("http://up/%d").await.unwrap().text().await.unwrap() }\n' "$n" "$n" >"$svc/src/extra_$n.rs" ;;
    flask-*) printf "@app.route('/extra/%d')\ndef extra_%d():\n    return 'ok'\n" "$n" "$n" >"$svc/extra_$n.py" ;;
  esac
  total=$((total + 1))
  # node_modules noise: keep it at about a third of all files.
  k=0; while (((nm + k) * 3 < total + k)); do k=$((k + 1)); done
  pk=(); for ((m = 0; m < k; m++)); do pk+=("$TREE/services/svc-$n/node_modules/pkg-$m"); done
  ((k == 0)) || mkdir -p "${pk[@]}"
  for ((m = 0; m < k; m++)); do
    p="$TREE/services/svc-$n/node_modules/pkg-$m"; fake_key $((n * 100 + m))
    printf "// pkg-%d for svc-%d\nconst axios = require('axios');\nexports.get = (u) => axios.get(u + '/%d');\nexports.f = (u) => fetch(u);\nexports.key = '%s';\n" \
      "$m" "$n" "$m" "$KEY" >"$p/index.js"
  done
  nm=$((nm + k)); total=$((total + k))
  n=$((n + 1))
done
echo "generated $total files ($nm under node_modules) in $n service copies"

# 3b. Source-heavy tree: SOURCE_SERVICES services of about 100 files each, in
# four languages. Per service: a handful of files that serve routes or call
# out (with and without timeouts), the rest plain domain code.
SRC="$WORK/source"
mkdir -p "$SRC"
src_total=0
s=0
while ((src_total < FILES)); do
  lang=$((s % 4)); d="$SRC/services/svc-$s"
  case $lang in
    0) mkdir -p "$d/src/domain" "$d/src/routes"
       printf '{"name":"svc-%d","dependencies":{"express":"^4.19.0","axios":"^1.7.0"}}
' "$s" >"$d/package.json"
       printf "import express from 'express';
import axios from 'axios';
const app = express();
app.get('/health', (req, res) => res.send('ok'));
app.get('/items/:id', async (req, res) => {
  const r = await axios.get('http://catalog/items/' + req.params.id);
  res.json(r.data);
});
app.listen(3000);
" >"$d/src/server.ts"
       printf "export async function quote(id: string) {
  const r = await fetch('http://pricing/quote/' + id, { signal: AbortSignal.timeout(2000) });
  return r.json();
}
" >"$d/src/routes/pricing.ts"
       for ((f = 0; f < 96; f++)); do
         printf "export interface Line%d { sku: string; qty: number; cents: number }

export function total%d(lines: Line%d[]): number {
  let sum = 0;
  for (const l of lines) {
    sum += l.qty * l.cents;
  }
  return Math.round(sum * 1.%02d);
}

export function valid%d(l: Line%d): boolean {
  return l.sku.length > 0 && l.qty > 0 && l.cents >= 0;
}
" "$f" "$f" "$f" "$f" "$f" "$f" >"$d/src/domain/line_$f.ts"
       done ;;
    1) mkdir -p "$d/app/domain"
       printf 'fastapi\nhttpx\n' >"$d/requirements.txt"
       printf "from fastapi import FastAPI
import httpx

app = FastAPI()


@app.get('/healthz')
def health():
    return {'ok': True}


@app.get('/rates')
async def rates():
    async with httpx.AsyncClient() as c:
        return (await c.get('http://fx/rates')).json()
" >"$d/app/main.py"
       for ((f = 0; f < 97; f++)); do
         printf "from dataclasses import dataclass


@dataclass
class Parcel%d:
    weight_g: int
    zone: str


def postage_%d(p: Parcel%d) -> int:
    base = 120 if p.zone == 'eu' else 310
    return base + (p.weight_g // 250) * %d
" "$f" "$f" "$f" "$((f + 10))" >"$d/app/domain/parcel_$f.py"
       done ;;
    2) mkdir -p "$d/internal/domain"
       printf 'module example.com/svc%d\n\ngo 1.22\n' "$s" >"$d/go.mod"
       printf 'package main

import "net/http"

func main() {
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	resp, err := http.Get("http://inventory/stock")
	if err == nil {
		resp.Body.Close()
	}
	http.ListenAndServe(":8080", nil)
}
' >"$d/main.go"
       for ((f = 0; f < 97; f++)); do
         printf 'package domain

// Slot%d is a delivery window.
type Slot%d struct {
	Start, End int
	Capacity  int
}

// Fits%d reports whether n parcels fit.
func Fits%d(s Slot%d, n int) bool {
	for i := 0; i < n; i++ {
		if i >= s.Capacity {
			return false
		}
	}
	return s.End > s.Start
}
' "$f" "$f" "$f" "$f" "$f" >"$d/internal/domain/slot_$f.go"
       done ;;
    3) mkdir -p "$d/src/domain"
       printf '[package]\nname = "svc-%d"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\naxum = "0.7"\nreqwest = "0.12"\n' "$s" >"$d/Cargo.toml"
       printf 'use axum::{routing::get, Router};

async fn health() -> &'"'"'static str {
    "ok"
}

pub async fn stock() -> String {
    reqwest::get("http://inventory/stock").await.unwrap().text().await.unwrap()
}

#[tokio::main]
async fn main() {
    let app = Router::new().route("/healthz", get(health));
    let _ = app;
}
' >"$d/src/main.rs"
       for ((f = 0; f < 97; f++)); do
         printf 'pub struct Route%d {
    pub stops: Vec<u32>,
}

impl Route%d {
    pub fn length(&self) -> usize {
        self.stops.windows(2).filter(|w| w[0] != w[1]).count() + %d
    }
}
' "$f" "$f" "$f" >"$d/src/domain/route_$f.rs"
       done ;;
  esac
  src_total=$((src_total + $(find "$d" -type f | wc -l)))
  s=$((s + 1))
done
echo "generated $src_total files in $s source-heavy services"

# 4. Timings.
RG=(rg --no-messages --hidden --no-require-git -c -e 'axios\.(get|post)\(' -e 'fetch\(' -e 'AKIA[A-Z0-9]{16}'
    -e 'HandleFunc\(' -e '@app\.get\(' -e 'reqwest::get' -e 'timeout' "$TREE")
q() { printf '%q ' "$@"; }   # shell-quote a command for hyperfine
hyperfine --style basic --warmup 1 --runs "$RUNS" -i --export-json "$WORK/large.json" \
  -n graduate "$(q "$BIN" scan "$TREE" --format json) > /dev/null" \
  -n graduate-t1 "$(q "$BIN" scan "$TREE" --format json --threads 1) > /dev/null" \
  -n rg "$(q "${RG[@]}") > /dev/null"
RGS=("${RG[@]}"); RGS[${#RGS[@]}-1]="$SRC"
hyperfine --style basic --warmup 1 --runs "$RUNS" -i --export-json "$WORK/source.json" \
  -n graduate "$(q "$BIN" scan "$SRC" --format json) > /dev/null" \
  -n rg "$(q "${RGS[@]}") > /dev/null"
hyperfine --style basic --warmup 3 --runs 20 -i --export-json "$WORK/small.json" \
  -n small "$(q "$BIN" scan fixtures/fastapi-service --format json) > /dev/null"

# 4a. Interleaved: ripgrep then graduate, round after round, and the median
# of each round's ratio. A shared machine drifts by a fifth within minutes
# (its page cache is trimmed too); the two commands of one round see the
# same machine, where hyperfine's batches above do not.
ROUNDS="${ROUNDS:-$RUNS}"
ratio_rounds() {  # TREE RG-COMMAND...: median of graduate/rg over ROUNDS rounds
  local tree="$1" a b c i
  shift
  local r=()
  for ((i = 0; i < ROUNDS; i++)); do
    a=$(date +%s%N); "$@" >/dev/null 2>&1 || true; b=$(date +%s%N)
    "$BIN" scan "$tree" --format json >/dev/null 2>&1 || true; c=$(date +%s%N)
    r+=("$(((c - b) * 1000 / (b - a)))")
  done
  printf '%s\n' "${r[@]}" | sort -n |
    awk '{v[NR] = $1} END {m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f", m / 1000}'
}
IR_TREE="$(ratio_rounds "$TREE" "${RG[@]}")"
IR_SRC="$(ratio_rounds "$SRC" "${RGS[@]}")"

# 4b. Instructions, single-threaded, when asked (INSTR=1).
instr() {  # instructions of one run of "$@", in millions
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
    awk '/Collected :/ {printf "%.1f", $NF / 1e6}'
}
if [[ "${INSTR:-0}" == 1 ]]; then
  IG="$(instr "$BIN" scan "$TREE" --format json --threads 1)"
  IR="$(instr "${RG[@]}" -j1)"
  IX="$(instr "$BIN" scan "$SRC" --format json --threads 1)"
  IY="$(instr "${RGS[@]}" -j1)"
fi

# 5. Peak memory (GNU time, kilobytes).
rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {print $2}'; }
RSS_G="$(rss "$BIN" scan "$TREE" --format json || true)"
RSS_R="$(rss "${RG[@]}" || true)"

# Sanity: what the scanner said about the tree (stderr and .stats).
"$BIN" scan "$TREE" --format json >"$WORK/report.json" 2>"$WORK/stderr.txt" || true
echo "--- graduate .stats ---"; jq -c '.stats' "$WORK/report.json" || true
echo "--- graduate stderr (first 5 lines of $(wc -l <"$WORK/stderr.txt")) ---"; head -5 "$WORK/stderr.txt"

# 6. Summary.
hstat() { jq -r --arg n "$2" '.results[] | select(.command == $n) | "\(.mean * 1000) \(.stddev * 1000) \(.min * 1000)"' "$1"; }
read -r GM GS GN <<<"$(hstat "$WORK/large.json" graduate)"
read -r TM TS TN <<<"$(hstat "$WORK/large.json" graduate-t1)"
read -r RM RS RN <<<"$(hstat "$WORK/large.json" rg)"
read -r SM SS SN <<<"$(hstat "$WORK/small.json" small)"
read -r XM XS XN <<<"$(hstat "$WORK/source.json" graduate)"
read -r YM YS YN <<<"$(hstat "$WORK/source.json" rg)"
echo "=== summary ($(nproc) cores) ==="
printf 'files generated      %d (%d under node_modules)\n' "$total" "$nm"
printf 'graduate             %.1f ± %.1f ms\n' "$GM" "$GS"
printf 'graduate --threads 1 %.1f ± %.1f ms\n' "$TM" "$TS"
printf 'rg                   %.1f ± %.1f ms\n' "$RM" "$RS"
printf 'ratio graduate/rg    %.2f (fastest runs: %.2f)\n' "$(echo "$GM $RM" | awk '{print $1 / $2}')" \
  "$(echo "$GN $RN" | awk '{print $1 / $2}')"
printf 'source-heavy tree    %d files: graduate %.1f ± %.1f ms, rg %.1f ± %.1f ms, ratio %.2f (fastest runs: %.2f)\n' \
  "$src_total" "$XM" "$XS" "$YM" "$YS" "$(echo "$XM $YM" | awk '{print $1 / $2}')" \
  "$(echo "$XN $YN" | awk '{print $1 / $2}')"
printf 'interleaved ratio    tree %s, source-heavy %s (median of %d rounds of rg then graduate)\n' \
  "$IR_TREE" "$IR_SRC" "$ROUNDS"
printf 'small fixture        %.1f ± %.1f ms (fastapi-service)\n' "$SM" "$SS"
if [[ "${INSTR:-0}" == 1 ]]; then
  printf 'instructions (1 thread, millions): tree graduate %s rg %s; source-heavy graduate %s rg %s\n' \
    "$IG" "$IR" "$IX" "$IY"
fi
printf 'peak RSS             graduate %s KiB, rg %s KiB\n' "$RSS_G" "$RSS_R"
