"""A synced player: 2–4 videos side by side (or a 2-up A/B wipe) driven by ONE control bar — play/pause, seek,
loop, step ±1 frame at the clip's frame rate, speed. The first video is the master clock; the others follow it
(a small playback-rate nudge for drift over half a frame, a seek for drift over 0.25 s; exact alignment on pause,
seek and step). Each video shows its score badge, the pick marks and its dimension breakdown.

`synced_player(elem_id)` makes the gr.HTML; `player_html(items, mode, fps)` renders its value. Videos are served
by Gradio from the media root (an allowed path) as `gradio_api/file=<absolute path>` — in team mode from a Gradio
cache copy, since the media root itself is not served by path there.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

import gradio as gr

from pipeline.services.views import AttemptView
from studio.components.html import badge, esc, score_table_html, shown_score

MODES = ("grid", "wipe")
MAX_VIDEOS = 4

JS = r"""
const S = {playing: false, loop: true, rate: 1, raf: 0, wipe: 50, dragging: false};
const q = (sel) => element.querySelector(sel);
const vids = () => Array.from(element.querySelectorAll('video.sp-video'));
const fps = () => parseFloat((q('.sp-root') || {dataset: {}}).dataset.fps || '24') || 24;
const frameOf = (t) => Math.floor(t * fps() + 1e-4);
function ui() {
  const m = vids()[0]; if (!m) return;
  const f = fps(), total = Math.max(1, Math.round((m.duration || 0) * f));
  const now = Math.min(total, frameOf(m.currentTime));
  const seek = q('.sp-seek');
  if (seek) { seek.max = String(total); if (!S.dragging) seek.value = String(now); }
  const time = q('.sp-time');
  if (time) time.textContent = `${m.currentTime.toFixed(2)} s · frame ${now} / ${total}`;
  const toggle = q('[data-act="toggle"]');
  if (toggle) toggle.textContent = S.playing ? '❚❚ Pause' : '▶ Play';
}
function apply() {
  vids().forEach(v => { v.muted = true; v.loop = S.loop; v.playbackRate = S.rate; });
  const loop = q('.sp-loop'); if (loop) loop.checked = S.loop;
  const rate = q('.sp-rate'); if (rate) rate.value = String(S.rate);
  const wipe = q('.sp-wipe'); if (wipe) wipe.value = String(S.wipe);
  const top = q('.sp-wipe-top'); if (top) top.style.clipPath = `inset(0 0 0 ${S.wipe}%)`;
  const line = q('.sp-wipe-line'); if (line) line.style.left = `${S.wipe}%`;
  ui();
}
function follow() {
  const [m, ...rest] = vids(); if (!m) return;
  const half = 0.5 / fps();
  rest.forEach(v => {
    const drift = v.currentTime - m.currentTime;
    if (m.paused || Math.abs(drift) > 0.25) {
      if (Math.abs(drift) > 1e-3) v.currentTime = m.currentTime;
      v.playbackRate = S.rate;
    } else {
      v.playbackRate = Math.abs(drift) > half ? S.rate * (drift > 0 ? 0.92 : 1.08) : S.rate;
    }
    if (!m.paused && v.paused) v.play().catch(() => {});
  });
}
function tick() { follow(); ui(); S.raf = S.playing ? requestAnimationFrame(tick) : 0; }
function align(t) {
  const vs = vids(); if (!vs.length) return;
  const f = fps(), end = Math.max(0, (vs[0].duration || t) - 0.5 / f);
  const target = Math.max(0, Math.min(t, end));
  vs.forEach(v => { v.currentTime = target; });
}
function play() {
  const vs = vids(); if (!vs.length) return;
  apply();
  const m = vs[0];
  if (m.ended || m.currentTime >= (m.duration || 0) - 0.01) align(0);
  vs.slice(1).forEach(v => { v.currentTime = m.currentTime; });
  S.playing = true;
  vs.forEach(v => v.play().catch(() => {}));
  if (!S.raf) S.raf = requestAnimationFrame(tick);
}
function pause() {
  S.playing = false;
  const vs = vids(); vs.forEach(v => v.pause());
  if (vs[0]) align(vs[0].currentTime);
  ui();
}
function seekFrame(n) {
  const wasPlaying = S.playing;
  if (wasPlaying) { S.playing = false; vids().forEach(v => v.pause()); }
  align((Math.max(0, n) + 0.5) / fps());
  setTimeout(ui, 50);
  if (wasPlaying) play();
}
function step(k) { pause(); const m = vids()[0]; if (m) seekFrame(frameOf(m.currentTime) + k); }
element.addEventListener('click', (e) => {
  const b = e.target.closest('[data-act]'); if (!b || !element.contains(b)) return;
  const act = b.dataset.act;
  if (act === 'toggle') { S.playing ? pause() : play(); }
  else if (act === 'play') play();
  else if (act === 'pause') pause();
  else if (act === 'start') { pause(); seekFrame(0); }
  else if (act.startsWith('step')) step(parseInt(b.dataset.n || '1', 10));
});
element.addEventListener('input', (e) => {
  const t = e.target;
  if (t.classList.contains('sp-seek')) { S.dragging = true; seekFrame(parseInt(t.value, 10) || 0); S.dragging = false; }
  else if (t.classList.contains('sp-wipe')) { S.wipe = parseFloat(t.value) || 0; apply(); }
});
element.addEventListener('change', (e) => {
  const t = e.target;
  if (t.classList.contains('sp-loop')) { S.loop = t.checked; apply(); }
  else if (t.classList.contains('sp-rate')) { S.rate = parseFloat(t.value) || 1; apply(); }
});
element.addEventListener('ended', () => { if (!S.loop) pause(); }, true);
element.addEventListener('loadedmetadata', () => ui(), true);
element.addEventListener('seeked', () => { if (!S.playing) ui(); }, true);
watch('value', () => { S.playing = false; if (S.raf) cancelAnimationFrame(S.raf); S.raf = 0; apply(); });
apply();
"""

CSS = """
.sp-root { display: flex; flex-direction: column; gap: 8px; }
.sp-grid { display: grid; gap: 8px; grid-template-columns: repeat(var(--sp-cols, 2), minmax(0, 1fr)); }
.sp-cell { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 6px;
  background: var(--block-background-fill); }
