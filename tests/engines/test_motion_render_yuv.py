"""Rigid frames rendered straight into yuv420p carry the same picture and colours as RGB frames converted by
swscale (BT.709, limited range): the faster path changes nothing a viewer could see."""
from __future__ import annotations

import av
import numpy as np
from PIL import Image

from pipeline.engines.motion_path import CameraState
from pipeline.engines.motion_render import FrameWarper


def _swscale_yuv420(rgb: np.ndarray) -> np.ndarray:
    frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
    return frame.reformat(format="yuv420p", dst_colorspace="ITU709", dst_color_range="MPEG").to_ndarray()


def test_direct_yuv_matches_rgb_through_swscale(hero_path):
    image = np.asarray(Image.open(hero_path).convert("RGB"))
    states = [CameraState(), CameraState(zoom=1.2, offset_x=0.02, offset_y=-0.01, roll_deg=0.3)]
    warper = FrameWarper(image, (320, 180), states, margin=1.1)
    for state in states:
        direct = warper.render_yuv420(state).astype(np.float32)
        reference = _swscale_yuv420(warper.render(state)).astype(np.float32)
        assert direct.shape == reference.shape == (270, 320)
        luma, chroma = np.abs(direct[:180] - reference[:180]), np.abs(direct[180:] - reference[180:])
        assert luma.mean() < 1.0 and np.percentile(luma, 99) <= 3  # rounding, not a shift or a colour cast
        assert abs(float((direct[180:] - reference[180:]).mean())) < 0.5 and chroma.mean() < 1.5
        assert 16 <= direct[:180].min() and direct[:180].max() <= 235  # limited range, as the stream is tagged
