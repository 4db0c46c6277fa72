#!/usr/bin/env bash
# Tiny random pipelines (SD, SVD, Wan 2.2 TI2V) on CUDA under every memory profile; prints seconds and peak VRAM
# per profile as a Markdown table for docs/BENCHMARKS.md. Needs a GPU (pass --cpu to check the script without one).
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
exec .venv/bin/python scripts/gpu_smoke.py "$@"
