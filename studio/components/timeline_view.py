"""HTML and choices for the Timeline tab, from the plain dicts of pipeline/services/timeline*.py.

The strip is drawn like an editor's tracks: clip thumbnails placed at their timeline times (transitions overlap
them), an overlay track, a music track, and the playhead. Thumbnails are inlined as small data URIs, so the
strip needs no file serving. Every value that comes from the user or the database is escaped.
"""
from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.services.views import TimelineVersionView
from studio.components.html import esc

TRANSITION_LABELS = {"cut": "Cut", "crossfade": "Crossfade", "fade_black": "Fade through black"}
TRANSITION_ICONS = {"crossfade": "⨯", "fade_black": "◐"}

CSS = """
.tl-editor {position:relative; width:100%; user-select:none; font-size:12px;}
.tl-ruler {position:relative; height:16px; color:var(--body-text-color-subdued); font-size:10px;}
.tl-ruler span {position:absolute; top:0; transform:translateX(-50%);}
.tl-track {position:relative; height:78px; margin:2px 0; background:var(--neutral-100); border-radius:6px;}
.tl-track.small {height:22px;}
.tl-block {position:absolute; top:2px; bottom:2px; border-radius:6px; overflow:hidden; border:2px solid #f59e0b;
  background:#fde68a center/cover no-repeat; color:#fff; box-sizing:border-box;}
.tl-block.selected {border-color:#2563eb; box-shadow:0 0 0 2px #93c5fd;}
.tl-block.pending {border-style:dashed; border-color:#7c3aed;}
.tl-block .tl-cap {position:absolute; left:0; right:0; bottom:0; padding:1px 4px; background:rgba(0,0,0,.55);
  white-space:nowrap; overflow:hidden; text-overflow:ellipsis; color:#fff !important; line-height:16px;}
.tl-block .tl-num {position:absolute; left:3px; top:2px; background:rgba(0,0,0,.6); border-radius:4px; padding:0 5px;
  color:#fff !important; font-weight:700; line-height:16px;}
.tl-tr {position:absolute; top:24px; transform:translateX(-50%); background:#2563eb; color:#fff; border-radius:8px;
  padding:0 5px; font-size:11px; z-index:2; white-space:nowrap;}
.tl-ov {position:absolute; top:2px; bottom:2px; background:#c7d2fe; border:1px solid #6366f1; border-radius:4px;
  color:#1e1b4b; padding:0 4px; overflow:hidden; white-space:nowrap; text-overflow:ellipsis; box-sizing:border-box;}
.tl-mus {position:absolute; top:2px; bottom:2px; background:#bbf7d0; border:1px solid #16a34a; border-radius:4px;
  color:#14532d; padding:0 4px; overflow:hidden; white-space:nowrap; box-sizing:border-box;}
.tl-playhead {position:absolute; top:14px; bottom:0; width:2px; background:#dc2626; z-index:3; pointer-events:none;}
.tl-playhead::before {content:''; position:absolute; top:-2px; left:-5px; border:6px solid transparent;
  border-top-color:#dc2626;}
.tl-diff li {margin:0;}
"""


@lru_cache(maxsize=512)
def _data_uri(path: str, mtime: float) -> str:
    data = Path(path).read_bytes()
    return "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")


def thumb_uri(path: str | None) -> str:
    if not path:
        return ""
    p = Path(path)
    try:
        return _data_uri(str(p), p.stat().st_mtime)
    except OSError:
        return ""


def _pct(t: float, total: float) -> float:
    return max(0.0, min(100.0, 100.0 * t / total)) if total > 0 else 0.0


