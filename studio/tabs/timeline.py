"""Tab 4 · Timeline: an editor over the project's timeline versions.

A strip of clip thumbnails on their timeline times (transitions, text, music tracks) with a playhead; in/out by
dragging the sliders or typing; trim, split at the playhead, merge, ripple delete, reorder, duplicate;
transitions per cut; text overlays; music (library, by mood, or your own upload) with fades and ducking; a
colour grade and global fades; undo/redo, named saves, reopen and compare; a quick proxy preview; gap filling
through the attempts pipeline; export (9:16, 16:9, 1:1, 4:5; draft or delivery quality; crop or letterbox;
24–30 fps) with progress, cancel, thumbnail and a download named after the project and version.
Every edit is a version in the database, so a refresh or restart loses nothing.
"""
from dataclasses import dataclass
from typing import Any

import gradio as gr

from pipeline.errors import StudioError
from studio.components import bind, current_tab, poll, private, quick, user_errors
from studio.components.html import esc, job_finished, job_html
from studio.components.named_file import NamedFile
from studio.components.timeline_layout import NEW_OVERLAY, layout
from studio.components.timeline_view import (
    clip_choices,
    diff_html,
    gap_html,
    header_html,
    overlay_choices,
    strip_html,
    track_choices,
    version_choices,
)


def build(services, project_id, tabs):
    tab = current_tab()
    ui = layout()
    wire(services, ui, project_id, tab)


# ------------------------------------------------------------ output lists
def clip_fields(ui):
    return [ui.in_sl, ui.out_sl, ui.trans_type, ui.trans_dur]


def music_fields(ui):
    return [ui.music_dd, ui.m_volume, ui.m_offset, ui.m_start, ui.m_fade_in, ui.m_fade_out, ui.m_duck,
            ui.music_audio]


def view_outputs(ui):
    """Every output that shows a version (render() fills them all)."""
    return [ui.header, ui.strip, ui.playhead, ui.clip_dd, *clip_fields(ui), ui.ov_dd, ui.undo_btn, ui.redo_btn,
            ui.versions_dd, ui.compare_a, ui.compare_b, ui.view_state, ui.gap_timer, *music_fields(ui), ui.grade,
            ui.g_fade_in, ui.g_fade_out, ui.aspect, ui.fps, ui.gap_pos, ui.picks_row, ui.picks_note]


def export_parts(ui):
    return [ui.job_box, ui.export_timer, ui.cancel_btn, ui.export_video, ui.export_file, ui.export_thumb]


def overlay_fields(ui):
    return [ui.ov_text, ui.ov_font, ui.ov_size, ui.ov_colour, ui.ov_pos, ui.ov_x, ui.ov_y, ui.ov_start, ui.ov_end,
            ui.ov_anim, ui.ov_shadow]


# ------------------------------------------------------------ wiring
@dataclass
class Wiring:
    """What every section of the wiring shares: the services, the components, the project state, and the one
    auto-preview listener that follows each edit (one function, so the previews share one queue)."""
    services: Any
    ui: Any
    project_id: Any
    auto_preview: Any

    @property
    def view_outputs(self):
        return view_outputs(self.ui)

    def then_preview(self, event):
        event.then(self.auto_preview, [self.project_id, self.ui.auto_preview], self.ui.preview, **private)

    def edit_event(self, button, fn, inputs):
        """A button that runs one edit and shows the new version (then the preview, when asked for)."""
        self.then_preview(button.click(user_errors(fn), inputs, [*self.view_outputs, self.ui.gap_info], **private))

    def apply(self, pid, keep, op, at=None, **args):
        return apply(self.services, self.ui, pid, keep, op, at, **args)


def wire(services, ui, project_id, tab) -> None:
    """Connect the tab's events to the handlers below (in this order: Gradio numbers the listeners)."""
    w = Wiring(services, ui, project_id, bind(on_auto_preview, services))
    _wire_refresh(w, tab)
    _wire_clip_edits(w)
    _wire_overlays(w)
    _wire_music_look_versions(w)
    _wire_selection(w)
    _wire_gaps(w)
    _wire_export(w)


