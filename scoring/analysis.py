"""The single decode pass that feeds every metric.

``ClipAnalysis.run()`` decodes the clip once at analysis resolution (short side
≈ 360 px), and:

* hands every frame (with its predecessor) to each metric's ``on_frame``;
* samples frames every ``step = max(1, round(fps / 8))`` frames — VBench's
  dynamic-degree interval — computes OpenCV DIS optical flow between
  consecutive samples once, fits the global camera motion to it (a RANSAC
  similarity transform, chained from the first frame), and hands each
  :class:`FramePair` (flow, camera motion, top-5 % flow magnitude, the native
  frames in between) to each metric's ``on_pair``;
* gathers clip-level facts for the gates (black/blank frames, decoded vs.
  expected frame count, per-pair motion) into a :class:`ClipSummary`.

Only the frames since the last sample are kept (≤ ``step`` + 1 small frames).
Decoding runs in a helper thread (PyAV and OpenCV release the GIL) so that
decoding overlaps with optical flow on two cores.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from .config import ScoringConfig
from .imageops import (
    IDENTITY,
    compose,
    estimate_motion,
    flow_magnitude,
    to_gray,
    top_fraction_mean,
)
from .video_io import VideoInfo, VideoReader, scaled_size

#: A frame is "black" when its mean luma is below this (0–255) and it has
#: almost no texture; "blank" when it is (nearly) uniform at any brightness.
BLACK_LUMA = 16.0
BLACK_MAX_STD = 10.0
BLANK_MAX_STD = 2.0

#: A sampled pair is "moving" when its top-5 % flow is at least this share of
#: the clip's 90th-percentile pair (see ``ClipSummary.moving_pairs``).
MOVING_PAIR_SHARE = 0.2
#: ... and the clip counts as moving when that percentile reaches this share of
#: VBench's dynamic threshold (below it, every pair counts).
MOVING_CLIP_RATIO = 0.1

#: Sizes tried when fitting the hero image onto the video frame geometry.
HERO_FIT_MODES = ("crop", "stretch", "pad")


class Frame:
    """One decoded frame at analysis resolution."""

    __slots__ = ("_gray", "index", "rgb", "time")

    def __init__(self, index: int, time: float, rgb: np.ndarray):
        self.index = index
        self.time = time
        self.rgb = rgb
        self._gray: np.ndarray | None = None

    @property
    def gray(self) -> np.ndarray:
        if self._gray is None:
            self._gray = to_gray(self.rgb)
        return self._gray

    def __repr__(self) -> str:  # pragma: no cover
        return f"Frame({self.index}, t={self.time:.3f})"


@dataclass
class FramePair:
    """Two consecutive sampled frames with the shared flow between them."""

    k: int
    a: Frame
    b: Frame
    #: Native frames strictly between ``a`` and ``b`` (empty when step is 1).
    between: list[Frame]
    #: DIS flow a→b (``a(x) ≈ b(x + flow(x))``), float32 H×W×2, analysis px.
    flow: np.ndarray
    #: VBench's per-pair motion score: mean of the top 5 % flow magnitudes (px).
    top5: float
    #: Global camera motion a→b: 2×3 similarity transform of analysis px
    #: (``b ≈ motion · a``), fitted to ``flow`` with RANSAC.
    motion: np.ndarray = field(default_factory=lambda: IDENTITY.copy())
    #: Fraction of flow samples that agree with ``motion``.
    motion_inliers: float = 1.0
    #: Camera motion from the first frame to ``b`` (the chained ``motion``).
    from_first: np.ndarray = field(default_factory=lambda: IDENTITY.copy())


@dataclass
class ClipSummary:
    """Clip-level facts gathered during the pass (used by metrics and gates)."""

    decoded_frames: int = 0
    #: Frames the container promised (or ``expected_duration`` × fps), 0 if unknown.
    expected_frames: int = 0
    decoded_seconds: float = 0.0
    decode_error: str | None = None
    sampled_frames: int = 0
    pair_top5: list[float] = field(default_factory=list)
    flow_threshold_px: float = 0.0
    black_frames: int = 0
    blank_frames: int = 0
    first_luma: float = 0.0
    #: True when frames were left out because of ``max_seconds``.
    clipped: bool = False

    @property
    def mean_top5(self) -> float:
        return float(np.mean(self.pair_top5)) if self.pair_top5 else 0.0

    def moving_pairs(self) -> list[bool]:
        """Per sampled pair: does the camera (or content) move in it?

        Smoothness and flicker errors are averaged over the moving pairs only:
        a clip whose move stops partway and holds (or starts late) would
        otherwise look smoother and steadier than one that moves throughout,
        just because its held frames are identical. Near-static clips keep
        every pair."""
        if not self.pair_top5:
            return []
        ref = float(np.percentile(self.pair_top5, 90))
        if ref < MOVING_CLIP_RATIO * self.flow_threshold_px:
            return [True] * len(self.pair_top5)
        return [v >= MOVING_PAIR_SHARE * ref for v in self.pair_top5]

    @property
    def motion_ratio(self) -> float:
        """Mean top-5 % flow magnitude relative to VBench's dynamic threshold."""
        if not self.pair_top5 or self.flow_threshold_px <= 0:
            return 0.0
        return self.mean_top5 / self.flow_threshold_px


