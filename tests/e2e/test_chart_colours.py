"""The dashboard's charts give every series one colour of its own, and the legend shows that colour: the
demand chart once drew "Requests" in red for the skill gaps, next to the pink of "Without a session". On a
phone its skill names stay whole: Chart.js gives the axis at most half the chart, so long names wrap."""

from datetime import UTC, datetime

import pytest

from marketplace.models import Skill
from tests.e2e.conftest import log_in_on
from tests.e2e.test_insights import seed_organisation
from tests.factories import PASSWORD

pytestmark = pytest.mark.urls("tests.insights.urls")

SERIES_AND_LEGEND = """(id) => {
  const chart = Chart.getChart(document.getElementById(id));
  return {
    series: chart.data.datasets.map((dataset) => ({ label: dataset.label, colour: dataset.backgroundColor })),
    legend: chart.legend.legendItems.map((item) => ({ label: item.text, colour: item.fillStyle })),
  };
}"""

# Each skill name's widest line, measured in the bold tick font (the gaps' own), against the axis' width.
SKILL_LABELS = """() => {
  const chart = Chart.getChart(document.getElementById("chart-skills"));
  const axis = chart.scales.y;
  const font = Chart.helpers.toFont({ ...Chart.defaults.font, size: 12, weight: "bold" });
  chart.ctx.font = font.string;
  const widest = (label) => Math.max(...[label].flat().map((line) => chart.ctx.measureText(line).width));
  return { left: axis.left, width: axis.width,
           labels: axis.ticks.map((tick) => ({ label: tick.label, width: widest(tick.label) })) };
}"""


def draw_the_dashboard(page, hr) -> None:
    seed_organisation(datetime.now(UTC), hr)
    log_in_on(page, hr.email, PASSWORD)
    page.goto("/insights/")
    page.wait_for_function("() => Chart.getChart(document.getElementById('chart-skills')) !== undefined")


def test_every_series_has_its_own_colour_and_the_legend_matches_it(page, transactional_db, hr):
    draw_the_dashboard(page, hr)
    assert page.get_by_text("Largest gaps").is_visible(), "the demand chart has gaps to mark"

    for chart in ("chart-weekly", "chart-time-to-help", "chart-skills"):
        drawn = page.evaluate(SERIES_AND_LEGEND, chart)
        colours = [series["colour"] for series in drawn["series"]]
        assert all(isinstance(colour, str) for colour in colours), f"{chart}: one colour a series: {colours}"
        assert len(set(colours)) == len(colours), f"{chart}: two series share a colour: {drawn['series']}"
        assert drawn["legend"] == drawn["series"], chart


def test_on_a_phone_long_skill_names_wrap_inside_the_demand_chart(
    phone_page, transactional_db, hr, screenshot
):
    draw_the_dashboard(phone_page, hr)  # seeds first, then renames, before the page reads the figures
    Skill.objects.filter(name="Design review").update(name="Stakeholder management")
    phone_page.reload()
    phone_page.wait_for_function(
        "() => Chart.getChart(document.getElementById('chart-skills')) !== undefined"
    )
    phone_page.locator("#chart-skills").scroll_into_view_if_needed()
    screenshot(phone_page, "phone-insights-skills-chart")

    axis = phone_page.evaluate(SKILL_LABELS)

    assert any("Stakeholder" in str(item["label"]) for item in axis["labels"])
    assert axis["left"] >= 0
    too_wide = [item for item in axis["labels"] if item["width"] > axis["width"]]
    assert too_wide == [], f"cut at the chart's edge (axis {axis['width']:.0f} px): {too_wide}"