def _wire_refresh(w, tab):
    services, ui, project_id = w.services, w.ui, w.project_id
    refresh_outputs = [*w.view_outputs, ui.mood_dd, ui.gap_info, ui.export_job, *export_parts(ui)]
    project_id.change(lambda pid: refresh(services, ui, pid, None), project_id, refresh_outputs, **private)
    if tab is not None:
        tab.select(bind(refresh, services, ui), [project_id, ui.clip_dd], refresh_outputs, **private)
    ui.preview_btn.click(bind(on_preview, services), project_id, ui.preview, concurrency_id="timeline-preview",
                         **private)


def _wire_clip_edits(w):
    ui, project_id, apply, edit_event = w.ui, w.project_id, w.apply, w.edit_event
    clip_in = [project_id, ui.clip_dd, ui.view_state, ui.in_sl, ui.out_sl, ui.playhead]
    edit_event(ui.trim_btn, lambda pid, c, v, i, o, p: apply(pid, c, "trim", clip_id=need_clip(c), in_point=i,
                                                             out_point=o), clip_in)
    edit_event(ui.split_btn, lambda pid, c, v, i, o, p: apply(pid, c, "split_at_time", at=p, timeline_seconds=p),
               clip_in)
    edit_event(ui.merge_btn, lambda pid, c, v, i, o, p: apply(pid, c, "merge", clip_id=need_clip(c)), clip_in)
    edit_event(ui.delete_btn, lambda pid, c, v, i, o, p: apply(pid, None, "delete", clip_id=need_clip(c)), clip_in)
    edit_event(ui.dup_btn, lambda pid, c, v, i, o, p: apply(pid, c, "duplicate", clip_id=need_clip(c)), clip_in)
    edit_event(ui.up_btn, lambda pid, c, v, i, o, p: apply(pid, c, "move", clip_id=c, new_index=index_of(v, c) - 1),
               clip_in)
    edit_event(ui.down_btn, lambda pid, c, v, i, o, p: apply(pid, c, "move", clip_id=c, new_index=index_of(v, c) + 1),
               clip_in)
    trans_in = [project_id, ui.clip_dd, ui.trans_type, ui.trans_dur]
    edit_event(ui.trans_btn, lambda pid, c, t, d: apply(pid, c, "set_transition", clip_id=need_clip(c), type=t,
                                                      duration=d), trans_in)
    edit_event(ui.trans_all_btn, lambda pid, c, t, d: apply(pid, c, "set_all_transitions", type=t, duration=d),
               trans_in)


def _wire_overlays(w):
    ui, project_id, apply, edit_event = w.ui, w.project_id, w.apply, w.edit_event
    ov_fields = overlay_fields(ui)
    edit_event(ui.ov_add, lambda pid, c, o, *f: apply(pid, c, "add_overlay", **overlay_args(*f)),
               [project_id, ui.clip_dd, ui.ov_dd, *ov_fields])
    edit_event(ui.ov_update, lambda pid, c, o, *f: apply(pid, c, "update_overlay", overlay_id=need_overlay(o),
                                                          **overlay_args(*f)),
               [project_id, ui.clip_dd, ui.ov_dd, *ov_fields])
    edit_event(ui.ov_remove, lambda pid, c, o: apply(pid, c, "remove_overlay", overlay_id=need_overlay(o)),
               [project_id, ui.clip_dd, ui.ov_dd])
    ui.ov_dd.input(on_overlay, [ui.view_state, ui.ov_dd], ov_fields, **private)


