#!/usr/bin/env bash
# Set up (first run only) and run the whole test suite, browser tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core) >/dev/null
fi
export HF_HUB_OFFLINE=1
# House rules first (pyproject.toml: pycodestyle, pyflakes, import order, 120 columns): seconds, and a clear failure.
.venv/bin/ruff check .
exec .venv/bin/python -m pytest -q "$@"
