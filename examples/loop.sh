#!/usr/bin/env bash
# The whole loop on a CPU, offline: build → continued-pretrain from random init → evaluate against the untrained
# model → export f16 + q8_0 → serve the q8_0 → one completion → evaluate the GGUFs through llama.cpp's server.
# Run from the repository root after `make .venv/.installed-test` (or `make loop`). Output in out/loop/.
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=out/loop
PORT_F16=${PORT_F16:-8091}
PORT_Q8=${PORT_Q8:-8092}
EVAL_ARGS=(--tasks "${EVAL_TASKS:-perplexity,syntax,fim}" --limit "${EVAL_LIMIT:-16}" --max-new-tokens 48)
SECONDS=0
step() { printf '\n== [%4ss] %s\n' "$SECONDS" "$*"; }

step "1. build the example dataset into out/example"
$BIN/codetune build --out out/example --overwrite --num-proc 2 --no-progress | tail -n 4

step "2. continued pretraining of a random-init Llama (examples/loop/cpt.yaml)"
rm -rf "$OUT" && mkdir -p "$OUT"
$BIN/python examples/loop/init_model.py out/example "$OUT/init"
$BIN/python recipes/cpt.py --config examples/loop/cpt.yaml --model_name_or_path "$OUT/init" \
  --output_dir "$OUT/run" 2>&1 | grep --line-buffered -oE "'loss': '[0-9.]+'|'train_runtime': '[0-9.]+'" | tr '\n' ' '; echo

step "3. evaluate: untrained vs trained (transformers)"
$BIN/codetune eval out/example --model "$OUT/init" --model "$OUT/run" --name untrained --name trained \
  --out "$OUT/eval-trained" "${EVAL_ARGS[@]}"

step "4. export f16 and q8_0 (llama.cpp converter + quantizer), Modelfile, card"
$BIN/codetune export "$OUT/run" --out "$OUT/export" --gguf f16,q8_0 --eval "$OUT/eval-trained/report.json"

step "5. serve both GGUFs with llama.cpp's server; one completion from the q8_0"
$BIN/codetune serve "$OUT/export/export-f16.gguf" --port "$PORT_F16" > "$OUT/serve-f16.log" 2>&1 &
F16_PID=$!
$BIN/codetune serve "$OUT/export/export-q8_0.gguf" --port "$PORT_Q8" > "$OUT/serve-q8_0.log" 2>&1 &
Q8_PID=$!
trap 'kill $F16_PID $Q8_PID 2>/dev/null || true' EXIT
for port in "$PORT_F16" "$PORT_Q8"; do
  for _ in $(seq 120); do curl -sf "http://127.0.0.1:$port/v1/models" > /dev/null && break; sleep 0.5; done
done
curl -sf "http://127.0.0.1:$PORT_Q8/v1/completions" -H 'Content-Type: application/json' \
  -d '{"prompt": "extends CharacterBody2D\n\nfunc jump() -> void:\n", "max_tokens": 32, "temperature": 0}' \
  | $BIN/python -c 'import json, sys; r = json.load(sys.stdin); print(repr(r["choices"][0]["text"]), r["usage"])'

step "6. evaluate the served GGUFs through llama.cpp's server: f16 vs q8_0"
$BIN/codetune eval out/example --model "http://127.0.0.1:$PORT_F16/v1" --model "http://127.0.0.1:$PORT_Q8/v1" \
  --backend openai --name f16 --name q8_0 --tokenizer "$OUT/export/merged" --out "$OUT/eval-gguf" \
  --batch-size 1 "${EVAL_ARGS[@]}"

step "7. report"
cat "$OUT/eval-trained/report.md" "$OUT/eval-gguf/report.md"
echo "Modelfile:" && cat "$OUT/export/Modelfile"
step "done"