def _wire_music_look_versions(w):
    services, ui, project_id, apply, edit_event = w.services, w.ui, w.project_id, w.apply, w.edit_event
    tl = services.timeline
    view = w.view_outputs
    edit_event(ui.music_btn, bind(music_apply, services, ui), [project_id, ui.clip_dd, *music_fields(ui)[:-1]])
    edit_event(ui.mood_btn, lambda pid, c, mood: apply(pid, c, "music_by_mood", mood=mood or ""),
               [project_id, ui.clip_dd, ui.mood_dd])
    edit_event(ui.look_btn, lambda pid, c, g, fi, fo: apply(pid, c, "set_look", grade=g, fade_in=fi, fade_out=fo),
               [project_id, ui.clip_dd, ui.grade, ui.g_fade_in, ui.g_fade_out])

    def render_(pid, view, clip_id=None):
        return render(services, ui, pid, view, clip_id)

    edit_event(ui.undo_btn, lambda pid, c: {**render_(pid, tl.undo(need_pid(pid)), c), ui.gap_info: gap_html(None)},
               [project_id, ui.clip_dd])
    edit_event(ui.redo_btn, lambda pid, c: {**render_(pid, tl.redo(need_pid(pid)), c), ui.gap_info: gap_html(None)},
               [project_id, ui.clip_dd])
    edit_event(ui.picks_btn, lambda pid: {**render_(pid, tl.add_new_picks(need_pid(pid))),
                                          ui.gap_info: gap_html(tl.suggest_gap(pid))}, project_id)
    edit_event(ui.rebuild_btn, lambda pid: {**render_(pid, tl.rebuild_from_picks(need_pid(pid))),
                                            ui.gap_info: gap_html(None)},
               [project_id])
    edit_event(ui.open_btn, lambda pid, c, n: {**render_(pid, tl.open_version(need_pid(pid), n), c),
                                            ui.gap_info: gap_html(None)}, [project_id, ui.clip_dd, ui.versions_dd])
    ui.save_btn.click(bind(on_save, services, ui), [project_id, ui.clip_dd, ui.save_name], view, **private)
    w.then_preview(ui.upload_btn.upload(bind(on_upload_clip, services, ui), [project_id, ui.upload_btn],
                                        [*view, ui.gap_info], **private))
    w.then_preview(ui.music_upload.upload(bind(on_upload_music, services, ui),
                                          [project_id, ui.clip_dd, ui.music_upload], view, **private))
    ui.compare_btn.click(bind(on_compare, services), [project_id, ui.compare_a, ui.compare_b], ui.diff_box,
                         **private)


def _wire_selection(w):
    services, ui, project_id = w.services, w.ui, w.project_id
    ui.clip_dd.input(bind(on_clip, ui), [project_id, ui.view_state, ui.clip_dd],
                     [ui.strip, ui.playhead, *clip_fields(ui)], **private)
    playhead = bind(on_playhead, ui)
    for event in (ui.playhead.release, ui.playhead.input):
        event(playhead, [ui.view_state, ui.playhead], [ui.strip, ui.clip_dd, *clip_fields(ui)],
              trigger_mode="always_last",
              **quick)
    ui.music_dd.input(bind(on_track, services), ui.music_dd, ui.music_audio, **private)


def _wire_gaps(w):
    services, ui, project_id = w.services, w.ui, w.project_id
    ui.gap_suggest.click(bind(on_suggest, services), project_id, [ui.gap_info, ui.gap_pos, ui.gap_len], **private)
    gap_in = [project_id, ui.clip_dd, ui.gap_pos, ui.gap_len, ui.gap_from, ui.gap_prompt, ui.gap_count]
    w.then_preview(ui.gap_btn.click(bind(on_fill, services, ui), gap_in, [*w.view_outputs, ui.gap_info],
                                    **private))
    ui.gap_timer.tick(bind(on_gap_tick, services, ui), [project_id, ui.view_state, ui.clip_dd], w.view_outputs,
                      **poll)


def _wire_export(w):
    services, ui, project_id = w.services, w.ui, w.project_id
    ui.export_btn.click(bind(on_export, services, ui), [project_id, ui.fit, ui.aspect, ui.fps, ui.quality],
                        [ui.export_job, *export_parts(ui), *w.view_outputs],
                        **private)
    ui.export_timer.tick(bind(on_poll, services, ui), ui.export_job, export_parts(ui), **poll)
    ui.cancel_btn.click(bind(on_cancel, services, ui), ui.export_job, export_parts(ui), **quick)


