"""`python -m pipeline.models list` (the models directory as the studio sees it),
`python -m pipeline.models plan-table` (the memory planner's table for the published models, for docs/DEPLOY.md) and
`python -m pipeline.models pull <repo-id>` (a diffusers folder from the Hub into the models directory, online)."""
from __future__ import annotations

import argparse
import json


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.models")
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list", help="model folders, what they are and the memory profile each would get")
    listing.add_argument("--json", action="store_true", help="print the report as JSON")
    table = sub.add_parser("plan-table", help="published models × card size → memory profile (Markdown)")
    table.add_argument("--ram-gb", type=float, default=64.0, help="RAM assumed for the offloaded weights")
    fetch = sub.add_parser("pull", help="download a diffusers folder from the Hub into HFS_MODELS_DIR (online)")
    fetch.add_argument("repo_id", help="e.g. Wan-AI/Wan2.2-TI2V-5B-Diffusers")
    fetch.add_argument("--revision", default=None, help="branch, tag or commit (default: main)")
    args = parser.parse_args(argv)
    from pipeline.models.report import list_text, models_report, plan_table

    if args.command == "plan-table":
        print(plan_table(ram_gb=args.ram_gb))
        return 0
    from pipeline.settings import Settings

    if args.command == "pull":
        return _pull(args.repo_id, args.revision, Settings())
    report = models_report(Settings())
    print(json.dumps(report, indent=2) if args.json else list_text(report))
    return 0


def _pull(repo_id: str, revision: str | None, settings) -> int:
    from pipeline.models.pull import PullError, pull

    try:
        result = pull(repo_id, settings.models_dir, revision=revision)
    except PullError as exc:
        print(exc)
        return 1
    print(f"{result.folder}: {len(result.downloaded)} files downloaded, {len(result.skipped)} already there")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
