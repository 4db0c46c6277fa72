"""studio/components/unchanged.py: a refresh re-sends only the outputs whose content changed."""
import gradio as gr
import pandas as pd

from studio.components.unchanged import skipping


def charts(scores):
    frame = pd.DataFrame({"bin": [str(i) for i in range(len(scores))], "count": scores})
    return "<b>cards</b>", gr.BarPlot(value=frame, sort=list(frame["bin"])), frame


def is_skip(value):
    return isinstance(value, dict) and value.get("__type__") == "update" and len(value) == 1


def test_first_call_sends_everything_then_only_what_changed():
    data = {"scores": [1, 2, 3]}
    refresh = skipping(lambda: charts(data["scores"]))
    *first, shown = refresh([])
    assert not any(is_skip(v) for v in first) and len(shown) == 3
    *again, shown_again = refresh(shown)
    assert all(is_skip(v) for v in again) and shown_again == shown
    data["scores"] = [1, 2, 4]
    *changed, _ = refresh(shown)
    assert is_skip(changed[0]) and not is_skip(changed[1]) and not is_skip(changed[2])


def test_a_skip_of_everything_passes_through_and_the_signature_gains_the_state():
    refresh = skipping(lambda pid: gr.skip())
    assert is_skip(refresh(None, []))
    import inspect

    assert list(inspect.signature(refresh).parameters) == ["pid", "shown"]