# ------------------------------------------------------------ rendering a version
def fields_of(ui, view, clip_id):
    clip = next((c for c in (view.clips if view else []) if c.id == clip_id), None)
    if clip is None:
        return {ui.in_sl: gr.Slider(value=0, maximum=1), ui.out_sl: gr.Slider(value=1, maximum=1)}
    t = clip.transition
    return {ui.in_sl: gr.Slider(value=clip.in_point, maximum=clip.source_duration),
            ui.out_sl: gr.Slider(value=clip.out_point, maximum=clip.source_duration),
            ui.trans_type: t["type"], ui.trans_dur: t["duration"] or 0.5}


def music_of(services, ui, edit):
    music = edit.get("music") or {}
    tracks = services.timeline.music_tracks()
    track = next((t for t in tracks if t["id"] == music.get("track")), None)
    return {ui.music_dd: gr.Dropdown(choices=track_choices(tracks), value=music.get("track", "")),
            ui.m_volume: music.get("volume", 0.3), ui.m_offset: music.get("start_offset", 0.0),
            ui.m_start: music.get("start", 0.0), ui.m_fade_in: music.get("fade_in", 0.0),
            ui.m_fade_out: music.get("fade_out", 2.0), ui.m_duck: music.get("ducking", 0.0),
            ui.music_audio: gr.Audio(value=track["file"] if track else None, visible=track is not None)}


def render(services, ui, pid, view, clip_id=None, at=None):
    """Every output that shows version ``view``, with ``clip_id`` selected (else the clip under the playhead
    ``at``, else the first) and the playhead at ``at`` (else at the selected clip's start)."""
    clips = view.clips
    ids = [c.id for c in clips]
    if clip_id not in ids and at is not None:
        under = [c.id for c in clips if c.start - 1e-6 <= at < c.start + c.length]
        clip_id = under[-1] if under else None
    clip_id = clip_id if clip_id in ids else (ids[0] if ids else None)
    start = next((c.start for c in clips if c.id == clip_id), 0.0)
    at = min(float(start if at is None else at), view.duration)
    versions = version_choices(services.timeline.versions(pid))
    edit = view.edit_list
    out = {ui.header: header_html(view), ui.strip: strip_html(view, clip_id, at),
           ui.playhead: gr.Slider(maximum=max(view.duration, 0.05), value=at),
           ui.clip_dd: gr.Dropdown(choices=clip_choices(view), value=clip_id),
           ui.ov_dd: gr.Dropdown(choices=[("— new text —", NEW_OVERLAY)] + overlay_choices(view)),
           ui.undo_btn: gr.Button(interactive=bool(view.can_undo)),
           ui.redo_btn: gr.Button(interactive=bool(view.can_redo)),
           ui.versions_dd: gr.Dropdown(choices=versions, value=view.version),
           ui.compare_a: gr.Dropdown(choices=versions, value=view.parent_version or view.version),
           ui.compare_b: gr.Dropdown(choices=versions, value=view.version),
           ui.view_state: view, ui.gap_timer: gr.Timer(active=any(c.pending for c in clips)),
           ui.grade: edit.get("grade", "none"), ui.g_fade_in: edit.get("fade_in", 0.0),
           ui.g_fade_out: edit.get("fade_out", 0.0), ui.aspect: edit.get("aspect_ratio", "16:9"),
           ui.fps: edit.get("fps", 24), ui.gap_pos: len(clips), **new_picks_outputs(ui, view)}
    return {**out, **fields_of(ui, view, clip_id), **music_of(services, ui, edit)}


def new_picks_outputs(ui, view):
    """An edited timeline never changes by itself: it says which picks it does not show and offers them."""
    picks = view.new_picks or []
    names = ", ".join(p.label for p in picks[:4]) + (" …" if len(picks) > 4 else "")
    note = (f"<b>{len(picks)} new pick{'s' if len(picks) != 1 else ''}</b> not on this timeline yet "
            f"({esc(names)}). Add {'them' if len(picks) != 1 else 'it'}?") if picks else ""
    return {ui.picks_row: gr.Row(visible=bool(picks)), ui.picks_note: note}


