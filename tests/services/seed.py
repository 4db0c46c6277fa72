"""Seeding helpers for the workspace, library and dashboard tests: real frames and attempts through the services
(immediate queue, 2 s clips), or plain rows for numbers that need no media."""
from __future__ import annotations

from datetime import datetime

from storage.models import GenerationGroup, HeroFrame, Project, QualityMetric, SelectionEvent, VideoAttempt


def hero(services, project, prompt="a red sneaker on a pedestal, neon", seed=42):
    """Generate 4 candidate frames and make the first one the hero."""
    started = services.hero_frames.generate(project.id, prompt, 4, "16:9", seed)
    assert services.jobs.get(started["job_id"]).status == "succeeded"
    frame = services.hero_frames.list(project.id)[-1]
    services.projects.select_hero_frame(project.id, frame.id)
    return frame


def group(services, project, motion="slow push in", count=2, seed=5, negative=""):
    """A finished, scored group of short attempts."""
    started = services.attempts.start_group(project.id, motion, negative, count, duration=2.0, seed=seed)
    view = services.attempts.group(started.id)
    assert all(a.status == "done" for a in view.attempts), [a.error for a in view.attempts]
    return view


def rows(services, name="rows", groups=(), final=None):
    """A project with plain rows: groups = [{engine, model, created, iteration, scores: [..], system: i,
    user: i|None, tags: [..], dims: {..}, band: "clear"|"slight"|"tie" (the system pick's margin band)}];
    final = (group number, attempt number). Returns the ids."""
    with services.db.session() as session:
        project = Project(name=name, aspect_ratio="16:9")
        session.add(project)
        session.flush()
        frame = HeroFrame(project_id=project.id, prompt=f"{name} frame", engine="local-previz", aspect_ratio="16:9",
                          width=64, height=36, image_path=f"frames/{name}.png", thumbnail_path=f"thumbs/{name}.jpg")
        session.add(frame)
        session.flush()
        made = []
        parent = None
        for spec in groups:
            g = GenerationGroup(project_id=project.id, hero_frame_id=frame.id, motion_prompt=spec.get("motion", "x"),
                                engine=spec.get("engine", "local-camera-motion"), model=spec.get("model", "m1"),
                                attempt_count=len(spec["scores"]), duration=2.0,
                                iteration_index=spec.get("iteration", 1), parent_group_id=parent,
                                created_at=spec.get("created", datetime(2026, 1, 1)))
            session.add(g)
            session.flush()
            parent = g.id if spec.get("chain") else None
            attempts = []
            for i, score in enumerate(spec["scores"]):
                a = VideoAttempt(group_id=g.id, index=i + 1, seed=i, status="done" if score is not None else "failed",
                                 overall_score=score, is_system_selected_best=spec.get("system") == i,
                                 is_user_selected_best=spec.get("user") == i, cost_usd=spec.get("cost", 0.0),
                                 score_details={"ranking": {"pick_confidence": spec["band"]}}
                                 if spec.get("band") and spec.get("system") == i else None,
                                 created_at=spec.get("created", datetime(2026, 1, 1)))
                session.add(a)
                session.flush()
                for dim, value in spec.get("dims", {}).items():
                    session.add(QualityMetric(attempt_id=a.id, name=dim, value=value, scorer_version="t"))
                attempts.append(a.id)
            if spec.get("user") is not None:
                system = attempts[spec["system"]] if spec.get("system") is not None else None
                session.add(SelectionEvent(group_id=g.id, attempt_id=attempts[spec["user"]], system_attempt_id=system,
                                           actor="user", tags=spec.get("tags", [])))
            made.append({"group_id": g.id, "attempt_ids": attempts})
        if final is not None:
            project.final_attempt_id = made[final[0]]["attempt_ids"][final[1]]
        return {"project_id": project.id, "frame_id": frame.id, "groups": made}
