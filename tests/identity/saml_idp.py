"""A real SAML 2.0 identity provider (pysaml2's IdP, signing with xmlsec1) for the single sign-on tests, in a
process of its own: `python tests/identity/saml_idp.py CONFIG.json`.

CONFIG holds the port, a working directory (its key, certificate and the service provider's metadata go
there), the URL of Sidebar's SAML metadata, and the accounts: {"login": {"password", "name_id", "attributes":
{name: [values]}, "unsigned": true for an assertion nobody signed (optional)}}. The accounts are read again
at every sign-in, so a test can change a person's attributes between two. Attribute names are sent as given
(a URI, or a friendly name such as "department").

- GET /metadata: the IdP's metadata (entity id, the HTTP-Redirect sign-in URL, the signing certificate).
- GET /sso/redirect?SAMLRequest=…: the login page of the request.
- POST /login: a right password answers the assertion, signed, in a form that posts itself to Sidebar's ACS;
  a wrong one shows the login page again.
- GET /start?RelayState=…: a sign-in started at the IdP (its login page, then an unsolicited assertion).
- GET /logout?user=…: single logout started at the IdP: a LogoutRequest sent by the browser to Sidebar's
  single logout service; GET /slo/redirect takes Sidebar's LogoutResponse.

Sidebar's metadata is fetched at the first sign-in, not at the start: Sidebar reads this IdP's metadata to
write its own. Prints "ready" once it listens.
"""

import datetime
import html
import json
import secrets
import sys
import urllib.request
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, saml, xmldsig
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server

CONFIG_PATH = Path(sys.argv[1])
CONFIG = json.loads(CONFIG_PATH.read_text())
BASE = f"http://127.0.0.1:{CONFIG['port']}"
WORKDIR = Path(CONFIG["workdir"])
PENDING: dict[str, tuple[Any, str]] = {}  # login page key -> (the parsed request, RelayState)

LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test IdP sign-in</title></head>
<body><main><h1>Test IdP sign-in</h1>{error}
<form method="post" action="/login">
  <input type="hidden" name="key" value="{key}">
  <p><label>Username <input name="username" autocomplete="username"></label></p>
  <p><label>Password <input name="password" type="password" autocomplete="current-password"></label></p>
  <p><button type="submit">Sign in to the test IdP</button></p>