def export_outputs(ui, job):
    running = job is not None and not job_finished(job)
    result = (job.result if job else None) or {}
    done = job is not None and job.status == "succeeded"
    return {ui.job_box: job_html(job, "Export"), ui.export_timer: gr.Timer(active=running),
            ui.cancel_btn: gr.Button(visible=running),
            ui.export_video: gr.Video(value=result.get("file"), visible=True) if done else gr.skip(),
            ui.export_file: NamedFile(value=_offered(result.get("file"), result.get("download_name")),
                                      visible=True) if done else gr.skip(),
            ui.export_thumb: gr.Image(value=result.get("thumbnail"), visible=True) if done else gr.skip()}


@user_errors
def refresh(services, ui, pid, clip_id):
    if pid is None:
        return gr.skip()
    tl = services.timeline
    view = tl.get(pid)
    running = services.jobs.unfinished(pid, kind="export")
    out = render(services, ui, pid, view, clip_id)
    out[ui.mood_dd] = gr.Dropdown(choices=sorted({t["mood"] for t in tl.music_tracks() if not t.get("uploaded")}))
    out[ui.gap_info] = gap_html(tl.suggest_gap(pid))
    if running:
        return {**out, ui.export_job: running[0].id, **export_outputs(ui, running[0])}
    last = next((v for v in tl.versions(pid) if v.exported_file), None)
    file = last.exported_file if last else None
    return {**out, ui.export_job: None, ui.export_timer: gr.Timer(active=False),
            ui.cancel_btn: gr.Button(visible=False),
            ui.job_box: f"<small class='muted'>Last export: version {last.version}</small>" if last else "",
            ui.export_video: gr.Video(value=file, visible=file is not None),
            ui.export_file: NamedFile(value=_offered(file, last and last.download_name),
                                      visible=file is not None),
            ui.export_thumb: gr.Image(value=last.thumbnail if last else None,
                                      visible=bool(last and last.thumbnail))}


# ------------------------------------------------------------ preview
@user_errors
def on_preview(services, pid):
    return services.timeline.preview(need_pid(pid))["file"]


def on_auto_preview(services, pid, enabled):
    if not enabled or pid is None:
        return gr.skip()
    try:
        return services.timeline.preview(pid)["file"]
    except StudioError:
        return gr.skip()  # an empty timeline: nothing to show, and the edit already said why


# ------------------------------------------------------------ edits (each one a new version)
def need_pid(pid):
    if pid is None:
        raise StudioError("Open or create a project first.")
    return pid


def need_clip(clip_id):
    if not clip_id:
        raise StudioError("Select a clip first (the timeline may be empty: 'Rebuild from picks' or upload a clip).")
    return clip_id


def need_overlay(o):
    if not o or o == NEW_OVERLAY:
        raise StudioError("Choose the overlay to change in the 'Overlay' list.")
    return o


def apply(services, ui, pid, keep, op, at=None, **args):
    """Apply one edit operation and show the new version, keeping clip ``keep`` selected."""
    tl = services.timeline
    view = tl.apply(need_pid(pid), op, **args)
    return {**render(services, ui, pid, view, keep, at), ui.gap_info: gap_html(tl.suggest_gap(pid))}


def index_of(view, clip_id):
    return [c.id for c in view.clips].index(need_clip(clip_id))


def overlay_args(text, font, size, colour, pos, x, y, start, end, anim, shadow):
    args = {"text": text, "font": font, "size": int(size), "colour": colour, "position": pos, "start": start or 0.0,
            "end": end, "animation": anim, "shadow": shadow}
    if pos == "custom":
        args.update(x=x, y=y)
    return args


@user_errors
def on_overlay(view, overlay_id):
    o = next((o for o in (view.overlays if view else []) if o["id"] == overlay_id), None)
    if o is None:
        return gr.skip()
    return (o["text"], o["font"], o["size"], o["colour"], o["position"], o["x"] if o["x"] is not None else 0.5,
            o["y"] if o["y"] is not None else 0.5, o["start"], o["end"], o["animation"], o["shadow"])


