#!/usr/bin/env bash
# Set up (first run only) and start the studio on http://127.0.0.1:7860 with its own worker.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python app.py "$@"
