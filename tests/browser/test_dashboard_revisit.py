"""Coming back to the Dashboard draws each chart once (the browser redraws a chart that becomes visible again), not
twice: the refresh sends no chart whose data is unchanged (studio/components/unchanged.py). A filter that changes
the data redraws them."""
import pytest

from benchmarks.demo_data import build
from tests.e2e.app_process import AppProcess

pytestmark = pytest.mark.browser

CHARTS = ".vega-embed svg.marks"
# Counts the charts drawn from now on (each drawing inserts a new <svg class="marks">).
WATCH = """() => { window.chartsDrawn = 0;
    new MutationObserver(records => records.forEach(r => r.addedNodes.forEach(n => {
        if (n.nodeType !== 1) return;
        window.chartsDrawn += (n.matches('svg.marks') ? 1 : 0) + n.querySelectorAll('svg.marks').length; })))
      .observe(document.body, {subtree: true, childList: true}); }"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    data = tmp_path_factory.mktemp("dashboard") / "studio-data"
    build(data, projects=3, attempts=30)  # 3 groups a project; picks, finals, real small media
    process = AppProcess(data).start()
    yield process
    process.stop()


def stat(page, label):
    return page.evaluate("""label => [...document.querySelectorAll('.stat-card')]
        .find(c => c.textContent.includes(label))?.querySelector('.stat-value')?.textContent""", label)


def test_revisit_keeps_the_charts_and_a_filter_redraws_them(page, app):
    page.wait_for_function("() => document.querySelector('input[aria-label=\"Project\"]')?.value.length > 0",
                           timeout=60000)
    page.get_by_role("tab", name="5 · Dashboard").click()
    page.wait_for_function(f"() => document.querySelectorAll('{CHARTS}').length >= 7", timeout=30000)
    page.wait_for_timeout(1500)
    assert stat(page, "generation groups") == "3"
    charts = page.evaluate(f"() => document.querySelectorAll('{CHARTS}').length")
    page.get_by_role("tab", name="6 · Library").click()
    page.wait_for_timeout(800)
    page.evaluate(WATCH)
    page.get_by_role("tab", name="5 · Dashboard").click()
    page.wait_for_timeout(5000)  # the refresh of the revisit has come back and been drawn
    assert page.evaluate("() => window.chartsDrawn") <= charts  # once each at most, not again for the same data

    page.evaluate("() => { window.chartsDrawn = 0; }")
    page.get_by_label("All projects").check()
    page.wait_for_function("() => [...document.querySelectorAll('.stat-card')].some(c => "
                           "c.textContent.includes('generation groups') && c.textContent.includes('9'))", timeout=30000)
    page.wait_for_timeout(2000)
    assert page.evaluate("() => window.chartsDrawn") >= 1, "the charts of all projects were not drawn"
    assert page.errors == []