def music_apply(services, ui, pid, c, track, vol, offset, start, f_in, f_out, duck):
    if not track:
        return apply(services, ui, pid, c, "set_music", track=None)
    return apply(services, ui, pid, c, "set_music", track=track, volume=vol, start_offset=offset, start=start,
                 fade_in=f_in, fade_out=f_out, ducking=duck)


@user_errors
def on_save(services, ui, pid, c, name):
    tl = services.timeline
    tl.save(need_pid(pid), name)
    gr.Info("Saved. Find it under 'Versions' to reopen it later.")
    return render(services, ui, pid, tl.get(pid), c)


@user_errors
def on_upload_clip(services, ui, pid, file):
    view = services.timeline.upload_clip(need_pid(pid), getattr(file, "name", None) or file)
    return {**render(services, ui, pid, view, view.clips[-1].id), ui.gap_info: gap_html(None)}


@user_errors
def on_upload_music(services, ui, pid, c, file):
    result = services.timeline.upload_music(need_pid(pid), getattr(file, "name", None) or file)
    return render(services, ui, pid, result["timeline"], c)


@user_errors
def on_compare(services, pid, a, b):
    if not a or not b:
        raise StudioError("Choose two versions to compare.")
    return diff_html(services.timeline.compare(need_pid(pid), a, b))


# ------------------------------------------------------------ selection and playhead (no new version)
@user_errors
def on_clip(ui, pid, view, clip_id):
    if not view:
        return gr.skip()
    start = next((c.start for c in view.clips if c.id == clip_id), 0.0)
    return {ui.strip: strip_html(view, clip_id, start), ui.playhead: start, **fields_of(ui, view, clip_id)}


@user_errors
def on_playhead(ui, view, at):
    if not view or not view.clips:
        return gr.skip()
    under = [c for c in view.clips if c.start - 1e-6 <= at < c.start + c.length]
    clip_id = under[-1].id if under else view.clips[-1].id
    return {ui.strip: strip_html(view, clip_id, at), ui.clip_dd: clip_id, **fields_of(ui, view, clip_id)}


@user_errors
def on_track(services, track_id):
    track = next((t for t in services.timeline.music_tracks() if t["id"] == track_id), None) if track_id else None
    return gr.Audio(value=track["file"] if track else None, visible=track is not None)


# ------------------------------------------------------------ gaps
@user_errors
def on_suggest(services, pid):
    gap = services.timeline.suggest_gap(need_pid(pid))
    if gap is None:
        raise StudioError("The last edit removed no time: enter a position and a length yourself.")
    return gap_html(gap), gap["position"], gap["duration"]


@user_errors
def on_fill(services, ui, pid, c, position, seconds, source, prompt, count):
    view = services.timeline.fill_gap(need_pid(pid), int(position or 0), float(seconds or 0), prompt, source,
                                      int(count))
    gr.Info(f"Generating {float(seconds):.2f} s in group {view.gap_group_id}; a still holds the place.")
    return {**render(services, ui, pid, view, c), ui.gap_info: gap_html(None)}


@user_errors
def on_gap_tick(services, ui, pid, view, c):
    if pid is None or not view:
        return {ui.gap_timer: gr.Timer(active=False)}
    fresh = services.timeline.get(pid)
    if fresh.version == view.version:
        return gr.skip()
    return render(services, ui, pid, fresh, c)


# ------------------------------------------------------------ export
@user_errors
def on_export(services, ui, pid, how, ratio, rate, quality):
    tl = services.timeline
    result = tl.export(need_pid(pid), how, aspect_ratio=ratio, fps=int(rate), quality=quality)
    return {ui.export_job: result["job_id"], **export_outputs(ui, services.jobs.get(result["job_id"])),
            **render(services, ui, pid, tl.get(pid))}


@user_errors
def on_poll(services, ui, jid):
    return export_outputs(ui, services.jobs.get(jid) if jid is not None else None)


@user_errors
def on_cancel(services, ui, jid):
    if jid is None:
        raise StudioError("No export is running.")
    return export_outputs(ui, services.jobs.cancel(jid))


def _offered(file: str | None, name: str | None) -> tuple[str, str] | str | None:
    """The export as the download box takes it: with its readable name when there is one."""
    return (file, name) if file and name else file