def strip_html(view: TimelineVersionView | None, selected: str | None = None, playhead: float = 0.0) -> str:
    """The tracks: clips (thumbnails, number, length), transitions, overlays, music, ruler and playhead."""
    if not view or not view.clips:
        return ("<div class='muted'>The timeline is empty: pick attempts in the workspace, then 'Rebuild from "
                "picks', or upload a clip.</div>")
    clips, total = view.clips, max(view.duration, 1e-6)
    step = next(s for s in (0.5, 1, 2, 5, 10, 15, 30, 60) if total / s <= 12)
    ticks = "".join(f"<span style='left:{_pct(t * step, total):.3f}%'>{t * step:g}s</span>"
                    for t in range(int(total / step) + 1))
    blocks, marks = [], []
    for i, c in enumerate(clips):
        left, width = _pct(c.start, total), _pct(c.length, total)
        classes = "tl-block" + (" selected" if c.id == selected else "") + (" pending" if c.pending else "")
        uri = thumb_uri(c.thumbnail)
        style = f"left:{left:.3f}%;width:{width:.3f}%;" + (f"background-image:url({uri});" if uri else "")
        caption = "generating…" if c.pending else esc(c.label)
        blocks.append(f"<div class='{classes}' style='{style}' title='{esc(c.label)} · {c.length:.2f} s'>"
                      f"<span class='tl-num'>{i + 1}</span><div class='tl-cap'>{caption} · {c.length:.2f}s"
                      f"</div></div>")
        t = c.transition or {}
        if i and t.get("type", "cut") != "cut":
            marks.append(f"<div class='tl-tr' style='left:{_pct(c.start + t['duration'] / 2, total):.3f}%' "
                         f"title='{esc(TRANSITION_LABELS[t['type']])}'>{TRANSITION_ICONS[t['type']]} "
                         f"{t['duration']:g}s</div>")
    overlays = "".join(
        f"<div class='tl-ov' style='left:{_pct(o['start'], total):.3f}%;"
        f"width:{max(0.5, _pct(min(o['end'], total), total) - _pct(o['start'], total)):.3f}%' "
        f"title='{esc(o['text'])}'>T {esc(o['text'])}</div>"
        for o in view.overlays if o["start"] < total)
    music = (view.edit_list or {}).get("music")
    music_bar = ""
    if music:
        start = min(music.get("start", 0.0), total)
        left = _pct(start, total)
        music_bar = (f"<div class='tl-mus' style='left:{left:.3f}%;width:{100 - left:.3f}%'>"
                     f"♪ {esc(Path(music['track']).stem)} · {music['volume'] * 100:.0f}%"
                     f"{' · ducking' if music.get('ducking') else ''}</div>")
    head = f"<div class='tl-playhead' style='left:{_pct(playhead, total):.3f}%'></div>"
    return (f"<div class='tl-editor'><div class='tl-ruler'>{ticks}</div>{head}"
            f"<div class='tl-track'>{''.join(blocks)}{''.join(marks)}</div>"
            f"<div class='tl-track small'>{overlays}</div><div class='tl-track small'>{music_bar}</div></div>")


def header_html(view: TimelineVersionView | None) -> str:
    if not view:
        return ""
    edit = view.edit_list
    name = f" · <b>{esc(view.name)}</b>" if view.name else ""
    kind = " <span class='pick-badge'>saved</span>" if view.kind == "saved" else \
        " <span class='engine-badge'>draft</span>"
    look = [f"{esc(edit.get('aspect_ratio'))}", f"{edit.get('fps')} fps"]
    if edit.get("grade", "none") != "none":
        look.append(f"grade {esc(edit['grade'])}")
    if edit.get("fade_in") or edit.get("fade_out"):
        look.append(f"fades {edit.get('fade_in', 0):g}/{edit.get('fade_out', 0):g} s")
    return (f"<div><b>Version {view.version}</b>{name}{kind} · {len(view.clips)} clip(s) · total "
            f"<b>{view.duration:.2f} s</b> · {' · '.join(look)}"
            f"<br><small class='muted'>{esc(view.note or '')}</small></div>")


def clip_choices(view: TimelineVersionView | None) -> list[tuple[str, str]]:
    clips = view.clips if view else []
    return [(f"{i + 1} · {c.label} ({c.length:.2f} s)", c.id) for i, c in enumerate(clips)]


def overlay_choices(view: TimelineVersionView | None) -> list[tuple[str, str]]:
    return [(f"“{o['text'][:30]}” {o['start']:g}–{o['end']:g} s", o["id"]) for o in (view.overlays if view else [])]


def version_choices(versions: list[TimelineVersionView]) -> list[tuple[str, int]]:
    out = []
    for v in versions:
        mark = "★ " if v.kind == "saved" else ""
        current = " (current)" if v.is_head else ""
        text = v.name or v.note or ""
        out.append((f"{mark}v{v.version}{current} · {text}"[:90], v.version))
    return out


def track_choices(tracks: list[dict[str, Any]]) -> list[tuple[str, str]]:
    out = [("— no music —", "")]
    for t in tracks:
        if t.get("uploaded"):
            out.append((f"{t['title']} — your upload", t["id"]))
        else:
            out.append((f"{t['title']} — {t['mood']}, {t['tempo_bpm']} bpm, {t['length_seconds']:.0f} s", t["id"]))
    return out


def diff_html(diff: dict[str, Any] | None) -> str:
    if not diff:
        return ""
    a, b = diff["a"], diff["b"]
    d = diff["duration"]
    items = "".join(f"<li>{esc(line)}</li>" for line in diff["summary"])
    counts = diff["clips"]
    return (f"<div class='tl-diff'><b>v{a['version']} → v{b['version']}</b> · duration {d['before']:.2f} s → "
            f"{d['after']:.2f} s ({d['change']:+.2f} s) · clips {counts['count'][0]} → {counts['count'][1]} · "
            f"{len(counts['added'])} added, {len(counts['removed'])} removed, {len(counts['trimmed'])} trimmed, "
            f"{len(counts['moved'])} moved<ul>{items}</ul></div>")


def gap_html(gap: dict[str, Any] | None) -> str:
    if not gap:
        return "<small class='muted'>The last edit left no gap. Enter a position and a length to add one.</small>"
    return (f"<small>{esc(gap['reason'])} A {gap['duration']:.2f} s gap at position {gap['position']} is filled "
            f"in below.</small>")
