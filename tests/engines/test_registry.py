from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pipeline.engines import base


def test_local_engines_are_registered_and_satisfy_their_protocols():
    assert "local-prompt-rules" in base.available("prompt")
    assert "local-previz" in base.available("frame")
    assert "local-photo" in base.available("photo")
    assert "local-camera-motion" in base.available("video")
    assert isinstance(base.create("prompt", "local-prompt-rules"), base.PromptEnhancer)
    assert isinstance(base.create("frame", "local-previz"), base.FrameEngine)
    assert isinstance(base.create("photo", "local-photo"), base.PhotoEnhancer)
    assert isinstance(base.create("video", "local-camera-motion"), base.VideoEngine)


def test_labels_say_they_are_local():
    for kind, name in [("prompt", "local-prompt-rules"), ("frame", "local-previz"), ("photo", "local-photo"),
                       ("video", "local-camera-motion")]:
        engine = base.create(kind, name)
        assert engine.name == name
        assert "local" in engine.label.lower() and "offline" in engine.label.lower()


def test_importing_the_engines_stays_light():
    code = ("import sys; from pipeline.engines import base; base.available('video'); "
            "print(sorted(m for m in ('torch', 'diffusers', 'transformers') if m in sys.modules))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[2]).stdout
    assert output.strip() == "[]"
