from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pipeline.engines import interfaces, registry


def test_local_engines_are_registered_and_satisfy_their_protocols():
    assert "local-prompt-rules" in registry.available("prompt")
    assert "local-previz" in registry.available("frame")
    assert "local-photo" in registry.available("photo")
    assert "local-camera-motion" in registry.available("video")
    assert isinstance(registry.create("prompt", "local-prompt-rules"), interfaces.PromptEnhancer)
    assert isinstance(registry.create("frame", "local-previz"), interfaces.FrameEngine)
    assert isinstance(registry.create("photo", "local-photo"), interfaces.PhotoEnhancer)
    assert isinstance(registry.create("video", "local-camera-motion"), interfaces.VideoEngine)


def test_labels_say_they_are_local():
    for kind, name in [("prompt", "local-prompt-rules"), ("frame", "local-previz"), ("photo", "local-photo"),
                       ("video", "local-camera-motion")]:
        engine = registry.create(kind, name)
        assert engine.name == name
        assert "local" in engine.label.lower() and "offline" in engine.label.lower()


def test_importing_the_engines_stays_light():
    code = ("import sys; from pipeline.engines import registry; registry.available('video'); "
            "print(sorted(m for m in ('torch', 'diffusers', 'transformers') if m in sys.modules))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[2]).stdout
    assert output.strip() == "[]"


def _pipeline_imports(path: Path) -> set[str]:
    """Modules a source file imports from the pipeline package, at any depth (lazy imports count too)."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {name for name in found if name.startswith("pipeline.")}


def test_engine_modules_never_import_the_registry_so_there_is_no_cycle():
    engines_dir = Path(registry.__file__).parent
    offenders = {path.name: sorted(n for n in _pipeline_imports(path) if n.startswith("pipeline.engines.registry"))
                 for path in engines_dir.glob("*.py") if path.name != "registry.py"}
    assert {name: found for name, found in offenders.items() if found} == {}
    assert not (engines_dir / "base.py").exists()


def test_every_builtin_module_offers_its_engines_by_spec():
    import importlib

    for module_name in registry.BUILTIN_MODULES:
        offered = importlib.import_module(module_name).ENGINES
        specs = list(offered() if callable(offered) else offered)
        assert specs and all(isinstance(spec, interfaces.EngineSpec) for spec in specs), module_name


def test_a_registered_engine_is_found_and_refuses_an_unknown_kind():
    import pytest

    class Stand:
        name, label = "stand-in", "Stand-in (test)"

    registry.register(interfaces.EngineSpec("frame", "stand-in-test", Stand))
    try:
        assert "stand-in-test" in registry.available("frame")
        assert isinstance(registry.create("frame", "stand-in-test"), Stand)
        with pytest.raises(ValueError, match="Unknown engine kind"):
            registry.register(interfaces.EngineSpec("sound", "x", Stand))
    finally:
        registry.unregister("frame", "stand-in-test")
    assert "stand-in-test" not in registry.available("frame")
