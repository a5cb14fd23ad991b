#!/usr/bin/env bash
# Re-records the reference round submissions/2026.1 with the real harness: closed in the locked CPU
# image (full profile, the inference_device sets of GEMM, convolution and RNN in fp32), open natively
# (GEMM, quick profile, bf16). Run it on an idle machine: the closed rules keep noisy results off the
# boards. It makes a new submitter key (the private half stays in $WORK and is never committed),
# registers its public half, and writes the new image ID into the closed rules' locked_image_ids.
set -euo pipefail
cd "$(dirname "$0")/../.."
KP=.venv/bin/kernelperf
ROUND=submissions/2026.1
SUBMITTER=kernelperf-ref
WORK=$(mktemp -d /tmp/kernelperf-ref.XXXXXX)
echo "working in $WORK"

$KP container build cpu
IMAGE_ID=$(docker image inspect --format '{{.Id}}' kernelperf/cpu:0.1.0)
python3 - "$IMAGE_ID" <<'PY'
import json, sys, pathlib
path = pathlib.Path("validator/rules/2026.1.json")
rules = json.loads(path.read_text())
rules["divisions"]["closed"]["locked_image_ids"] = [sys.argv[1]]
path.write_text(json.dumps(rules, indent=1, ensure_ascii=False) + "\n")
PY

for suite in gemm conv rnn; do
  $KP container run cpu -- run --suite "$suite" --set inference_device --profile full \
    --dtype fp32 --system-id cpu-2c-epyc --submitter "KernelPerf Reference" --out "$WORK/closed"
done
$KP run --suite gemm --profile quick --dtype bf16 --system-id cpu-2c-epyc-native \
  --submitter "KernelPerf Reference" --out "$WORK/open"

$KP keys generate --out "$WORK/keys" --name "$SUBMITTER"
for bundle in "$WORK"/closed/* "$WORK"/open/*; do
  $KP sign "$bundle" --key "$WORK/keys/$SUBMITTER.key"
done

ROOT=$(mktemp -d "$(dirname "$ROUND")/.new.XXXXXX")
NEW="$ROOT/$(basename "$ROUND")"
mkdir -p "$NEW/keys" "$NEW/open/$SUBMITTER/code"
cp "$ROUND/README.md" "$NEW/"
cp "$ROUND/open/$SUBMITTER/code/README.md" "$NEW/open/$SUBMITTER/code/"
cp "$WORK/keys/$SUBMITTER.pub" "$NEW/keys/"
for division in closed open; do
  for bundle in "$WORK/$division"/*; do
    $KP submit "$bundle" --round "$(basename "$ROUND")" --division "$division" \
      --submitter "$SUBMITTER" --into "$ROOT" >/dev/null || true  # validated whole below
  done
done
$KP validate "$NEW"
rm -rf "$ROUND" && mv "$NEW" "$ROUND" && rm -rf "$ROOT"
echo "re-recorded $ROUND; the private key stays in $WORK/keys"