</form></main></body></html>"""


def write_key_and_certificate() -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Sidebar test IdP")])
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
    key_path, cert_path = WORKDIR / "idp.key", WORKDIR / "idp.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


KEY, CERT = write_key_and_certificate()
# Attribute names as the accounts give them, as real IdPs send what they are configured with (pysaml2 would
# otherwise turn friendly names it knows, such as "email", into URIs of its own choosing).
ATTRIBUTE_MAPS = WORKDIR / "attribute-maps"
ATTRIBUTE_MAPS.mkdir(exist_ok=True)
(ATTRIBUTE_MAPS / "verbatim.py").write_text(
    'MAP = {"identifier": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri", "fro": {}, "to": {}}\n'
)


def idp_config(sp_metadata: Path | None) -> IdPConfig:
    settings = {
        "entityid": f"{BASE}/metadata",
        "service": {
            "idp": {
                "name": "Sidebar test IdP",
                "endpoints": {
                    "single_sign_on_service": [(f"{BASE}/sso/redirect", BINDING_HTTP_REDIRECT)],
                    "single_logout_service": [(f"{BASE}/slo/redirect", BINDING_HTTP_REDIRECT)],
                },
                "policy": {"default": {"lifetime": {"minutes": 15}, "attribute_restrictions": None}},
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                "want_authn_requests_signed": False,
            }
        },
        "attribute_map_dir": str(ATTRIBUTE_MAPS),
        "key_file": str(KEY),
        "cert_file": str(CERT),
        "metadata": {"local": [str(sp_metadata)]} if sp_metadata else {},
    }
    config = IdPConfig()
    config.load(settings)
    return config


_server: Server | None = None


def server() -> Server:
    """The IdP, which knows Sidebar from its metadata (fetched once, at the first sign-in)."""
    global _server
    if _server is None:
        with urllib.request.urlopen(CONFIG["sp_metadata_url"], timeout=10) as answer:
            path = WORKDIR / "sp-metadata.xml"
            path.write_bytes(answer.read())
        _server = Server(config=idp_config(path))
    return _server


def accounts() -> dict:
    return json.loads(CONFIG_PATH.read_text())["accounts"]


def respond(start_response, status: str, body: str, content_type: str = "text/html; charset=utf-8"):
    start_response(status, [("Content-Type", content_type)])
    return [body.encode()]


def login_page(start_response, key: str, error: str = ""):
    shown = f'<p role="alert">{html.escape(error)}</p>' if error else ""
    return respond(start_response, "200 OK", LOGIN_PAGE.format(key=key, error=shown))


def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/metadata":
        metadata = create_metadata_string(None, config=idp_config(None), valid=24)
        return respond(start_response, "200 OK", metadata.decode(), "application/samlmetadata+xml")
    if path == "/sso/redirect":
        query = parse_qs(environ.get("QUERY_STRING", ""))
        request = server().parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        key = secrets.token_urlsafe(16)
        PENDING[key] = (request, query.get("RelayState", [""])[0])
        return login_page(start_response, key)
    if path == "/start":  # IdP-initiated: a person starts at the IdP's portal (an Okta tile, My Apps)
        query = parse_qs(environ.get("QUERY_STRING", ""))
        key = secrets.token_urlsafe(16)
        PENDING[key] = (None, query.get("RelayState", [""])[0])
        return login_page(start_response, key)
    if path == "/logout":  # single logout started at the IdP: the browser is sent to Sidebar with a request
        login = parse_qs(environ.get("QUERY_STRING", "")).get("user", [""])[0]
        account = accounts()[login]
        idp = server()
        sp_entity_id = next(iter(idp.metadata.keys()))
        _, destination = idp.pick_binding(
            "single_logout_service", bindings=[BINDING_HTTP_REDIRECT], entity_id=sp_entity_id
        )
        _, request = idp.create_logout_request(
            destination,
            sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=account["name_id"]),
        )
        http_args = idp.apply_binding(BINDING_HTTP_REDIRECT, str(request), destination, "")
        location = dict(http_args["headers"])["Location"]
        start_response("302 Found", [("Location", location)])
        return [b""]
    if path == "/slo/redirect":  # Sidebar's answer: the person is signed out there too
        query = parse_qs(environ.get("QUERY_STRING", ""))
        answer = server().parse_logout_request_response(query["SAMLResponse"][0], BINDING_HTTP_REDIRECT)
        status = answer.response.status.status_code.value.rsplit(":", 1)[-1]
        return respond(
            start_response, "200 OK", f"<p>Signed out of the test IdP. Sidebar answered {status}.</p>"
        )
    if path == "/login" and environ["REQUEST_METHOD"] == "POST":
        size = int(environ.get("CONTENT_LENGTH") or 0)
        posted = parse_qs(environ["wsgi.input"].read(size).decode())
        form = {name: values[0] for name, values in posted.items()}
        key = form.get("key", "")
        if key not in PENDING:
            return respond(start_response, "400 Bad Request", "No sign-in is waiting for this form.")
        account = accounts().get(form.get("username", ""))
        if account is None or not secrets.compare_digest(account["password"], form.get("password", "")):
            return login_page(start_response, key, "Wrong username or password.")
        request, relay_state = PENDING.pop(key)
        idp = server()
        message = request.message if request is not None else None
        # Unsolicited (IdP-initiated): to the one service provider the IdP knows, in response to nothing.
        sp_entity_id = message.issuer.text if message is not None else next(iter(idp.metadata.keys()))
        binding, destination = idp.pick_binding(
            "assertion_consumer_service",
            bindings=[BINDING_HTTP_POST],
            entity_id=sp_entity_id,
            request=message,
        )
        response = idp.create_authn_response(
            identity=account["attributes"],
            in_response_to=message.id if message is not None else None,
            destination=destination,
            sp_entity_id=sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=account["name_id"]),
            authn={"class_ref": saml.AUTHN_PASSWORD_PROTECTED, "authn_auth": BASE},
            sign_assertion=not account.get("unsigned", False),
            sign_response=False,
            sign_alg=xmldsig.SIG_RSA_SHA256,  # Sidebar (python3-saml) refuses SHA-1
            digest_alg=xmldsig.DIGEST_SHA256,
        )
        http_args = idp.apply_binding(binding, str(response), destination, relay_state, response=True)
        return respond(start_response, "200 OK", http_args["data"])
    return respond(start_response, "404 Not Found", "Not found", "text/plain")


class ThreadingServer(ThreadingMixIn, WSGIServer):
    """One thread a request: an IdP-initiated sign-in fetches Sidebar's metadata, and Sidebar fetches this
    IdP's while answering, so a single-threaded IdP would wait on itself."""

    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        sys.stderr.write("saml-idp: " + (format % args) + "\n")


if __name__ == "__main__":
    with make_server(
        "127.0.0.1", CONFIG["port"], app, server_class=ThreadingServer, handler_class=QuietHandler
    ) as httpd:
        print("ready", flush=True)
        httpd.serve_forever()
