"""Real identity providers for the single sign-on tests, each in a process of its own on a free local port:
node-oidc-provider (OpenID Connect, tests/identity/oidc_provider.mjs) and pysaml2's IdP (SAML 2.0,
tests/identity/saml_idp.py). Each is stopped when its block ends (tests/child_processes.py checks it)."""

import base64
import contextlib
import copy
import datetime
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from csp.constants import SELF

from config import sso
from marketplace.models import User
from tests.waiting import wait_until

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CLIENT_ID = "sidebar-tests"
CLIENT_SECRET = "sidebar-tests-secret"


def department_of(user: User) -> str | None:
    return user.department.name if user.department else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class IdentityProvider:
    url: str
    config_path: Path
    log_path: Path

    def set_account(self, login: str, account: dict) -> None:
        """Adds or replaces an account; the provider reads it at the next sign-in."""
        config = json.loads(self.config_path.read_text())
        config["accounts"][login] = account
        self.config_path.write_text(json.dumps(config))

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


@contextlib.contextmanager
def _running(command: list[str], config: dict, workdir: Path, name: str) -> Iterator[IdentityProvider]:
    config_path = workdir / f"{name}.json"
    config_path.write_text(json.dumps(config))
    log_path = workdir / f"{name}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*command, str(config_path)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        provider = IdentityProvider(f"http://127.0.0.1:{config['port']}", config_path, log_path)
        try:

            def ready() -> bool:
                if process.poll() is not None:
                    raise AssertionError(f"{name} exited ({process.returncode}):\n{provider.log()}")
                return "ready" in log_path.read_text(errors="replace").split()

            wait_until(ready, message=lambda: f"{name} to listen:\n{provider.log()}", timeout=30)
            yield provider
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@contextlib.contextmanager
def oidc_provider(workdir: Path, *, site_url: str, accounts: dict[str, dict]) -> Iterator[IdentityProvider]:
    """node-oidc-provider with one confidential client whose redirect URI is Sidebar's callback at `site_url`;
    `accounts`: login -> claims (its login page takes any password)."""
    config = {
        "port": free_port(),
        "client": {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [f"{site_url}/accounts/oidc/{sso.SSO_SLUG}/login/callback/"],
        },
        "accounts": accounts,
    }
    with _running(["node", str(HERE / "oidc_provider.mjs")], config, workdir, "oidc-provider") as provider:
        yield provider


@contextlib.contextmanager
def saml_idp(workdir: Path, *, site_url: str, accounts: dict[str, dict]) -> Iterator[IdentityProvider]:
    """pysaml2's IdP, knowing Sidebar at `site_url` by its metadata; `accounts`: login -> {"password",
    "name_id", "attributes"}."""
    config = {
        "port": free_port(),
        "workdir": str(workdir),
        "sp_metadata_url": f"{site_url}/accounts/saml/{sso.SSO_SLUG}/metadata/",
        "accounts": accounts,
    }
    with _running([sys.executable, str(HERE / "saml_idp.py")], config, workdir, "saml-idp") as provider:
        yield provider


def use_providers(
    settings,
    *,
    oidc: IdentityProvider | None = None,
    saml: IdentityProvider | None = None,
    allow_idp_initiated: bool = False,
    **names: str,
) -> None:
    """Sidebar configured as config/settings.py does from OIDC_* and SAML_IDP_METADATA_URL, against these."""
    settings.OIDC_SERVER_URL = oidc.url if oidc else None
    settings.OIDC_NAME = names.get("oidc_name", "Acme Login")
    settings.SAML_IDP_METADATA_URL = f"{saml.url}/metadata" if saml else None
    settings.SAML_NAME = names.get("saml_name", "Acme SAML")
    oidc_app = (
        sso.OidcProvider(
            server_url=oidc.url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, name=settings.OIDC_NAME
        )
        if oidc
        else None
    )
    metadata_url = settings.SAML_IDP_METADATA_URL
    saml_app = (
        sso.SamlProvider(
            name=settings.SAML_NAME,
            metadata_url=metadata_url,
            allow_idp_initiated=allow_idp_initiated,
        )
        if saml
        else None
    )
    settings.SOCIALACCOUNT_PROVIDERS = sso.socialaccount_providers(oidc=oidc_app, saml=saml_app)
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] = [SELF, *sso.form_action_origins(oidc=oidc_app, saml=saml_app)]
    settings.CONTENT_SECURITY_POLICY = policy


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append({"action": values.get("action", ""), "fields": {}})
        elif tag in {"input", "button"} and self.forms and values.get("name"):
            self.forms[-1]["fields"].setdefault(values["name"], values.get("value", ""))


def forms_of(page: str) -> list[dict]:
    """Each form of an HTML page: {"action", "fields": {name: value}} (the first value of each name)."""
    parser = _Forms()
    parser.feed(page)
    return parser.forms


def submit(session: requests.Session, answer: requests.Response, *, index: int = -1, **fields: str):
    """Posts the page's form (the last by default) with its own fields and `fields`, following redirects."""
    form = forms_of(answer.text)[index]
    return session.post(urljoin(answer.url, form["action"]), data={**form["fields"], **fields}, timeout=20)


def start_sign_in(session: requests.Session, site_url: str, button: str) -> requests.Response:
    """Presses the sign-in page's button (its form's action contains `button`): the provider's page."""
    login_page = session.get(f"{site_url}/accounts/login/", timeout=20)
    index = next(i for i, form in enumerate(forms_of(login_page.text)) if button in form["action"])
    return submit(session, login_page, index=index)


def another_certificate() -> str:
    """A self-signed certificate of a key no identity provider here holds, as metadata carries one (base64
    DER)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Not the test IdP")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()
