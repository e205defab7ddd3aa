"""Deploying as documented: `collectstatic` with DEBUG off passes, and gunicorn serves pages and assets.

The assets are built by scripts/copy-assets.mjs into a temporary tree (not static/vendor), collected by the
production storage (whitenoise's compressed manifest) into a temporary STATIC_ROOT, and served by whitenoise.
"""

import json
import re

import pytest

from tests.deploy.conftest import database_url, production_env


def manifest(static_env: dict[str, str]) -> dict[str, str]:
    with open(f"{static_env['SIDEBAR_TEST_STATIC_ROOT']}/staticfiles.json") as file:
        return json.load(file)["paths"]


def test_collectstatic_with_debug_off_fingerprints_every_asset_and_its_source_map(collected):
    paths = manifest(collected)
    for name in (
        "vendor/chartjs/chart.umd.min.js",
        "vendor/chartjs/chart.umd.min.js.map",
        "vendor/pico/pico.min.css",
        "css/app.css",
        "js/insights.js",
    ):
        assert name in paths, name
        assert paths[name] != name, name  # a hashed name, cached for ever by browsers


@pytest.mark.django_db
def test_gunicorn_with_debug_off_serves_a_page_and_its_assets_through_whitenoise(
    collected, start_gunicorn, tmp_path
):
    server = start_gunicorn(production_env(**collected, DATABASE_URL=database_url(tmp_path)))

    page = server.get("/accounts/login/")
    assert page.status == 200, server.log()
    html = page.body.decode()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert any(asset.endswith(".css") for asset in assets), html[:2000]
    for asset in assets:
        answer = server.get(asset)
        assert answer.status == 200, asset
        assert "immutable" in answer.headers.get("cache-control", ""), asset

    chart = "/static/" + manifest(collected)["vendor/chartjs/chart.umd.min.js"]
    answer = server.get(chart, headers={"Accept-Encoding": "gzip"})
    assert answer.status == 200
    assert answer.headers.get("content-encoding") == "gzip"
    plain = server.get(chart).body.decode()
    source_map = re.search(r"sourceMappingURL=(\S+)", plain)
    assert source_map, "the source map comment is kept"
    assert server.get("/static/vendor/chartjs/" + source_map.group(1)).status == 200
