#!/usr/bin/env bash
# Tiny random copies of every supported pipeline class (tests/providers/tiny_model_zoo.py) on CUDA under every
# memory profile; prints seconds and peak VRAM per profile as a Markdown table for docs/BENCHMARKS.md.
# Needs a GPU (--cpu checks the script without one; --only wan22,sdxl limits the models).
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
exec .venv/bin/python scripts/gpu_smoke.py "$@"
