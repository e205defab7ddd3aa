"""Production mode (DEBUG off, a long SECRET_KEY, an https SITE_URL, ALLOWED_HOSTS): Django's deployment
checks find nothing, and a real server redirects plain HTTP, sends HSTS and the security headers, and sets
secure cookies, while GET /healthz stays reachable over plain HTTP by any host name."""

import re

import pytest

from tests.deploy.conftest import database_url, manage, production_env

SITE = "sidebar.example.com"
HTTPS_PRODUCTION = {"SITE_URL": f"https://{SITE}", "ALLOWED_HOSTS": SITE}


def deploy_check_issues() -> list[str]:
    result = manage("check", "--deploy", env=production_env(**HTTPS_PRODUCTION))
    assert result.returncode == 0, result.stderr[-3000:]
    return re.findall(r"^\S+: \((\w+\.[A-Z]\d+)\) .*$", result.stderr + result.stdout, flags=re.MULTILINE)


def test_check_deploy_reports_nothing_at_all_in_production_mode():
    """Nothing of Django's, the apps' or the OpenAPI schema's (drf_spectacular's warnings about untyped
    serializers included)."""
    assert deploy_check_issues() == []


@pytest.mark.django_db
def test_an_https_site_redirects_plain_http_and_sends_hsts_and_secure_cookies(
    collected, start_gunicorn, tmp_path
):
    server = start_gunicorn(
        production_env(**collected, **HTTPS_PRODUCTION, DATABASE_URL=database_url(tmp_path)),
        ready_path="/healthz",
    )

    plain = server.get("/accounts/login/", headers={"Host": SITE})
    assert plain.status == 301
    assert plain.headers["location"] == f"https://{SITE}/accounts/login/"

    # Through the TLS proxy, which says the request came over HTTPS.
    page = server.get("/accounts/login/", headers={"Host": SITE, "X-Forwarded-Proto": "https"})
    assert page.status == 200, server.log()
    assert page.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["cross-origin-opener-policy"] == "same-origin"
    csrf_cookie = next(cookie for cookie in page.cookies if cookie.startswith("csrftoken="))
    assert "; Secure" in csrf_cookie

    # A load balancer's health check: plain HTTP, the instance's address as host name.
    health = server.get("/healthz", headers={"Host": "10.0.0.7:8000"})
    assert health.status == 200, server.log()
    assert health.json() == {"database": "ok", "broker": "not configured"}
