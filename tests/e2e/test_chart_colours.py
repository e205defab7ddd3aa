"""The dashboard's charts give every series one colour of its own, and the legend shows that colour: the
demand chart once drew "Requests" in red for the skill gaps, next to the pink of "Without a session"."""

from datetime import UTC, datetime

import pytest

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


def test_every_series_has_its_own_colour_and_the_legend_matches_it(page, transactional_db, hr, log_in):
    seed_organisation(datetime.now(UTC), hr)
    log_in(hr.email, PASSWORD)
    page.goto("/insights/")
    page.wait_for_function("() => Chart.getChart(document.getElementById('chart-skills')) !== undefined")
    assert page.get_by_text("Largest gaps").is_visible(), "the demand chart has gaps to mark"

    for chart in ("chart-weekly", "chart-time-to-help", "chart-skills"):
        drawn = page.evaluate(SERIES_AND_LEGEND, chart)
        colours = [series["colour"] for series in drawn["series"]]
        assert all(isinstance(colour, str) for colour in colours), f"{chart}: one colour a series: {colours}"
        assert len(set(colours)) == len(colours), f"{chart}: two series share a colour: {drawn['series']}"
        assert drawn["legend"] == drawn["series"], chart
