"""The widgets of the Timeline tab (studio/tabs/timeline.py wires them to the services)."""
from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

from pipeline.timeline import QUALITIES
from pipeline.timeline.edit_list import ASPECT_RATIOS, FONT_NAMES, GRADE_PRESETS, OVERLAY_ANIMATIONS, OVERLAY_POSITIONS
from studio.components.named_file import NamedFile
from studio.components.timeline_view import CSS, gap_html

NEW_OVERLAY = "__new__"
TRANSITIONS = [("Cut", "cut"), ("Crossfade", "crossfade"), ("Fade through black", "fade_black")]


def layout() -> SimpleNamespace:
    """Create the tab's components (inside the open gr.Tab) and return them by name."""
    view_state = gr.State(None)  # the version shown (a plain dict from the service)
    export_job = gr.State(None)
    export_timer = gr.Timer(1.0, active=False)
    gap_timer = gr.Timer(2.0, active=False)  # while a gap clip is being generated

    gr.HTML(f"<style>{CSS}</style>", padding=False)
    with gr.Row(elem_classes="bottom-row"):
        undo_btn = gr.Button("↶ Undo", size="sm", min_width=70, interactive=False)
        redo_btn = gr.Button("↷ Redo", size="sm", min_width=70, interactive=False)
        save_name = gr.Textbox(show_label=False, placeholder="Version name (optional), e.g. Director's cut", scale=3,
                               min_width=160, container=False)
        save_btn = gr.Button("💾 Save version", size="sm", min_width=100)
        rebuild_btn = gr.Button("Rebuild from picks", size="sm", min_width=100)
        upload_btn = gr.UploadButton("⤒ Upload a clip", file_types=["video"], size="sm", min_width=100)
    with gr.Row(elem_classes="bottom-row", visible=False, elem_id="timeline-new-picks") as picks_row:
        picks_note = gr.HTML(padding=False)
        picks_btn = gr.Button("Add them to the timeline", size="sm", variant="primary", min_width=120, scale=0)
    header = gr.HTML(elem_id="timeline-header")
    strip = gr.HTML(padding=False, elem_id="timeline-strip")
    playhead = gr.Slider(0, 1, value=0, step=0.05, label="Playhead (s): drag it; the clip under it is selected",
                         elem_id="timeline-playhead")
    ui = SimpleNamespace(**locals())
    for part in (_clip_editor, _overlay_editor, _music_editor, _look_and_versions, _gap_filler, _export_panel):
        vars(ui).update(part())
    return ui


