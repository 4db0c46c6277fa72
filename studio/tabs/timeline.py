"""Tab 4 · Timeline: the picked attempts as clips; trim, split, merge, delete, reorder; music bed and crossfade;
every edit is a saved version (restore any); export a 1080p MP4 in the queue and download it."""
import gradio as gr

from pipeline.errors import StudioError
from studio.components import current_tab, poll, private, user_errors
from studio.components.html import esc, job_finished, job_html, timeline_strip_html

POLL_SECONDS = 1.0
NO_MUSIC = ""
COLUMNS = ["#", "clip", "in (s)", "out (s)", "length (s)", "starts at (s)"]


def build(services, project_id, tabs):
    tab = current_tab()
    view_state = gr.State(None)  # the timeline version shown (for clip look-ups)
    export_job = gr.State(None)
    timer = gr.Timer(POLL_SECONDS, active=False)

    header = gr.HTML()
    strip = gr.HTML(padding=False)
    table = gr.Dataframe(headers=COLUMNS, interactive=False, wrap=True, max_height=260, label="Clips")
    with gr.Row():
        with gr.Column(scale=3):
            with gr.Row(elem_classes="bottom-row"):
                clip_dd = gr.Dropdown([], label="Clip", scale=3)
                rebuild_btn = gr.Button("Rebuild from picks", size="sm", scale=1)
            with gr.Row(elem_classes="bottom-row"):
                in_box = gr.Number(label="In (s, source time)", step=0.1, minimum=0, min_width=100)
                out_box = gr.Number(label="Out (s, source time)", step=0.1, minimum=0, min_width=100)
                trim_btn = gr.Button("Trim", size="sm", min_width=80)
            with gr.Row(elem_classes="bottom-row"):
                split_at = gr.Number(label="Split at (s into the clip)", step=0.1, minimum=0, min_width=100)
                split_btn = gr.Button("Split", size="sm", min_width=80)
                merge_btn = gr.Button("Merge with next", size="sm", min_width=80)
            with gr.Row():
                up_btn = gr.Button("↑ Move up", size="sm", min_width=80)
                down_btn = gr.Button("↓ Move down", size="sm", min_width=80)
                delete_btn = gr.Button("Delete clip", size="sm", variant="stop", min_width=80)
        clip_video = gr.Video(label="Selected clip (source)", interactive=False, height=220, scale=2)
    with gr.Row():
        with gr.Column():
            music_dd = gr.Dropdown([], label="Music bed")
            volume = gr.Slider(0, 1, value=0.3, step=0.05, label="Music volume")
            audio = gr.Audio(label="Preview", type="filepath", interactive=False, visible=False)
        with gr.Column():
            with gr.Row(elem_classes="bottom-row"):
                crossfade = gr.Number(label="Crossfade (s, 0 = hard cuts)", value=0, minimum=0, maximum=10, step=0.1)
                crossfade_btn = gr.Button("Set crossfade", size="sm")
            with gr.Row(elem_classes="bottom-row"):
                versions_dd = gr.Dropdown([], label="Versions", scale=3)
                restore_btn = gr.Button("Restore", size="sm", scale=1)
    with gr.Row():
        with gr.Column():
            fit = gr.Radio(["crop", "letterbox"], value="crop", label="Fit clips of another shape by")
            export_btn = gr.Button("Export 1080p MP4", variant="primary")
            job_box = gr.HTML(padding=False, elem_id="export-job")
            export_file = gr.File(label="Download", interactive=False, visible=False)
        export_video = gr.Video(label="Exported video", interactive=False, visible=False, elem_id="export-video")

    # ------------------------------------------------------------ readers
    def tracks():
        return services.timeline.music_tracks()

    def render(pid, view, clip_id=None):
        """Everything that shows the timeline version `view`, with `clip_id` selected when it still exists."""
        import pandas as pd

        clips = view["clips"]
        ids = [c["id"] for c in clips]
        clip_id = clip_id if clip_id in ids else (ids[0] if ids else None)
        clip = clips[ids.index(clip_id)] if clip_id else None
        rows = [[i + 1, c["label"], c["in_point"], c["out_point"], c["length"], c["start"]] for i, c in enumerate(clips)]
        edit = view["edit_list"]
        music = edit.get("music") or {}
        versions = services.timeline.versions(pid)
        head = (f"<div><b>Version {view['version']}</b> · {len(clips)} clip(s) · total <b>{view['duration']:.2f} s</b>"
                f" · {esc(edit.get('aspect_ratio'))} · {edit.get('fps')} fps"
                f"<br><small class='muted'>{esc(view.get('note') or '')}</small></div>")
        return (head, timeline_strip_html(view), pd.DataFrame(rows, columns=COLUMNS),
                gr.Dropdown(choices=[(f"{i + 1} · {c['label']}", c["id"]) for i, c in enumerate(clips)], value=clip_id),
                *clip_fields(clip), view,
                gr.Dropdown(choices=[(f"v{v['version']} · {v['note'] or ''}"[:90], v["version"]) for v in versions],
                            value=view["version"]),
                music.get("track", NO_MUSIC), music.get("volume", 0.3), edit.get("crossfade", 0.0),
                audio_for(music.get("track")))

    def clip_fields(clip):
        if clip is None:
            return None, None, None, None
        return clip["in_point"], clip["out_point"], round(clip["length"] / 2, 2), clip["source"]

    def audio_for(track_id):
        track = next((t for t in tracks() if t["id"] == track_id), None) if track_id else None
        return gr.Audio(value=track["file"] if track else None, visible=track is not None)

    tl_outputs = [header, strip, table, clip_dd, in_box, out_box, split_at, clip_video, view_state, versions_dd,
                  music_dd, volume, crossfade, audio]

    def export_outputs(job):
        """job card, timer, video, file."""
        running = job is not None and not job_finished(job)
        file = (job or {}).get("result", {}).get("file") if job and job["status"] == "succeeded" else None
        return (job_html(job, "Export"), gr.Timer(active=running),
                gr.Video(value=file, visible=True) if file else gr.skip(),
                gr.File(value=file, visible=True) if file else gr.skip())

    @user_errors
    def refresh(pid, clip_id):
        if pid is None:
            return gr.skip()
        choices = [("— no music —", NO_MUSIC)] + [
            (f"{t['title']} — {t['mood']}, {t['tempo_bpm']} bpm", t["id"]) for t in tracks()]
        view = services.timeline.get(pid)
        running = services.jobs.unfinished(pid, kind="export")
        last = next((v for v in services.timeline.versions(pid) if v["exported_file"]), None)
        if running:
            job_outs = [running[0]["id"], *export_outputs(running[0])]
        else:
            file = last["exported_file"] if last else None
            job_outs = [None, f"<small class='muted'>Last export: version {last['version']}</small>" if last else "",
                        gr.Timer(active=False), gr.Video(value=file, visible=file is not None),
                        gr.File(value=file, visible=file is not None)]
        return (gr.Dropdown(choices=choices), *render(pid, view, clip_id), *job_outs)

    refresh_outputs = [music_dd, *tl_outputs, export_job, job_box, timer, export_video, export_file]
    project_id.change(lambda pid: refresh(pid, None), project_id, refresh_outputs, **private)
    if tab is not None:
        tab.select(refresh, [project_id, clip_dd], refresh_outputs, **private)

    # ------------------------------------------------------------ edits (each saves a new version)
    edit = user_errors

    def apply(pid, keep, op, **args):
        """Run one timeline operation and show the new version, keeping clip `keep` selected."""
        return render(pid, services.timeline.apply(pid, op, **args), keep)

    def need_clip(clip_id):
        if not clip_id:
            raise StudioError("Select a clip first (the timeline may be empty: 'Rebuild from picks').")
        return clip_id

    def index_of(view, clip_id):
        return [c["id"] for c in view["clips"]].index(need_clip(clip_id))

    ops = {
        trim_btn: (lambda pid, c, v, i, o, s: apply(pid, c, "trim", clip_id=need_clip(c), in_point=i, out_point=o)),
        split_btn: (lambda pid, c, v, i, o, s: apply(pid, c, "split", clip_id=need_clip(c), at_seconds=s or 0.0)),
        merge_btn: (lambda pid, c, v, i, o, s: apply(pid, c, "merge", clip_id=need_clip(c))),
        delete_btn: (lambda pid, c, v, i, o, s: apply(pid, None, "delete", clip_id=need_clip(c))),
        up_btn: (lambda pid, c, v, i, o, s: apply(pid, c, "move", clip_id=c, new_index=index_of(v, c) - 1)),
        down_btn: (lambda pid, c, v, i, o, s: apply(pid, c, "move", clip_id=c, new_index=index_of(v, c) + 1)),
    }
    for button, fn in ops.items():
        button.click(edit(fn), [project_id, clip_dd, view_state, in_box, out_box, split_at], tl_outputs, **private)

    rebuild_btn.click(edit(lambda pid: render(pid, services.timeline.rebuild_from_picks(pid))), project_id,
                      tl_outputs, **private)
    crossfade_btn.click(edit(lambda pid, c, x: apply(pid, c, "set_crossfade", seconds=x or 0.0)),
                        [project_id, clip_dd, crossfade], tl_outputs, **private)
    music_args = [project_id, clip_dd, music_dd, volume]

    @user_errors
    def on_music(pid, c, track, vol):
        return apply(pid, c, "set_music", track=track or None, volume=vol if track else None)

    @user_errors
    def on_volume(pid, c, track, vol):
        return apply(pid, c, "set_music", track=track, volume=vol) if track else gr.skip()

    music_dd.input(on_music, music_args, tl_outputs, **private)
    volume.release(on_volume, music_args, tl_outputs, **private)
    restore_btn.click(edit(lambda pid, n: render(pid, services.timeline.restore(pid, n))), [project_id, versions_dd],
                      tl_outputs, **private)

    @user_errors
    def on_clip(view, clip_id):
        clip = next((c for c in (view or {}).get("clips", []) if c["id"] == clip_id), None)
        return clip_fields(clip)

    clip_dd.input(on_clip, [view_state, clip_dd], [in_box, out_box, split_at, clip_video], **private)

    # ------------------------------------------------------------ export
    @user_errors
    def on_export(pid, how):
        result = services.timeline.export(pid, how)
        return result["job_id"], *export_outputs(services.jobs.get(result["job_id"]))

    @user_errors
    def on_poll(jid):
        return export_outputs(services.jobs.get(jid) if jid is not None else None)

    export_btn.click(on_export, [project_id, fit], [export_job, job_box, timer, export_video, export_file], **private)
    timer.tick(on_poll, export_job, [job_box, timer, export_video, export_file], **poll)
