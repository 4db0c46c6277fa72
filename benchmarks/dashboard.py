"""Dashboard speed at volume: 1,000 projects and 10,000 attempts in a temporary SQLite database.

    .venv/bin/python benchmarks/dashboard.py                 # from the repo root (about a minute on 2 cores)
    .venv/bin/python benchmarks/dashboard.py --projects 1000 --attempts 10000 --runs 5 --json out.json

Seeds with bulk inserts (migrated schema, realistic rows: 4 hero frames per project, 3 iterations per project,
10 score dimensions per scored attempt, system and user picks with feedback tags, finals on 60 % of projects,
JSON parameters like the engines write), then times, all projects unless noted:
- ``summary()`` (the API's default: every attempt row with its score dimensions) cold (a fresh engine and
  connection; the OS file cache is warm) and warm (median of N);
- ``summary(dimensions=False, row_limit=300)`` (what the tab asks for), alone and with filters (engine, tag,
  date range); one project's full summary; ``options()`` (the filter dropdowns);
- the Dashboard tab's render function (``studio.tabs.dashboard.render``: summary + the plot frames);
- ``export_csv()``.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import insert

from pipeline.services.dashboard import DashboardService
from storage.db import Database
from storage.media import MediaStore
from storage.models import GenerationGroup, HeroFrame, Project, QualityMetric, SelectionEvent, VideoAttempt

ENGINES = [("local-camera-motion", "Local camera-motion engine"), ("replicate:wan-2.2-i2v", "Wan 2.2 I2V"),
           ("replicate:kling-v2.1", "Kling v2.1"), ("diffusers:ltx-video", "LTX-Video (local)")]
DIMS = ["temporal_flickering", "motion_smoothness", "dynamic_degree", "motion_amount", "camera_motion",
        "i2v_subject", "i2v_background", "imaging_quality", "aesthetic_quality", "clip_score"]
TAGS = ["too chaotic", "not cinematic enough", "product distorted", "too static"]
TAB = {"dimensions": False, "row_limit": 300}  # what the Dashboard tab asks for


def seed(db: Database, projects: int, attempts: int, rng: random.Random) -> dict[str, int]:
    start = datetime(2026, 1, 1)
    groups_per_project = 3
    n_groups = projects * groups_per_project
    base, extra = divmod(attempts, n_groups)
    rows = {"projects": [], "frames": [], "groups": [], "attempts": [], "metrics": [], "events": []}
    finals: list[tuple[int, int]] = []
    group_id = attempt_id = frame_id = 0
    for p in range(1, projects + 1):
        created = start + timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        rows["projects"].append({"id": p, "name": f"Project {p}", "aspect_ratio": "16:9", "created_at": created,
                                 "updated_at": created})
        for f in range(4):
            frame_id += 1
            rows["frames"].append({"id": frame_id, "project_id": p, "prompt": f"product shot {p} variant {f}",
                                   "source": "generated", "engine": "local-previz", "model": "previz", "seed": f,
                                   "aspect_ratio": "16:9", "width": 1280, "height": 720,
                                   "image_path": f"frames/p{p}-{f}.png", "thumbnail_path": f"thumbs/p{p}-{f}.jpg",
                                   "is_favourite": False, "parameters": {"cost_usd": 0.0, "cost_known": True},
                                   "created_at": created})
        engine, model = ENGINES[p % len(ENGINES)]
        parent = None
        chosen_final = None
        for it in range(1, groups_per_project + 1):
            group_id += 1
            g_created = created + timedelta(hours=it)
            count = base + (1 if group_id <= extra else 0)
            rows["groups"].append({"id": group_id, "project_id": p, "hero_frame_id": frame_id,
                                   "motion_prompt": f"slow push in, take {it}", "negative_prompt": "shaky, blurry",
                                   "engine": engine, "model": model, "attempt_count": count, "duration": 5.0,
                                   "iteration_index": it, "parent_group_id": parent, "created_at": g_created,
                                   "selection_reason": "Best of the group", "estimated_cost_usd": 0.0})
            parent = group_id
            ids, scores = [], []
            for i in range(count):
                attempt_id += 1
                done = rng.random() > 0.05
                score = round(min(100.0, max(0.0, rng.gauss(70 + 5 * it, 12))), 2) if done else None
                ids.append(attempt_id)
                scores.append(score)
                rows["attempts"].append({
                    "id": attempt_id, "group_id": group_id, "index": i + 1, "seed": rng.randrange(2**31 - 1),
                    "status": "done" if done else "failed", "progress": 100.0, "overall_score": score,
                    "relative_score": rng.random() * 100 if done else None, "cost_usd": 0.0,
                    "video_path": f"attempts/g{group_id}-a{attempt_id}.mp4" if done else None,
                    "poster_path": f"posters/g{group_id}-a{attempt_id}.jpg" if done else None,
                    "duration": 5.0, "fps": 24.0, "width": 1280, "height": 720, "created_at": g_created,
                    "is_system_selected_best": False, "is_user_selected_best": False,
                    "parameters": {"motion_prompt": f"slow push in, take {it}", "negative_prompt": "shaky, blurry",
                                   "duration": 5.0, "fps": 24, "engine": engine, "hero_frame_id": frame_id,
                                   "model": model, "cost_known": True,
                                   "motion_plan": {"move": "push_in", "speed": 0.4, "easing": "ease_in_out",
                                                   "parallax": 0.3, "seed": attempt_id}}})
                if done:
                    rows["metrics"] += [{"attempt_id": attempt_id, "name": d, "value": rng.random(),
                                         "scorer_version": "2.0.0", "created_at": g_created} for d in DIMS]
            scored = [k for k, s in enumerate(scores) if s is not None]
            if not scored:
                continue
            system = max(scored, key=lambda k: scores[k])
            rows["attempts"][-count + system]["is_system_selected_best"] = True
            rows["events"].append({"group_id": group_id, "attempt_id": ids[system], "system_attempt_id": ids[system],
                                   "actor": "system", "reason": "Best of the group", "tags": [],
                                   "created_at": g_created})
            if rng.random() < 0.7:
                user = system if rng.random() < 0.6 else rng.choice(scored)
                rows["attempts"][-count + user]["is_user_selected_best"] = True
                rows["events"].append({"group_id": group_id, "attempt_id": ids[user], "system_attempt_id": ids[system],
                                       "actor": "user", "reason": "", "tags": rng.sample(TAGS, rng.randrange(0, 3)),
                                       "created_at": g_created})
                chosen_final = ids[user]
        if chosen_final is not None and rng.random() < 0.6:
            finals.append((p, chosen_final))
    with db.engine.begin() as conn:
        for model_cls, key in ((Project, "projects"), (HeroFrame, "frames"), (GenerationGroup, "groups"),
                               (VideoAttempt, "attempts"), (QualityMetric, "metrics"), (SelectionEvent, "events")):
            conn.execute(insert(model_cls), rows[key])
        from sqlalchemy import update

        for project_id, final_id in finals:
            conn.execute(update(Project).where(Project.id == project_id).values(
                final_attempt_id=final_id, final_set_at=start))
    return {k: len(v) for k, v in rows.items()} | {"finals": len(finals)}


def timed(fn, runs: int) -> dict[str, float]:
    """Wall and process-CPU milliseconds (median of ``runs``; SQLite runs in this process, so CPU time is the
    work itself, independent of other load on a shared machine)."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return {"median_ms": round(statistics.median(walls) * 1000, 1), "max_ms": round(max(walls) * 1000, 1),
            "cpu_ms": round(statistics.median(cpus) * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--attempts", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from studio.tabs.dashboard import render

    with tempfile.TemporaryDirectory(prefix="hfs-dashboard-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        db = Database(url)
        db.upgrade()
        started = time.perf_counter()
        counts = seed(db, args.projects, args.attempts, random.Random(7))
        seed_s = time.perf_counter() - started
        db.dispose()

        media = MediaStore(Path(tmp) / "media")
        cold_db = Database(url)  # a fresh engine: the first query opens the connection and reads the pages
        started, cpu = time.perf_counter(), time.process_time()
        summary = DashboardService(cold_db, media).summary()
        cold = {"ms": round((time.perf_counter() - started) * 1000, 1),
                "cpu_ms": round((time.process_time() - cpu) * 1000, 1)}
        dash = DashboardService(cold_db, media)
        services = SimpleNamespace(dashboard=dash)
        results = {
            "seed": {**counts, "seconds": round(seed_s, 1)},
            "summary_cold": cold,
            "summary_warm": timed(lambda: dash.summary(), args.runs),
            "tab_summary": timed(lambda: dash.summary(**TAB), args.runs),
            "summary_one_project": timed(lambda: dash.summary(project_id=args.projects // 2), args.runs),
            "tab_summary_engine_filter": timed(lambda: dash.summary(engine=ENGINES[1][0], **TAB), args.runs),
            "tab_summary_tag_filter": timed(lambda: dash.summary(tag="too static", **TAB), args.runs),
            "tab_summary_date_range": timed(lambda: dash.summary(date_from="2026-03-01", date_to="2026-05-31", **TAB),
                                            args.runs),
            "options": timed(lambda: dash.options(), args.runs),
            "tab_render_all_projects": timed(lambda: render(services, None, True), args.runs),
            "tab_render_one_project": timed(lambda: render(services, args.projects // 2, False), args.runs),
            "export_csv": timed(lambda: dash.export_csv(), max(1, args.runs // 2)),
        }
        results["check"] = {"groups": summary["groups"], "attempts": summary["attempts"],
                            "finals": len(summary["finals"]), "agreement": summary["agreement"]["rate"],
                            "iterations_per_final_median": summary["iterations_per_final"]["median"]}
        cold_db.dispose()
    width = max(len(k) for k in results)
    for key, value in results.items():
        print(f"{key:<{width}}  {json.dumps(value)}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
