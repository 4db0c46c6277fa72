"""Command line: score one clip or rank a group of attempts.

    python -m scoring score VIDEO [--hero IMAGE] [--motion-prompt TEXT] [--prompt TEXT] [--json]
    python -m scoring rank VIDEO [VIDEO ...] [--hero IMAGE] [--motion-prompt TEXT] [--json]

Common options: ``--no-pyiqa`` (switch the pyiqa tier off), ``--learned-dir
DIR`` (weights of learned metrics), ``--device cpu|cuda``,
``--weights name=value,...`` (override default weights), ``--expected-duration
SECONDS``; ``rank`` scores the attempts in ``--workers`` threads (default 3).

``--json`` prints the report (``score``: ``overall``, ``dimensions``,
``metrics_used``, ``metrics_skipped``, ``gate_failures``, ``seconds``, …) or the
ranking with every attempt's report (``rank``) as JSON on stdout; otherwise a
readable table. Bad input
(missing, unreadable or empty video/image) prints ``error: ...`` on stderr and
exits with status 2; any other failure exits with status 1, without a traceback
unless ``--debug`` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

EXIT_INPUT = 2
EXIT_FAILURE = 1


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m scoring",
                                description="Score generated video attempts (weight-free, CPU).")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp):
        sp.add_argument("--hero", metavar="IMAGE", help="hero image the clip(s) were generated from")
        sp.add_argument("--motion-prompt", default="", metavar="TEXT",
                        help="motion prompt (camera move to check; frozen check)")
        sp.add_argument("--prompt", default="", metavar="TEXT", help="scene prompt, for clip_score (learned tier)")
        sp.add_argument("--no-pyiqa", action="store_true", help="skip pyiqa-based metrics (non-commercial licence)")
        sp.add_argument("--learned-dir", metavar="DIR",
                        help="folder with weights of learned metrics (MUSIQ, LAION, CLIP)")
        sp.add_argument("--device", metavar="DEVICE",
                        help="torch device for pyiqa metrics (default: cuda if available)")
        sp.add_argument("--weights", metavar="NAME=W,...", help="override default weights, e.g. camera_motion=0.3")
        sp.add_argument("--expected-duration", type=float, metavar="SECONDS",
                        help="requested length, for the truncated check")
        sp.add_argument("--json", action="store_true", help="print JSON")
        sp.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")

    s = sub.add_parser("score", help="score one video")
    s.add_argument("video")
    common(s)
    r = sub.add_parser("rank", help="score and rank the attempts of one group")
    r.add_argument("videos", nargs="+", metavar="VIDEO")
    r.add_argument("--workers", type=int, default=3, metavar="N", help="attempts scored in parallel (default 3)")
    common(r)
    return p


def _weights(text: str | None):
    from .config import resolve_weights
    from .errors import ScoringInputError

    if not text:
        return None
    pairs = {}
    for item in text.split(","):
        name, sep, value = item.partition("=")
        if not sep:
            raise ScoringInputError(f"--weights expects name=value pairs, got {item!r}")
        pairs[name.strip()] = value.strip()
    try:
        return resolve_weights(pairs)
    except ValueError as exc:
        raise ScoringInputError(f"--weights: {exc}") from None


def _kwargs(args) -> dict:
    from .config import ScoringConfig

    config = ScoringConfig(learned_metrics_dir=args.learned_dir, device=args.device)
    return {
        "prompt": args.prompt,
        "enable_pyiqa": not args.no_pyiqa,
        "expected_duration": args.expected_duration,
        "weights": _weights(args.weights),
        "config": config,
    }


def _score(path: str, args):
    from .scorer import score_video

    return score_video(path, args.hero, args.motion_prompt, **_kwargs(args))


def _print_report(report, name: str) -> None:
    print(f"{name}: overall {report.overall:.1f}/100  ({report.seconds:.2f} s, scorer {report.scorer_version})")
    width = max([len(d) for d in report.dimensions] + [9])
    for d, v in report.dimensions.items():
        print(f"  {d:<{width}}  {v:.4f}")
    for m, why in report.metrics_skipped.items():
        print(f"  {m:<{width}}  skipped: {why}")
    for k, v in report.labels.items():
        print(f"  {k}: {v}")
    if report.gate_failures:
        for g in report.gate_failures:
            print(f"  FAILED {g}")
    else:
        print("  checks: passed")


def _print_ranking(ranking, reports, videos) -> None:
    dims: list[str] = []
    for r in reports:
        for d in r.dimensions:
            if d not in dims:
                dims.append(d)
    names = [os.path.basename(v) for v in videos]
    nw = max(len(n) for n in names + ["video"])
    short = {d: d.replace("temporal_", "").replace("motion_", "m_").replace("_quality", "_q")[:10] for d in dims}
    head = (f"{'rank':>4}  {'video':<{nw}}  {'rel':>5}  {'overall':>7}  "
            + "  ".join(f"{short[d]:>10}" for d in dims) + "  checks")
    print(head)
    pos = {i: k + 1 for k, i in enumerate(ranking.order)}
    for i in ranking.order:
        r = reports[i]
        mark = "*" if i == ranking.best_index else " "
        cells = "  ".join(f"{r.dimensions[d]:>10.4f}" if d in r.dimensions else f"{'-':>10}" for d in dims)
        checks = "ok" if not r.gate_failures else ",".join(g.split(":", 1)[0] for g in r.gate_failures)
        print(f"{pos[i]:>3}{mark}  {names[i]:<{nw}}  {ranking.relative_scores[i]:>5.1f}  {r.overall:>7.1f}  "
              f"{cells}  {checks}")
    print()
    print(ranking.reason)
    for i in ranking.order:
        if i != ranking.best_index:
            print(f"  {names[i]}: {ranking.reasons[i]}")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from .errors import ScoringInputError

    try:
        if args.command == "score":
            report = _score(args.video, args)
            if args.json:
                print(json.dumps(report.to_dict(), indent=2))
            else:
                _print_report(report, os.path.basename(args.video))
        else:
            from .ranking import rank
            from .scorer import score_videos

            kwargs = _kwargs(args)
            results = score_videos(args.videos, args.hero, args.motion_prompt, workers=args.workers, **kwargs)
            for result in results:
                if isinstance(result, Exception):
                    raise result
            reports = results
            ranking = rank(reports, weights=kwargs["weights"])
            if args.json:
                out = ranking.to_dict()
                out["best_video"] = None if ranking.best_index is None else args.videos[ranking.best_index]
                out["attempts"] = [{"video": v, **r.to_dict()} for v, r in zip(args.videos, reports)]
                print(json.dumps(out, indent=2))
            else:
                _print_ranking(ranking, reports, args.videos)
    except ScoringInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(f"error: scoring failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    return 0


if __name__ == "__main__":
    sys.exit(main())
