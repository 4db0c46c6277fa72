"""Offline camera-motion engine: animates a still hero image with a planned 2.5D camera move.

It does not invent new content the way a video model does. It moves a virtual camera over the picture (push-in,
pan, tilt, dolly with parallax, orbit-like parallax, handheld, static) and writes an H.264 MP4. The motion prompt
is parsed by motion_plan.plan_motion (see its docstring for the direction conventions), the per-frame path comes
from motion_path, and motion_render draws the frames. Each seed is its own take within the envelope the prompt sets
(motion_plan.describe_variation says how it differs); a subject-centred take aims its zoom at the subject found
in the picture. Frames are streamed straight into the encoder, one at a time, and the file is written under a
temporary name and renamed into place only when complete.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from pipeline.engines.interfaces import EngineCheckpoint, EngineSpec, ProgressFn, VideoRequest, VideoResult, no_progress
from pipeline.engines.local_photo import load_upload
from pipeline.engines.motion_path import camera_path, required_margin
from pipeline.engines.motion_plan import MotionPlan, plan_motion
from pipeline.engines.motion_render import FrameWarper, subject_centre
from pipeline.errors import EngineInputError

MIN_DURATION_S, MAX_DURATION_S = 2.0, 10.0
MIN_FPS, MAX_FPS = 8, 60
MAX_SHORT_SIDE = 1080  # larger photos are scaled down to 1080p-class video
MAX_ASPECT = 3.0
PROGRESS_EVERY = 6  # frames between progress reports (each one is also a cancellation point)
SUBJECT_AIM_LIMIT = (0.25, 0.2)  # a subject-centred zoom aims at most this far off centre (fractions of the frame)
BT709 = 1  # colour matrix / primaries / transfer tag values (ITU-T H.273)


def output_size(image_width: int, image_height: int, min_short_side: int) -> tuple[int, int]:
    """Video (width, height): the image's aspect ratio, even sides, short side >= min_short_side, and no
    bigger than 1080 on the short side unless min_short_side asks for more."""
    short = min(image_width, image_height)
    target = max(min_short_side, min(short, MAX_SHORT_SIDE))
    target += target % 2
    long_side = max(image_width, image_height) * target / short
    long_even = round(long_side / 2) * 2
    return (long_even, target) if image_width >= image_height else (target, long_even)


class LocalCameraMotionEngine:
    name = "local-camera-motion"
    label = "Local camera-motion engine (offline, 2.5D)"

    def __init__(self, preset: str = "veryfast", crf: int = 20):
        self.preset = preset
        self.crf = crf

    def animate(self, request: VideoRequest, output_path: Path, progress: ProgressFn = no_progress,
                checkpoint: EngineCheckpoint | None = None) -> VideoResult:
        _validate(request)
        output_path = Path(output_path)
        progress(1, "loading the hero image")
        picture = load_upload(request.image_path)
        if max(picture.size) / min(picture.size) > MAX_ASPECT:
            raise EngineInputError(f"This image is {picture.size[0]}×{picture.size[1]}, too wide or tall for a "
                                   f"video; crop it to at most {MAX_ASPECT:.0f}:1 first.")
        width, height = output_size(*picture.size, request.min_short_side)
        plan = aim_at_subject(plan_motion(request.motion_prompt, request.negative_prompt, request.seed), picture)
        states = camera_path(plan, request.duration, request.fps, width / height)
        margin = required_margin(states, width / height)
        progress(3, "preparing depth layers" if any(s.parallax_x or s.depth_zoom for s in states)
                 else "preparing the frame")
        warper = FrameWarper(np.asarray(picture), (width, height), states, margin, plan.horizon)
        del picture

        output_path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=f".{output_path.stem}.", suffix=".partial.mp4",
                                             dir=output_path.parent)
        os.close(handle)
        try:
            poster = self._encode(warper, states, request.fps, Path(temp_name), progress)
            os.chmod(temp_name, 0o644)  # mkstemp makes files private; a finished video is an ordinary file
            os.replace(temp_name, output_path)
        except BaseException:
            # Cancelled or failed: never leave a half-written video behind.
            Path(temp_name).unlink(missing_ok=True)
            raise
        progress(100, "video ready")
        parameters = {**plan.as_dict(), "crop_margin": round(margin, 4), "engine": self.label}
        return VideoResult(path=output_path, duration=len(states) / request.fps, fps=request.fps, width=width,
                           height=height, frame_count=len(states), model=self.name, parameters=parameters,
                           poster=poster)

    def _encode(self, warper: FrameWarper, states, fps: int, path: Path, progress: ProgressFn):
        """Encode every state's frame; returns the middle frame as a PIL image (the attempt's poster)."""
        total = len(states)
        poster = None
        with av.open(str(path), mode="w", format="mp4") as container:
            stream = container.add_stream("libx264", rate=fps)
            stream.width, stream.height = warper.width, warper.height
            stream.pix_fmt = "yuv420p"
            stream.options = {"preset": self.preset, "crf": str(self.crf)}
            context = stream.codec_context
            context.colorspace = context.color_primaries = context.color_trc = BT709
            context.color_range = 1  # limited ("TV") range, what players expect from H.264
            for index, state in enumerate(states):
                if index % PROGRESS_EVERY == 0:
                    progress(3 + 94 * index / total, f"rendering frame {index + 1}/{total}")
                frame = _video_frame(warper, state)
                if index == total // 2:
                    poster = frame.reformat(format="rgb24", src_colorspace="ITU709", src_color_range="MPEG").to_image()
                frame.pts = index
                frame.time_base = Fraction(1, fps)
                for packet in stream.encode(frame):
                    container.mux(packet)
            progress(97, "finalising the video")
            for packet in stream.encode(None):
                container.mux(packet)
        return poster


def _video_frame(warper: FrameWarper, state) -> av.VideoFrame:
    """Rigid frames are rendered straight into BT.709 limited-range yuv420p (no RGB frame, no conversion per
    frame); layered (parallax) frames are composited in RGB and converted by swscale."""
    if not warper.has_depth(state):
        return av.VideoFrame.from_ndarray(warper.render_yuv420(state), format="yuv420p")
    frame = av.VideoFrame.from_ndarray(warper.render(state), format="rgb24")
    return frame.reformat(format="yuv420p", dst_colorspace="ITU709", dst_color_range="MPEG")


def aim_at_subject(plan: MotionPlan, picture) -> MotionPlan:
    """A subject-centred take zooms towards the subject found in the picture; with no clear subject it falls back
    to the frame-centred aim the seed drew."""
    if plan.framing != "subject":
        return plan
    centre = subject_centre(np.asarray(picture))
    if centre is None:
        return replace(plan, framing="frame")
    limit_x, limit_y = SUBJECT_AIM_LIMIT
    focus = (round(float(np.clip(centre[0], -limit_x, limit_x)), 4),
             round(float(np.clip(centre[1], -limit_y, limit_y)), 4))
    return replace(plan, focus=focus)


def _validate(request: VideoRequest) -> None:
    if not MIN_DURATION_S <= request.duration <= MAX_DURATION_S:
        raise EngineInputError(f"Clips can be {MIN_DURATION_S:.0f} to {MAX_DURATION_S:.0f} seconds long; "
                               f"{request.duration:g} s was asked.")
    if not MIN_FPS <= request.fps <= MAX_FPS:
        raise EngineInputError(f"The frame rate must be between {MIN_FPS} and {MAX_FPS} fps; {request.fps} was asked.")
    if not 64 <= request.min_short_side <= 2160:
        raise EngineInputError(f"The video's short side must be 64-2160 px; {request.min_short_side} was asked.")
    if len(request.motion_prompt or "") > 1000:
        raise EngineInputError("The motion prompt is too long; keep it under 1000 characters.")


ENGINES = (EngineSpec("video", LocalCameraMotionEngine.name, LocalCameraMotionEngine),)
