"""Tab 4 · Timeline: an editor over the project's timeline versions.

A strip of clip thumbnails on their timeline times (transitions, text, music tracks) with a playhead; in/out by
dragging the sliders or typing; trim, split at the playhead, merge, ripple delete, reorder, duplicate;
transitions per cut; text overlays; music (library, by mood, or your own upload) with fades and ducking; a
colour grade and global fades; undo/redo, named saves, reopen and compare; a quick proxy preview; gap filling
through the attempts pipeline; export (9:16, 16:9, 1:1, 4:5; draft or delivery quality; crop or letterbox;
24–30 fps) with progress, cancel, thumbnail and a download named after the project and version.
Every edit is a version in the database, so a refresh or restart loses nothing.
"""
import gradio as gr

from pipeline.errors import StudioError
from studio.components import current_tab, poll, private, quick, user_errors
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
    tl = services.timeline
    ui = layout()

    # ------------------------------------------------------------ rendering a version
    clip_fields = [ui.in_sl, ui.out_sl, ui.trans_type, ui.trans_dur]
    music_fields = [ui.music_dd, ui.m_volume, ui.m_offset, ui.m_start, ui.m_fade_in, ui.m_fade_out, ui.m_duck,
                    ui.music_audio]
    view_outputs = [ui.header, ui.strip, ui.playhead, ui.clip_dd, *clip_fields, ui.ov_dd, ui.undo_btn, ui.redo_btn,
                    ui.versions_dd, ui.compare_a, ui.compare_b, ui.view_state, ui.gap_timer, *music_fields, ui.grade,
                    ui.g_fade_in, ui.g_fade_out, ui.aspect, ui.fps, ui.gap_pos, ui.picks_row, ui.picks_note]

    def fields_of(view, clip_id):
        clip = next((c for c in (view or {}).get("clips", []) if c["id"] == clip_id), None)
        if clip is None:
            return {ui.in_sl: gr.Slider(value=0, maximum=1), ui.out_sl: gr.Slider(value=1, maximum=1)}
        t = clip["transition"]
        return {ui.in_sl: gr.Slider(value=clip["in_point"], maximum=clip["source_duration"]),
                ui.out_sl: gr.Slider(value=clip["out_point"], maximum=clip["source_duration"]),
                ui.trans_type: t["type"], ui.trans_dur: t["duration"] or 0.5}

    def music_of(edit):
        music = edit.get("music") or {}
        tracks = tl.music_tracks()
        track = next((t for t in tracks if t["id"] == music.get("track")), None)
        return {ui.music_dd: gr.Dropdown(choices=track_choices(tracks), value=music.get("track", "")),
                ui.m_volume: music.get("volume", 0.3), ui.m_offset: music.get("start_offset", 0.0),
                ui.m_start: music.get("start", 0.0), ui.m_fade_in: music.get("fade_in", 0.0),
                ui.m_fade_out: music.get("fade_out", 2.0), ui.m_duck: music.get("ducking", 0.0),
                ui.music_audio: gr.Audio(value=track["file"] if track else None, visible=track is not None)}

    def render(pid, view, clip_id=None, at=None):
        """Every output that shows version ``view``, with ``clip_id`` selected (else the clip under the playhead
        ``at``, else the first) and the playhead at ``at`` (else at the selected clip's start)."""
        clips = view["clips"]
        ids = [c["id"] for c in clips]
        if clip_id not in ids and at is not None:
            under = [c["id"] for c in clips if c["start"] - 1e-6 <= at < c["start"] + c["length"]]
            clip_id = under[-1] if under else None
        clip_id = clip_id if clip_id in ids else (ids[0] if ids else None)
        start = next((c["start"] for c in clips if c["id"] == clip_id), 0.0)
        at = min(float(start if at is None else at), view["duration"])
        versions = version_choices(tl.versions(pid))
        edit = view["edit_list"]
        out = {ui.header: header_html(view), ui.strip: strip_html(view, clip_id, at),
               ui.playhead: gr.Slider(maximum=max(view["duration"], 0.05), value=at),
               ui.clip_dd: gr.Dropdown(choices=clip_choices(view), value=clip_id),
               ui.ov_dd: gr.Dropdown(choices=[("— new text —", NEW_OVERLAY)] + overlay_choices(view)),
               ui.undo_btn: gr.Button(interactive=bool(view.get("can_undo"))),
               ui.redo_btn: gr.Button(interactive=bool(view.get("can_redo"))),
               ui.versions_dd: gr.Dropdown(choices=versions, value=view["version"]),
               ui.compare_a: gr.Dropdown(choices=versions, value=view.get("parent_version") or view["version"]),
               ui.compare_b: gr.Dropdown(choices=versions, value=view["version"]),
               ui.view_state: view, ui.gap_timer: gr.Timer(active=any(c.get("pending") for c in clips)),
               ui.grade: edit.get("grade", "none"), ui.g_fade_in: edit.get("fade_in", 0.0),
               ui.g_fade_out: edit.get("fade_out", 0.0), ui.aspect: edit.get("aspect_ratio", "16:9"),
               ui.fps: edit.get("fps", 24), ui.gap_pos: len(clips), **new_picks_outputs(view)}
        return {**out, **fields_of(view, clip_id), **music_of(edit)}

    def new_picks_outputs(view):
        """An edited timeline never changes by itself: it says which picks it does not show and offers them."""
        picks = view.get("new_picks") or []
        names = ", ".join(p["label"] for p in picks[:4]) + (" …" if len(picks) > 4 else "")
        note = (f"<b>{len(picks)} new pick{'s' if len(picks) != 1 else ''}</b> not on this timeline yet "
                f"({esc(names)}). Add {'them' if len(picks) != 1 else 'it'}?") if picks else ""
        return {ui.picks_row: gr.Row(visible=bool(picks)), ui.picks_note: note}

    def export_outputs(job):
        running = job is not None and not job_finished(job)
        result = (job or {}).get("result") or {}
        done = job is not None and job["status"] == "succeeded"
        return {ui.job_box: job_html(job, "Export"), ui.export_timer: gr.Timer(active=running),
                ui.cancel_btn: gr.Button(visible=running),
                ui.export_video: gr.Video(value=result.get("file"), visible=True) if done else gr.skip(),
                ui.export_file: NamedFile(value=_offered(result.get("file"), result.get("download_name")),
                                          visible=True) if done else gr.skip(),
                ui.export_thumb: gr.Image(value=result.get("thumbnail"), visible=True) if done else gr.skip()}

    export_parts = [ui.job_box, ui.export_timer, ui.cancel_btn, ui.export_video, ui.export_file, ui.export_thumb]

    @user_errors
    def refresh(pid, clip_id):
        if pid is None:
            return gr.skip()
        view = tl.get(pid)
        running = services.jobs.unfinished(pid, kind="export")
        out = render(pid, view, clip_id)
        out[ui.mood_dd] = gr.Dropdown(choices=sorted({t["mood"] for t in tl.music_tracks() if not t.get("uploaded")}))
        out[ui.gap_info] = gap_html(tl.suggest_gap(pid))
        if running:
            return {**out, ui.export_job: running[0]["id"], **export_outputs(running[0])}
        last = next((v for v in tl.versions(pid) if v["exported_file"]), None)
        file = last["exported_file"] if last else None
        return {**out, ui.export_job: None, ui.export_timer: gr.Timer(active=False),
                ui.cancel_btn: gr.Button(visible=False),
                ui.job_box: f"<small class='muted'>Last export: version {last['version']}</small>" if last else "",
                ui.export_video: gr.Video(value=file, visible=file is not None),
                ui.export_file: NamedFile(value=_offered(file, last and last.get("download_name")),
                                          visible=file is not None),
                ui.export_thumb: gr.Image(value=last["thumbnail"] if last else None,
                                          visible=bool(last and last["thumbnail"]))}

    refresh_outputs = [*view_outputs, ui.mood_dd, ui.gap_info, ui.export_job, *export_parts]
    project_id.change(lambda pid: refresh(pid, None), project_id, refresh_outputs, **private)
    if tab is not None:
        tab.select(refresh, [project_id, ui.clip_dd], refresh_outputs, **private)

    # ------------------------------------------------------------ preview
    @user_errors
    def on_preview(pid):
        return tl.preview(need_pid(pid))["file"]

    def on_auto_preview(pid, enabled):
        if not enabled or pid is None:
            return gr.skip()
        try:
            return tl.preview(pid)["file"]
        except StudioError:
            return gr.skip()  # an empty timeline: nothing to show, and the edit already said why

    ui.preview_btn.click(on_preview, project_id, ui.preview, concurrency_id="timeline-preview", **private)

    def need_pid(pid):
        if pid is None:
            raise StudioError("Open or create a project first.")
        return pid

    def need_clip(clip_id):
        if not clip_id:
            raise StudioError("Select a clip first (the timeline may be empty: 'Rebuild from picks' or upload a clip).")
        return clip_id

    def then_preview(event):
        event.then(on_auto_preview, [project_id, ui.auto_preview], ui.preview, **private)

    def edit_event(button, fn, inputs):
        """A button that runs one edit and shows the new version (then the preview, when asked for)."""
        then_preview(button.click(user_errors(fn), inputs, [*view_outputs, ui.gap_info], **private))

    def apply(pid, keep, op, at=None, **args):
        view = tl.apply(need_pid(pid), op, **args)
        return {**render(pid, view, keep, at), ui.gap_info: gap_html(tl.suggest_gap(pid))}

    def index_of(view, clip_id):
        return [c["id"] for c in view["clips"]].index(need_clip(clip_id))

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

    def overlay_args(text, font, size, colour, pos, x, y, start, end, anim, shadow):
        args = {"text": text, "font": font, "size": int(size), "colour": colour, "position": pos, "start": start or 0.0,
                "end": end, "animation": anim, "shadow": shadow}
        if pos == "custom":
            args.update(x=x, y=y)
        return args

    ov_fields = [ui.ov_text, ui.ov_font, ui.ov_size, ui.ov_colour, ui.ov_pos, ui.ov_x, ui.ov_y, ui.ov_start, ui.ov_end,
                 ui.ov_anim, ui.ov_shadow]
    edit_event(ui.ov_add, lambda pid, c, o, *f: apply(pid, c, "add_overlay", **overlay_args(*f)),
               [project_id, ui.clip_dd, ui.ov_dd, *ov_fields])

    def need_overlay(o):
        if not o or o == NEW_OVERLAY:
            raise StudioError("Choose the overlay to change in the 'Overlay' list.")
        return o

    edit_event(ui.ov_update, lambda pid, c, o, *f: apply(pid, c, "update_overlay", overlay_id=need_overlay(o),
                                                          **overlay_args(*f)),
               [project_id, ui.clip_dd, ui.ov_dd, *ov_fields])
    edit_event(ui.ov_remove, lambda pid, c, o: apply(pid, c, "remove_overlay", overlay_id=need_overlay(o)),
               [project_id, ui.clip_dd, ui.ov_dd])

    @user_errors
    def on_overlay(view, overlay_id):
        o = next((o for o in (view or {}).get("overlays", []) if o["id"] == overlay_id), None)
        if o is None:
            return gr.skip()
        return (o["text"], o["font"], o["size"], o["colour"], o["position"], o["x"] if o["x"] is not None else 0.5,
                o["y"] if o["y"] is not None else 0.5, o["start"], o["end"], o["animation"], o["shadow"])

    ui.ov_dd.input(on_overlay, [ui.view_state, ui.ov_dd], ov_fields, **private)

    def music_apply(pid, c, track, vol, offset, start, f_in, f_out, duck):
        if not track:
            return apply(pid, c, "set_music", track=None)
        return apply(pid, c, "set_music", track=track, volume=vol, start_offset=offset, start=start, fade_in=f_in,
                     fade_out=f_out, ducking=duck)

    edit_event(ui.music_btn, music_apply, [project_id, ui.clip_dd, *music_fields[:-1]])
    edit_event(ui.mood_btn, lambda pid, c, mood: apply(pid, c, "music_by_mood", mood=mood or ""),
               [project_id, ui.clip_dd, ui.mood_dd])
    edit_event(ui.look_btn, lambda pid, c, g, fi, fo: apply(pid, c, "set_look", grade=g, fade_in=fi, fade_out=fo),
               [project_id, ui.clip_dd, ui.grade, ui.g_fade_in, ui.g_fade_out])
    edit_event(ui.undo_btn, lambda pid, c: {**render(pid, tl.undo(need_pid(pid)), c), ui.gap_info: gap_html(None)},
               [project_id, ui.clip_dd])
    edit_event(ui.redo_btn, lambda pid, c: {**render(pid, tl.redo(need_pid(pid)), c), ui.gap_info: gap_html(None)},
               [project_id, ui.clip_dd])
    edit_event(ui.picks_btn, lambda pid: {**render(pid, tl.add_new_picks(need_pid(pid))),
                                          ui.gap_info: gap_html(tl.suggest_gap(pid))}, project_id)
    edit_event(ui.rebuild_btn, lambda pid: {**render(pid, tl.rebuild_from_picks(need_pid(pid))),
                                            ui.gap_info: gap_html(None)},
               [project_id])
    edit_event(ui.open_btn, lambda pid, c, n: {**render(pid, tl.open_version(need_pid(pid), n), c),
                                            ui.gap_info: gap_html(None)}, [project_id, ui.clip_dd, ui.versions_dd])

    @user_errors
    def on_save(pid, c, name):
        tl.save(need_pid(pid), name)
        gr.Info("Saved. Find it under 'Versions' to reopen it later.")
        return render(pid, tl.get(pid), c)

    ui.save_btn.click(on_save, [project_id, ui.clip_dd, ui.save_name], view_outputs, **private)

    @user_errors
    def on_upload_clip(pid, file):
        view = tl.upload_clip(need_pid(pid), getattr(file, "name", None) or file)
        return {**render(pid, view, view["clips"][-1]["id"]), ui.gap_info: gap_html(None)}

    then_preview(ui.upload_btn.upload(on_upload_clip, [project_id, ui.upload_btn], [*view_outputs, ui.gap_info],
                                      **private))

    @user_errors
    def on_upload_music(pid, c, file):
        result = tl.upload_music(need_pid(pid), getattr(file, "name", None) or file)
        return render(pid, result["timeline"], c)

    then_preview(ui.music_upload.upload(on_upload_music, [project_id, ui.clip_dd, ui.music_upload], view_outputs,
                                        **private))

    @user_errors
    def on_compare(pid, a, b):
        if not a or not b:
            raise StudioError("Choose two versions to compare.")
        return diff_html(tl.compare(need_pid(pid), a, b))

    ui.compare_btn.click(on_compare, [project_id, ui.compare_a, ui.compare_b], ui.diff_box, **private)

    # ------------------------------------------------------------ selection and playhead (no new version)
    @user_errors
    def on_clip(pid, view, clip_id):
        if not view:
            return gr.skip()
        start = next((c["start"] for c in view["clips"] if c["id"] == clip_id), 0.0)
        return {ui.strip: strip_html(view, clip_id, start), ui.playhead: start, **fields_of(view, clip_id)}

    ui.clip_dd.input(on_clip, [project_id, ui.view_state, ui.clip_dd], [ui.strip, ui.playhead, *clip_fields], **private)

    @user_errors
    def on_playhead(view, at):
        if not view or not view["clips"]:
            return gr.skip()
        under = [c for c in view["clips"] if c["start"] - 1e-6 <= at < c["start"] + c["length"]]
        clip_id = under[-1]["id"] if under else view["clips"][-1]["id"]
        return {ui.strip: strip_html(view, clip_id, at), ui.clip_dd: clip_id, **fields_of(view, clip_id)}

    for event in (ui.playhead.release, ui.playhead.input):
        event(on_playhead, [ui.view_state, ui.playhead], [ui.strip, ui.clip_dd, *clip_fields],
              trigger_mode="always_last",
              **quick)

    @user_errors
    def on_track(track_id):
        track = next((t for t in tl.music_tracks() if t["id"] == track_id), None) if track_id else None
        return gr.Audio(value=track["file"] if track else None, visible=track is not None)

    ui.music_dd.input(on_track, ui.music_dd, ui.music_audio, **private)

    # ------------------------------------------------------------ gaps
    @user_errors
    def on_suggest(pid):
        gap = tl.suggest_gap(need_pid(pid))
        if gap is None:
            raise StudioError("The last edit removed no time: enter a position and a length yourself.")
        return gap_html(gap), gap["position"], gap["duration"]

    ui.gap_suggest.click(on_suggest, project_id, [ui.gap_info, ui.gap_pos, ui.gap_len], **private)

    @user_errors
    def on_fill(pid, c, position, seconds, source, prompt, count):
        view = tl.fill_gap(need_pid(pid), int(position or 0), float(seconds or 0), prompt, source, int(count))
        gr.Info(f"Generating {float(seconds):.2f} s in group {view['gap_group_id']}; a still holds the place.")
        return {**render(pid, view, c), ui.gap_info: gap_html(None)}

    gap_in = [project_id, ui.clip_dd, ui.gap_pos, ui.gap_len, ui.gap_from, ui.gap_prompt, ui.gap_count]
    then_preview(ui.gap_btn.click(on_fill, gap_in, [*view_outputs, ui.gap_info], **private))

    @user_errors
    def on_gap_tick(pid, view, c):
        if pid is None or not view:
            return {ui.gap_timer: gr.Timer(active=False)}
        fresh = tl.get(pid)
        if fresh["version"] == view["version"]:
            return gr.skip()
        return render(pid, fresh, c)

    ui.gap_timer.tick(on_gap_tick, [project_id, ui.view_state, ui.clip_dd], view_outputs, **poll)

    # ------------------------------------------------------------ export
    @user_errors
    def on_export(pid, how, ratio, rate, quality):
        result = tl.export(need_pid(pid), how, aspect_ratio=ratio, fps=int(rate), quality=quality)
        return {ui.export_job: result["job_id"], **export_outputs(services.jobs.get(result["job_id"])),
                **render(pid, tl.get(pid))}

    ui.export_btn.click(on_export, [project_id, ui.fit, ui.aspect, ui.fps, ui.quality],
                        [ui.export_job, *export_parts, *view_outputs],
                     **private)

    @user_errors
    def on_poll(jid):
        return export_outputs(services.jobs.get(jid) if jid is not None else None)

    ui.export_timer.tick(on_poll, ui.export_job, export_parts, **poll)

    @user_errors
    def on_cancel(jid):
        if jid is None:
            raise StudioError("No export is running.")
        return export_outputs(services.jobs.cancel(jid))

    ui.cancel_btn.click(on_cancel, ui.export_job, export_parts, **quick)


def _offered(file: str | None, name: str | None) -> tuple[str, str] | str | None:
    """The export as the download box takes it: with its readable name when there is one."""
    return (file, name) if file and name else file