class FlowEngine:
    """OpenCV DIS optical flow on gray frames, with a tiny cache."""

    def __init__(self, preset: str = "fast"):
        import cv2

        presets = {
            "ultrafast": cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST,
            "fast": cv2.DISOPTICAL_FLOW_PRESET_FAST,
            "medium": cv2.DISOPTICAL_FLOW_PRESET_MEDIUM,
        }
        self._dis = cv2.DISOpticalFlow_create(presets.get(preset, cv2.DISOPTICAL_FLOW_PRESET_FAST))
        self._cache: dict[tuple[int, int], np.ndarray] = {}
        self.calls = 0

    def calc(self, a_gray: np.ndarray, b_gray: np.ndarray) -> np.ndarray:
        """Uncached flow between two gray images of the analysis size."""
        self.calls += 1
        return self._dis.calc(a_gray, b_gray, None)

    def __call__(self, a: Frame, b: Frame) -> np.ndarray:
        key = (a.index, b.index)
        flow = self._cache.get(key)
        if flow is None:
            flow = self._dis.calc(a.gray, b.gray, None)
            self.calls += 1
            if len(self._cache) > 8:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = flow
        return flow


class ClipContext:
    """Static facts about the clip being scored, shared by all metrics."""

    def __init__(
        self,
        info: VideoInfo,
        config: ScoringConfig,
        *,
        hero: np.ndarray | None,
        motion_expected: bool | None,
        expected_frames: int,
        motion_prompt: str = "",
        prompt: str = "",
    ):
        self.info = info
        self.config = config
        self.width, self.height = scaled_size(info.width, info.height, short_side=config.analysis_short_side)
        fps = info.fps or 24.0
        #: Native frames between two flow samples (VBench: round(fps / 8)).
        self.step = max(1, round(fps / max(config.flow_fps, 0.1)))
        #: VBench dynamic-degree threshold at the analysis resolution:
        #: 6 px per 256 px of short side (≈ 16.9 px at 720p, 8.4 px at 360p).
        self.flow_threshold_px = 6.0 * min(self.width, self.height) / 256.0
        self.hero = hero
        #: Hero resized onto the analysis frame geometry (see ``fit_hero``).
        self.hero_fitted: np.ndarray | None = None
        self.hero_fit_mode: str | None = None
        self.motion_expected = motion_expected
        self.motion_prompt = motion_prompt or ""
        #: The scene prompt (for prompt alignment), may be empty.
        self.prompt = prompt or ""
        self.expected_frames = expected_frames
        self.flow = FlowEngine(config.flow_preset)
        #: Per-clip cache shared by metrics (e.g. hero alignment).
        self.shared: dict = {}

    def fit_hero(self, first: Frame) -> None:
        """Pick how the hero maps onto the frame (centre-crop, stretch or
        letterbox) by coarse SSIM against the first frame."""
        if self.hero is None:
            return
        import cv2

        from .imageops import fit_image, ssim

        best = None
        small = (max(16, self.width // 4), max(16, self.height // 4))
        first_small = cv2.resize(first.gray, small, interpolation=cv2.INTER_AREA)
        hh, hw = self.hero.shape[:2]
        modes = ("crop",) if hw * self.height == hh * self.width else HERO_FIT_MODES
        for mode in modes:
            fitted = fit_image(self.hero, self.width, self.height, mode)
            score = ssim(cv2.resize(to_gray(fitted), small, interpolation=cv2.INTER_AREA), first_small)
            if best is None or score > best[0] + 1e-9:
                best = (score, mode, fitted)
        _, self.hero_fit_mode, self.hero_fitted = best


class ClipAnalysis:
    """Run one decode pass over ``reader`` feeding ``metrics`` (instances)."""

    def __init__(self, reader: VideoReader, clip: ClipContext, metrics: Iterable):
        self.reader = reader
        self.clip = clip
        self.metrics = list(metrics)
        #: Metric name → error, for metrics that raised during the pass (they
        #: get no further frames; the others carry on).
        self.failed: dict[str, str] = {}

    def _dispatch(self, hook: str, *args) -> None:
        for metric in self.metrics:
            if metric.name in self.failed:
                continue
            try:
                getattr(metric, hook)(*args)
            except Exception as exc:  # noqa: BLE001
                self.failed[metric.name] = f"error: {type(exc).__name__}: {exc}"[:300]

    def _frames(self):
        """Decoded frames, produced by a helper thread (bounded queue)."""
        cfg = self.clip.config
        q: queue.Queue = queue.Queue(maxsize=2 * self.clip.step + 4)
        stop = threading.Event()
        done = object()

        def put(item) -> bool:
            while not stop.is_set():
                try:
                    q.put(item, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False

        def produce():
            frames = self.reader.frames(short_side=cfg.analysis_short_side, max_seconds=cfg.max_seconds)
            try:
                for item in frames:
                    if not put(item):
                        return
                put((done, None))
            except BaseException as exc:  # noqa: BLE001 - re-raised in the consumer
                put((done, exc))
            finally:
                frames.close()

        worker = threading.Thread(target=produce, name="scoring-decode", daemon=True)
        worker.start()
        try:
            while True:
                try:
                    item = q.get(timeout=1.0)
                except queue.Empty:
                    if worker.is_alive():
                        continue
                    if q.empty():  # the decoder ended without saying so: never wait on it for ever
                        raise RuntimeError("The video decoder stopped before the end of the clip.") from None
                    continue
                if item[0] is done:
                    if item[1] is not None:
                        raise item[1]
                    return
                yield item
        finally:
            stop.set()
            worker.join(timeout=5)

    def run(self) -> ClipSummary:
        clip = self.clip
        summary = ClipSummary(expected_frames=clip.expected_frames, flow_threshold_px=clip.flow_threshold_px)
        step = clip.step
        prev: Frame | None = None
        last_sample: Frame | None = None
        window: list[Frame] = []
        from_first = IDENTITY.copy()
        k = 0
        for index, t, rgb in self._frames():
            frame = Frame(index, t, rgb)
            if prev is None:
                clip.fit_hero(frame)
            luma_mean, luma_std = _mean_std(frame.gray)
            if index == 0:
                summary.first_luma = luma_mean
            if luma_std < BLANK_MAX_STD:
                summary.blank_frames += 1
            if luma_mean < BLACK_LUMA and luma_std < BLACK_MAX_STD:
                summary.black_frames += 1
            self._dispatch("on_frame", frame, prev)
            if index % step == 0:
                summary.sampled_frames += 1
                if last_sample is not None:
                    flow = clip.flow(last_sample, frame)
                    # VBench's top-5 % mean, on every other flow vector (same value, 4× cheaper)
                    top5 = top_fraction_mean(flow_magnitude(flow[::2, ::2]), 0.05)
                    summary.pair_top5.append(top5)
                    motion, inliers = estimate_motion(flow)
                    from_first = compose(motion, from_first)
                    pair = FramePair(k, last_sample, frame, window[1:], flow, top5, motion, inliers, from_first)
                    self._dispatch("on_pair", pair)
                    k += 1
                last_sample = frame
                window = [frame]
            else:
                window.append(frame)
            prev = frame
            summary.decoded_seconds = t
        summary.decoded_frames = self.reader.decoded
        summary.decode_error = self.reader.decode_error
        fps = clip.info.fps or 24.0
        if summary.decoded_frames:
            summary.decoded_seconds = summary.decoded_seconds + 1.0 / fps
        summary.clipped = bool(
            clip.info.duration and clip.info.duration > clip.config.max_seconds and summary.decode_error is None
        )
        return summary


def _mean_std(gray: np.ndarray) -> tuple[float, float]:
    import cv2

    m, s = cv2.meanStdDev(gray)
    return float(m[0, 0]), float(s[0, 0])
