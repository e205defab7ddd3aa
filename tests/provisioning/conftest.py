"""Fixtures of the provisioning tests: a SCIM client with the token configured."""

import pytest

from tests.provisioning.scim_client import TOKEN, ScimClient


@pytest.fixture
def scim(client, settings, db):
    settings.SCIM_TOKEN = TOKEN
    settings.SITE_URL = "https://sidebar.example.com"
    return ScimClient(client)