def _clip_editor() -> dict:
    """The selected clip (in/out, order, transition) beside the preview."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            clip_dd = gr.Dropdown([], label="Clip", elem_id="timeline-clip")
            with gr.Row():
                in_sl = gr.Slider(0, 1, value=0, step=0.01, label="In (s of the source): drag or type", min_width=160,
                                  elem_id="timeline-in")
                out_sl = gr.Slider(0, 1, value=1, step=0.01, label="Out (s of the source)", min_width=160,
                                   elem_id="timeline-out")
            with gr.Row():
                trim_btn = gr.Button("✂ Trim to in/out", size="sm", variant="primary", min_width=80)
                split_btn = gr.Button("Split at playhead", size="sm", min_width=80)
                merge_btn = gr.Button("Merge with next", size="sm", min_width=80)
            with gr.Row():
                up_btn = gr.Button("← Earlier", size="sm", min_width=70)
                down_btn = gr.Button("Later →", size="sm", min_width=70)
                dup_btn = gr.Button("Duplicate", size="sm", min_width=70)
                delete_btn = gr.Button("Delete (ripple)", size="sm", variant="stop", min_width=70)
            with gr.Row(elem_classes="bottom-row"):
                trans_type = gr.Dropdown(TRANSITIONS, value="cut", label="Transition into this clip", min_width=120)
                trans_dur = gr.Slider(0.1, 3.0, value=0.5, step=0.05, label="Duration (s)", min_width=120)
            with gr.Row():
                trans_btn = gr.Button("Set transition", size="sm", min_width=80)
                trans_all_btn = gr.Button("Use between all clips", size="sm", min_width=80)
        with gr.Column(scale=2):
            preview = gr.Video(label="Preview (640 px proxy)", interactive=False, height=260,
                               elem_id="timeline-preview")
            with gr.Row(elem_classes="bottom-row"):
                preview_btn = gr.Button("▶ Render preview", size="sm")
                auto_preview = gr.Checkbox(value=True, label="after every edit")
    return locals()


def _overlay_editor() -> dict:
    """Text overlays."""
    with gr.Accordion("Text overlays", open=False):
        with gr.Row():
            ov_dd = gr.Dropdown([("— new text —", NEW_OVERLAY)], value=NEW_OVERLAY, label="Overlay", scale=2)
            ov_text = gr.Textbox(label="Text", lines=2, scale=3, placeholder="e.g. New season\nIn stores now")
        with gr.Row():
            ov_font = gr.Dropdown(list(FONT_NAMES), value="sans-bold", label="Font", min_width=100)
            ov_size = gr.Slider(16, 200, value=72, step=2, label="Size (px at 1080p)", min_width=120)
            ov_colour = gr.ColorPicker(value="#FFFFFF", label="Colour", min_width=80)
            ov_shadow = gr.Checkbox(value=True, label="Shadow", min_width=80)
        with gr.Row():
            ov_pos = gr.Radio(list(OVERLAY_POSITIONS), value="auto", label="Position",
                              info="auto keeps the text clear of the subject")
            ov_x = gr.Slider(0, 1, value=0.5, step=0.01, label="x (custom)")
            ov_y = gr.Slider(0, 1, value=0.5, step=0.01, label="y (custom)")
        with gr.Row(elem_classes="bottom-row"):
            ov_start = gr.Number(value=0.0, label="Start (s)", minimum=0, step=0.1, min_width=90)
            ov_end = gr.Number(value=3.0, label="End (s)", minimum=0, step=0.1, min_width=90)
            ov_anim = gr.Radio(list(OVERLAY_ANIMATIONS), value="fade", label="Animation")
            ov_add = gr.Button("Add text", size="sm", variant="primary", min_width=70)
            ov_update = gr.Button("Update", size="sm", min_width=70)
            ov_remove = gr.Button("Remove", size="sm", variant="stop", min_width=70)
    return locals()


def _music_editor() -> dict:
    """Music: a track, its timing, fades and ducking."""
    with gr.Accordion("Music", open=False):
        with gr.Row(elem_classes="bottom-row"):
            music_dd = gr.Dropdown([], label="Track", scale=3)
            mood_dd = gr.Dropdown([], label="…or pick by mood", scale=1)
            mood_btn = gr.Button("Pick", size="sm", min_width=60)
            music_upload = gr.UploadButton("⤒ Your own audio", file_types=["audio"], size="sm", min_width=100)
        with gr.Row():
            m_volume = gr.Slider(0, 1, value=0.3, step=0.05, label="Volume")
            m_offset = gr.Slider(0, 60, value=0, step=0.5, label="Start offset in the track (s)")
            m_start = gr.Slider(0, 30, value=0, step=0.25, label="Enters at (s of the timeline)")
        with gr.Row(elem_classes="bottom-row"):
            m_fade_in = gr.Slider(0, 10, value=0, step=0.25, label="Fade in (s)")
            m_fade_out = gr.Slider(0, 10, value=2, step=0.25, label="Fade out (s)")
            m_duck = gr.Slider(0, 1, value=0, step=0.05, label="Ducking under clip audio (0 = off)")
            music_btn = gr.Button("Apply music", size="sm", variant="primary", min_width=80)
        music_audio = gr.Audio(label="Listen", type="filepath", interactive=False, visible=False)
    return locals()


def _look_and_versions() -> dict:
    """The colour grade and fades; opening and comparing versions."""
    with gr.Accordion("Look: colour grade and fades", open=False):
        with gr.Row(elem_classes="bottom-row"):
            grade = gr.Radio(list(GRADE_PRESETS), value="none", label="Colour grade (whole video)")
            g_fade_in = gr.Slider(0, 5, value=0, step=0.25, label="Fade in from black (s)")
            g_fade_out = gr.Slider(0, 5, value=0, step=0.25, label="Fade out to black (s)")
            look_btn = gr.Button("Apply look", size="sm", variant="primary", min_width=80)
    with gr.Accordion("Versions: open and compare", open=False):
        with gr.Row(elem_classes="bottom-row"):
            versions_dd = gr.Dropdown([], label="Version", scale=3)
            open_btn = gr.Button("Open (continue from it)", size="sm", min_width=100)
        with gr.Row(elem_classes="bottom-row"):
            compare_a = gr.Dropdown([], label="Compare version", scale=2)
            compare_b = gr.Dropdown([], label="with version", scale=2)
            compare_btn = gr.Button("Compare", size="sm", min_width=80)
        diff_box = gr.HTML(elem_id="timeline-diff")
    return locals()


def _gap_filler() -> dict:
    """Filling a gap with a generated clip."""
    with gr.Accordion("Fill a gap with a generated clip", open=False):
        gap_info = gr.HTML(gap_html(None))
        with gr.Row(elem_classes="bottom-row"):
            gap_pos = gr.Number(value=0, label="Position (0 = before clip 1)", precision=0, minimum=0, min_width=100)
            gap_len = gr.Number(value=2.0, label="Length (s)", minimum=0.25, maximum=10, step=0.25, min_width=90)
            gap_from = gr.Radio([("previous clip's last frame", "previous"), ("next clip's first frame", "next")],
                                value="previous", label="Start from")
            gap_count = gr.Slider(1, 4, value=2, step=1, label="Attempts")
        with gr.Row(elem_classes="bottom-row"):
            gap_prompt = gr.Textbox(label="Motion prompt for the gap", placeholder="slow push in on the product",
                                    scale=3)
            gap_suggest = gr.Button("Use the gap of the last edit", size="sm")
            gap_btn = gr.Button("Generate and insert", size="sm", variant="primary")
    return locals()


def _export_panel() -> dict:
    """Export settings, the job and its result."""
    with gr.Row(equal_height=False):
        with gr.Column():
            with gr.Row():
                aspect = gr.Radio(list(ASPECT_RATIOS), value="16:9", label="Aspect ratio", elem_id="export-aspect")
                fit = gr.Radio(["crop", "letterbox"], value="crop", label="Fit clips of another shape by",
                               elem_id="export-fit")
                fps = gr.Dropdown([24, 25, 30], value=24, label="Frame rate", min_width=80)
            with gr.Row():
                # Delivery by default in the studio (the file someone uploads); the API's default stays Draft.
                quality = gr.Radio([(q.label, q.name) for q in QUALITIES.values()], value="delivery",
                                   label="Quality", elem_id="export-quality",
                                   info="Draft: quick check, small file. Delivery: for upload (CRF 18, BT.709).")
            with gr.Row():
                export_btn = gr.Button("Export 1080p MP4", variant="primary")
                cancel_btn = gr.Button("Cancel export", variant="stop", visible=False)
            job_box = gr.HTML(padding=False, elem_id="export-job")
            export_file = NamedFile(label="Download", interactive=False, visible=False, elem_id="export-file")
        with gr.Column():
            export_video = gr.Video(label="Exported video", interactive=False, visible=False, elem_id="export-video",
                                    height=420)
            export_thumb = gr.Image(label="Thumbnail", interactive=False, visible=False, height=140)
    return locals()