.sp-cell.sp-final { border: 2px solid #16a34a; }
.sp-video { width: 100%; display: block; border-radius: 6px; background: #000; aspect-ratio: 16 / 9; }
.sp-head { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin-bottom: 4px; font-size: 0.9em; }
.sp-score { font-weight: 700; padding: 1px 8px; border-radius: 10px; background: #1e293b; color: #fff; }
.sp-final-badge { background: #16a34a; color: #fff; padding: 1px 8px; border-radius: 10px; font-weight: 700; }
.sp-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; padding: 6px; border-radius: 8px;
  background: var(--background-fill-secondary); }
.sp-bar button { padding: 3px 10px; border-radius: 6px; border: 1px solid var(--border-color-primary);
  background: var(--button-secondary-background-fill); cursor: pointer; }
.sp-seek { flex: 1; min-width: 160px; }
.sp-time { font-variant-numeric: tabular-nums; min-width: 150px; font-size: 0.9em; }
.sp-wipe-box { position: relative; width: 100%; }
.sp-wipe-box .sp-video { width: 100%; }
.sp-wipe-top { position: absolute; inset: 0; height: 100%; }
.sp-wipe-line { position: absolute; top: 0; bottom: 0; width: 2px; background: #f59e0b; pointer-events: none; }
.sp-tag { position: absolute; top: 6px; padding: 1px 6px; border-radius: 4px; background: rgba(0,0,0,.6); color: #fff;
  font-size: 0.8em; }
.sp-tag.a { left: 6px; } .sp-tag.b { right: 6px; }
.sp-empty { color: var(--body-text-color-subdued); padding: 12px; }
"""


def synced_player(elem_id: str, **kwargs: Any) -> gr.HTML:
    return gr.HTML(player_html([]), js_on_load=JS, css_template=CSS, elem_id=elem_id, **kwargs)


def media_url(path: str | None) -> str:
    """The URL Gradio serves a media-root file under (relative, so it works under a root path too). In team mode
    the media root is not served by path (studio/media_gate.py): the URL is that of a Gradio cache copy."""
    if not path:
        return ""
    from studio.media_gate import cache_copy, serving_copies

    if serving_copies():
        path = cache_copy(str(path))
    return f"gradio_api/file={quote(str(path))}"


def player_html(items: list[dict[str, Any]], mode: str = "grid", fps: float | None = None,
                empty: str = "Pick attempts to compare.") -> str:
    """items: {label, video, poster?, score?, scores?, system_pick?, user_pick?, final?} (at most 4; the wipe
    uses the first two). fps: the frame rate steps use (default the first item's, else 24)."""
    items = [i for i in items if i.get("video")][:MAX_VIDEOS]
    if not items:
        return f"<div class='sp-root' data-fps='24'><div class='sp-empty'>{esc(empty)}</div></div>"
    mode = mode if mode in MODES and len(items) >= 2 else "grid"
    rate = float(fps or items[0].get("fps") or 24.0)
    if mode == "wipe":
        a, b = items[0], items[1]
        body = (f"<div class='sp-wipe-box'>{_video(a)}<div class='sp-wipe-top'>{_video(b)}</div>"
                f"<div class='sp-wipe-line' style='left:50%'></div><span class='sp-tag a'>A · {esc(a['label'])}"
                f"</span><span class='sp-tag b'>B · {esc(b['label'])}</span></div>"
                f"<div class='sp-grid' style='--sp-cols:2'>{_info(a, 'A')}{_info(b, 'B')}</div>")
        wipe = "<label>wipe <input type='range' class='sp-wipe' min='0' max='100' value='50'></label>"
    else:
        cells = "".join(f"<div class='sp-cell{' sp-final' if i.get('final') else ''}'>{_head(i)}{_video(i)}"
                        f"{_breakdown(i)}</div>" for i in items)
        body = f"<div class='sp-grid' style='--sp-cols:{min(len(items), 4)}'>{cells}</div>"
        wipe = ""
    bar = ("<div class='sp-bar'>"
           "<button data-act='start' title='Back to the first frame'>|◀</button>"
           "<button data-act='step' data-n='-1' title='One frame back'>◀ 1f</button>"
           "<button data-act='toggle' class='sp-toggle'>▶ Play</button>"
           "<button data-act='step' data-n='1' title='One frame forward'>1f ▶</button>"
           "<input type='range' class='sp-seek' min='0' max='1' step='1' value='0' aria-label='seek'>"
           "<span class='sp-time'>0.00 s</span>"
           "<label><input type='checkbox' class='sp-loop' checked> loop</label>"
           "<select class='sp-rate' aria-label='speed'><option value='0.25'>¼×</option><option value='0.5'>½×"
           "</option><option value='1' selected>1×</option><option value='2'>2×</option></select>"
           f"{wipe}</div>")
    return f"<div class='sp-root' data-fps='{rate:g}' data-mode='{mode}' data-count='{len(items)}'>{body}{bar}</div>"


def _video(item: dict[str, Any]) -> str:
    poster = f" poster='{esc(media_url(item['poster']))}'" if item.get("poster") else ""
    return (f"<video class='sp-video' src='{esc(media_url(item['video']))}'{poster} muted playsinline loop "
            f"preload='auto' data-label='{esc(item['label'])}'></video>")


def _marks(item: dict[str, Any]) -> str:
    marks = []
    if item.get("final"):
        marks.append("<span class='sp-final-badge'>FINAL</span>")
    if item.get("system_pick"):
        marks.append(badge("★ System pick", "pick-badge"))
    if item.get("user_pick"):
        marks.append(badge("✔ Your pick", "user-badge"))
    return "".join(marks)


def _head(item: dict[str, Any]) -> str:
    score = item.get("score")
    title = esc(item.get("score_help") or "overall score (0–100)")
    badge_html = f"<span class='sp-score' title='{title}'>{score:.1f}</span>" if score is not None else ""
    return f"<div class='sp-head'><b>{esc(item['label'])}</b>{badge_html}{_marks(item)}</div>"


def _breakdown(item: dict[str, Any]) -> str:
    scores = item.get("scores") or {}
    if not scores:
        return ""
    return f"<details><summary><small>score breakdown</small></summary>{score_table_html(scores)}</details>"


def _info(item: dict[str, Any], letter: str) -> str:
    return f"<div class='sp-cell'>{_head({**item, 'label': f'{letter} · ' + item['label']})}{_breakdown(item)}</div>"


def attempt_items(attempts: list[AttemptView], final_id: int | None = None, prefix: str = "") -> list[dict]:
    """Player items from attempt views (services.attempts.group(...).attempts, or compare_attempts' with their
    label and is_final)."""
    return [{"label": getattr(a, "label", None) or f"{prefix}Attempt {a.index}", "video": a.video, "poster": a.poster,
             "score": shown_score(a)[0], "score_help": shown_score(a)[1], "scores": a.scores,
             "fps": a.fps,
             "system_pick": a.is_system_selected_best, "user_pick": a.is_user_selected_best,
             "final": getattr(a, "is_final", False) or (final_id is not None and a.id == final_id), "attempt_id": a.id}
            for a in attempts if a.video and a.status == "done"]
