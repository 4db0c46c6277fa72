"""Compare two edit lists: a structured, JSON-safe difference (clips added / removed / trimmed / moved,
transitions, overlays, music, settings, duration) plus one human sentence per change. Clips and overlays are
matched by id (a split gives two new ids, so it shows as one clip removed and two added)."""
from __future__ import annotations

import bisect
from typing import Any

from .edit_list import Clip, EditList, Overlay

SETTINGS = ("aspect_ratio", "fps", "grade", "fade_in", "fade_out")


def _clip(c: Clip, index: int) -> dict[str, Any]:
    return {"id": c.id, "label": c.display_name, "index": index, "source": c.source,
            "in_point": round(c.in_point, 3), "out_point": round(c.out_point, 3), "length": round(c.length, 3)}


def _overlay(o: Overlay) -> dict[str, Any]:
    return {"id": o.id, "text": o.text, "start": o.start, "end": o.end}


def _stable(order: list[int]) -> set[int]:
    """Positions (into ``order``) of a longest increasing subsequence: the clips that kept their relative
    order; the others moved."""
    if not order:
        return set()
    tails: list[int] = []
    tails_at: list[int] = []
    parent = [-1] * len(order)
    for i, value in enumerate(order):
        k = bisect.bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tails_at.append(i)
        else:
            tails[k] = value
            tails_at[k] = i
        parent[i] = tails_at[k - 1] if k else -1
    keep, i = set(), tails_at[-1]
    while i >= 0:
        keep.add(i)
        i = parent[i]
    return keep


def compare(before: EditList, after: EditList) -> dict[str, Any]:
    summary: list[str] = []
    b_clips = {c.id: (i, c) for i, c in enumerate(before.clips)}
    a_clips = {c.id: (i, c) for i, c in enumerate(after.clips)}
    added = [_clip(c, i) for i, c in enumerate(after.clips) if c.id not in b_clips]
    removed = [_clip(c, i) for i, c in enumerate(before.clips) if c.id not in a_clips]
    trimmed, transitions, replaced = [], [], []
    for i, c in enumerate(after.clips):
        if c.id not in b_clips:
            continue
        j, old = b_clips[c.id]
        if (old.in_point, old.out_point) != (c.in_point, c.out_point):
            trimmed.append({"id": c.id, "label": c.display_name, "before": _clip(old, j), "after": _clip(c, i),
                            "change": round(c.length - old.length, 3)})
            summary.append(f"Clip '{c.display_name}' trimmed: {old.in_point:.2f}–{old.out_point:.2f} s → "
                           f"{c.in_point:.2f}–{c.out_point:.2f} s of its source ({c.length - old.length:+.2f} s).")
        if old.source != c.source:
            replaced.append({"id": c.id, "label": c.display_name, "before": old.source, "after": c.source})
            summary.append(f"Clip '{c.display_name}' now shows {c.source} (was {old.source}).")
        if i and (old.transition != c.transition or j == 0):
            before_t = old.transition.describe() if j else "start of the timeline"
            if before_t != c.transition.describe():
                transitions.append({"clip_id": c.id, "label": c.display_name, "before": before_t,
                                    "after": c.transition.describe()})
                summary.append(f"Into '{c.display_name}': {before_t} → {c.transition.describe()}.")
    common_after = [c.id for c in after.clips if c.id in b_clips]
    order = [b_clips[cid][0] for cid in common_after]
    keep = _stable(order)
    moved = [{"id": cid, "label": a_clips[cid][1].display_name, "from": b_clips[cid][0], "to": a_clips[cid][0]}
             for k, cid in enumerate(common_after) if k not in keep]
    for m in moved:
        summary.append(f"Clip '{m['label']}' moved from position {m['from'] + 1} to {m['to'] + 1}.")
    for c in removed:
        summary.append(f"Clip '{c['label']}' removed ({c['length']:.2f} s).")
    for c in added:
        summary.append(f"Clip '{c['label']}' added at position {c['index'] + 1} ({c['length']:.2f} s).")

    b_ov = {o.id: o for o in before.overlays}
    a_ov = {o.id: o for o in after.overlays}
    ov_added = [_overlay(o) for o in after.overlays if o.id not in b_ov]
    ov_removed = [_overlay(o) for o in before.overlays if o.id not in a_ov]
    ov_changed = []
    for o in after.overlays:
        if o.id in b_ov and b_ov[o.id] != o:
            old, new = b_ov[o.id].model_dump(), o.model_dump()
            fields = {k: [old[k], new[k]] for k in new if old[k] != new[k]}
            ov_changed.append({"id": o.id, "text": o.text, "fields": fields})
            summary.append(f"Text '{o.short_text}' changed: {', '.join(fields)}.")
    summary += [f"Text '{o['text']}' added ({o['start']:.2f}–{o['end']:.2f} s)." for o in ov_added]
    summary += [f"Text '{o['text']}' removed." for o in ov_removed]

    music = None
    if before.music != after.music:
        old_m = before.music.model_dump() if before.music else None
        new_m = after.music.model_dump() if after.music else None
        fields = {k: [(old_m or {}).get(k), (new_m or {}).get(k)]
                  for k in sorted(set(old_m or {}) | set(new_m or {})) if (old_m or {}).get(k) != (new_m or {}).get(k)}
        music = {"before": old_m, "after": new_m, "fields": fields}
        if new_m is None:
            summary.append(f"Music '{old_m['track']}' removed.")
        elif old_m is None:
            summary.append(f"Music '{new_m['track']}' added at {new_m['volume'] * 100:.0f} %.")
        else:
            summary.append("Music changed: " + ", ".join(f"{k} {v[0]} → {v[1]}" for k, v in fields.items()) + ".")

    settings = {k: [getattr(before, k), getattr(after, k)] for k in SETTINGS if getattr(before, k) != getattr(after, k)}
    summary += [f"{k.replace('_', ' ').capitalize()}: {v[0]} → {v[1]}." for k, v in settings.items()]
    change = round(after.duration - before.duration, 3)
    if abs(change) > 1e-6:
        summary.append(f"Duration {before.duration:.2f} s → {after.duration:.2f} s ({change:+.2f} s).")
    return {
        "identical": before == after,
        "duration": {"before": round(before.duration, 3), "after": round(after.duration, 3), "change": change},
        "clips": {"count": [len(before.clips), len(after.clips)], "added": added, "removed": removed,
                  "trimmed": trimmed, "moved": moved, "replaced": replaced},
        "transitions": transitions,
        "overlays": {"added": ov_added, "removed": ov_removed, "changed": ov_changed},
        "music": music,
        "settings": settings,
        "summary": summary or ["No differences."],
    }
