"""Sidebar settings: one module, driven by the environment variables that docs/api.md lists.

With nothing set, Sidebar runs on a SQLite file with Celery tasks in-process. DATABASE_URL and REDIS_URL
switch to PostgreSQL, a Redis cache and a real Celery broker. With DEBUG off, SECRET_KEY and ALLOWED_HOSTS
are required.
"""

from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

from config import env, sso

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env.read_bool("DEBUG", True)
SECRET_KEY = env.read_str("SECRET_KEY", "")
ALLOWED_HOSTS = env.read_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
if not DEBUG:
    missing = [
        name for name, value in (("SECRET_KEY", SECRET_KEY), ("ALLOWED_HOSTS", ALLOWED_HOSTS)) if not value
    ]
    if missing:
        raise ImproperlyConfigured(f"With DEBUG off, set these environment variables: {', '.join(missing)}")
    # The rule of Django's own check (security.W009), made a refusal: a guessable key forges sessions.
    if (
        len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH
        or len(set(SECRET_KEY)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
        or SECRET_KEY.startswith(SECRET_KEY_INSECURE_PREFIX)
    ):
        raise ImproperlyConfigured(
            f"With DEBUG off, SECRET_KEY must be at least {SECRET_KEY_MIN_LENGTH} characters, at least "
            f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} of them different, and not start with "
            f"{SECRET_KEY_INSECURE_PREFIX!r}: make one with "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
if not SECRET_KEY:
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"

# The port Sidebar is served on (scripts/run.sh, gunicorn's default bind): without SITE_URL, links follow it.
SERVE_PORT = env.read_port("PORT", 8000)
SITE_URL = env.read_url("SITE_URL", f"http://127.0.0.1:{SERVE_PORT}")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "marketplace",
    "matching",
    "calendars",
    "sessions_app",
    "groups",
    "waitlists",
    "answers",
    "insights",
    "provisioning",
    "demo",
]

MIDDLEWARE = [
    # First: GET /healthz is answered for any host name and over plain HTTP (config/health.py).
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's Accept-Language (then LANGUAGE_CODE); UserLanguageMiddleware below puts a signed-in
    # person's own choice first.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "marketplace.middleware.UserTimezoneMiddleware",
    "marketplace.middleware.UserLanguageMiddleware",
    "marketplace.middleware.RefuseUnstorableInputMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "marketplace.context_processors.navigation",
            ],
        },
    },
]

# --- Database ---
DATABASES = {"default": env.read_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    # 0 closes the connection after each request.
    DATABASES["default"]["CONN_MAX_AGE"] = env.read_seconds("DATABASE_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # An unreachable server is an error after 5 s, not a request that hangs (`?connect_timeout=N` in
    # DATABASE_URL to change it).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) exist on PostgreSQL only; SQLite gets the plain index, knowingly.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Redis: cache and Celery broker ---
REDIS_URL = env.read_str("REDIS_URL", "")
REDIS_CACHE_BACKEND = "config.redis_cache.ForgivingRedisCache"
if REDIS_URL:
    # Misses, not errors, while Redis is down or frozen (config/redis_cache.py): logging in keeps working.
    CACHES = {"default": {"BACKEND": REDIS_CACHE_BACKEND, "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers outlive any Redis outage (issue 13, item 13): they reconnect for ever. A task running when the
# connection is lost runs to its end (cancelling it would kill a send between the email and its record: a
# duplicate); its acknowledgement is lost with the connection, so it is redelivered later and finds its
# outbox claims taken (config/celery.py keeps that lost acknowledgement from crashing the worker).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# A frozen Redis (the TCP connection open, nothing answering) is an error after these many seconds, never a
# worker or a publish waiting for ever. The socket timeout stays well above the transport's 1 s BRPOP poll,
# which a consuming worker keeps open: shorter, every poll would time out. Web requests publish with their own
# 1 s timeouts (config/publishing.py).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 10,
    "socket_connect_timeout": 5,
    "health_check_interval": 10,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 5
CELERY_REDIS_SOCKET_TIMEOUT = 10
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 5
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "refresh-insights": {"task": "insights.tasks.refresh_insights", "schedule": crontab(minute="*/5")},
    "refresh-insights-nightly": {
        "task": "insights.tasks.refresh_insights",
        "schedule": crontab(minute=40, hour=2),
        "kwargs": {"full": True},
    },
    # The outbox sweep (docs/design.md flow 4): due messages, stuck claims, and completing ended sessions.
    "send-due-messages": {
        "task": "sessions_app.tasks.send_due_messages",
        "schedule": float(env.read_seconds("OUTBOX_SWEEP_EVERY_SECONDS", 15, low=1)),
    },
    "expire-requests": {"task": "matching.tasks.expire_requests", "schedule": crontab(minute="*/5")},
    "rematch-open-requests": {
        "task": "matching.tasks.rematch_open_requests",
        "schedule": crontab(minute="*/10"),
    },
    # Waiting lists (waitlists/tasks.py): each minute, lapsed holds pass on, past deadlines expire, and every
    # mentor with someone waiting is looked at again (the safety net under the nudges of each change).
    "check-waitlists": {"task": "waitlists.tasks.check_waitlists", "schedule": 60.0},
    # A person's own calendars (calendars/tasks.py): each minute, those due are synced, one task each.
    "sync-busy-calendars": {"task": "calendars.tasks.sync_due_calendars", "schedule": 60.0},
    "clear-expired-login-sessions": {
        "task": "marketplace.tasks.clear_expired_login_sessions",
        "schedule": crontab(minute=17, hour=3),
    },
}

# --- Auth ---
AUTH_USER_MODEL = "marketplace.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# Mandatory: an unverified address cannot log in (page or token). It is also what lets sign-up answer an
# address that is already registered like a new one (allauth sends that person an "account already exists"
# mail instead): with "optional" or "none", allauth has to say "already registered" on the page. The demo's
# seeded people have verified addresses (demo/people.py).
ACCOUNT_EMAIL_VERIFICATION = env.read_choice(
    "ACCOUNT_EMAIL_VERIFICATION", "mandatory", ("none", "optional", "mandatory")
)
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_ADAPTER = "marketplace.account_adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "marketplace.account_forms.LoginForm",
    "signup": "marketplace.account_forms.SignupForm",
    "add_email": "marketplace.account_forms.AddEmailForm",
}
# Sign-up (and adding an address) only for these email domains, exactly (a subdomain is not its parent);
# empty: any domain.
SIGNUP_ALLOWED_DOMAINS = env.read_domains("SIGNUP_ALLOWED_DOMAINS")
ACCOUNT_SIGNUP_FORM_CLASS = "marketplace.forms.SignupProfileForm"
# SCIM 2.0 provisioning (/scim/v2/, provisioning.scim): the bearer token the identity provider sends;
# unset, SCIM is off and its URLs answer 404.
SCIM_TOKEN = env.read_secret("SCIM_TOKEN", min_length=32)

# --- Single sign-on (docs/api.md, "Single sign-on"): OpenID Connect and SAML 2.0 through allauth ---
OIDC_SERVER_URL = env.read_optional_url("OIDC_SERVER_URL")
OIDC_CLIENT_ID = env.read_str("OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = env.read_str("OIDC_CLIENT_SECRET", "")
OIDC_NAME = env.read_str("OIDC_NAME", "") or "SSO"
SAML_IDP_METADATA_URL = env.read_optional_url("SAML_IDP_METADATA_URL")
SAML_IDP_METADATA = env.read_saml_metadata("SAML_IDP_METADATA_XML")
SAML_NAME = env.read_str("SAML_NAME", "") or "SAML"
SAML_ALLOW_IDP_INITIATED = env.read_bool("SAML_ALLOW_IDP_INITIATED", False)
# Where a sign-in button's redirect may lead besides the provider's own origin: an authorisation endpoint on
# another host (Amazon Cognito's), or a federated login the provider redirects on to (Entra ID to ADFS).
SSO_FORM_ACTION_ORIGINS = env.read_origins("SSO_FORM_ACTION_ORIGINS")
# Password logins (page, sign-up and API token) refused for these email domains: they sign in through SSO.
SSO_ONLY_DOMAINS = env.read_domains("SSO_ONLY_DOMAINS")
_oidc_given = {
    name: value
    for name, value in (
        ("OIDC_SERVER_URL", OIDC_SERVER_URL),
        ("OIDC_CLIENT_ID", OIDC_CLIENT_ID),
        ("OIDC_CLIENT_SECRET", OIDC_CLIENT_SECRET),
    )
    if value
}
if _oidc_given and len(_oidc_given) < 3:
    _oidc_missing = sorted({"OIDC_SERVER_URL", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"} - set(_oidc_given))
    raise ImproperlyConfigured(f"OpenID Connect sign-in also needs {', '.join(_oidc_missing)}")
if SAML_IDP_METADATA_URL and SAML_IDP_METADATA:
    raise ImproperlyConfigured("Set SAML_IDP_METADATA_URL or SAML_IDP_METADATA_XML, not both")
_oidc = (
    sso.OidcProvider(
        server_url=OIDC_SERVER_URL, client_id=OIDC_CLIENT_ID, client_secret=OIDC_CLIENT_SECRET, name=OIDC_NAME
    )
    if OIDC_SERVER_URL
    else None
)
_saml = (
    sso.SamlProvider(
        name=SAML_NAME,
        metadata_url=SAML_IDP_METADATA_URL,
        idp=SAML_IDP_METADATA,
        allow_idp_initiated=SAML_ALLOW_IDP_INITIATED,
    )
    if SAML_IDP_METADATA_URL or SAML_IDP_METADATA
    else None
)
SOCIALACCOUNT_PROVIDERS = sso.socialaccount_providers(oidc=_oidc, saml=_saml)
if SSO_ONLY_DOMAINS and not SOCIALACCOUNT_PROVIDERS:
    # Otherwise the people of those domains could not sign in at all.
    raise ImproperlyConfigured(
        "SSO_ONLY_DOMAINS needs single sign-on: set OIDC_SERVER_URL (with OIDC_CLIENT_ID and "
        "OIDC_CLIENT_SECRET), SAML_IDP_METADATA_URL or SAML_IDP_METADATA_XML"
    )
SOCIALACCOUNT_ADAPTER = "marketplace.sso_adapter.SocialAccountAdapter"
# The first sign-in creates the person without a form; an address already registered (with a password, say)
# is signed in and connected, never duplicated. allauth connects only an address the provider verified.
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_GET = False
# allauth's defaults already rate-limit failed logins; these make the policy explicit.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
# How many proxies of ours append to X-Forwarded-For: the client is the address the outermost one saw (the
# NUM_PROXIES-th from the right). 0 trusts no X-Forwarded-For (a client can write anything there) and takes
# the connection's address. The API throttles and allauth's rate limits both read it.
NUM_PROXIES = env.read_count("NUM_PROXIES", 0, low=0)
ALLAUTH_TRUSTED_PROXY_COUNT = NUM_PROXIES

# --- API ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "marketplace.api_tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "marketplace.api_errors.exception_handler",
    # Text that cannot be stored and JSON nested too deep are refused before any serializer runs.
    "DEFAULT_PARSER_CLASSES": [
        "marketplace.api_parsers.StrictJSONParser",
        "marketplace.api_parsers.StrictFormParser",
        "marketplace.api_parsers.StrictMultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "marketplace.api_parsers.SafeJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_THROTTLE_RATES": {"token": "20/min", "token_account": "10/min"},
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%SZ",
    # docs/api.md: an error no single field is to blame for is {"detail": [...]}, as the services' are.
    "NON_FIELD_ERRORS_KEY": "detail",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# An API token works this long from its creation (whatever its use), then answers 401 and the person asks
# for a new one; a password change or a revoke ends it sooner.
API_TOKEN_LIFETIME_DAYS = env.read_days("API_TOKEN_LIFETIME_DAYS", 30)
SPECTACULAR_SETTINGS = {
    "TITLE": "Sidebar API",
    "DESCRIPTION": "The public contract of Sidebar, a micro-mentorship marketplace (see docs/api.md).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Typed clients: a request body's component apart from the response's (no read-only fields in it).
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "marketplace.api_schema.describe_routing",
    ],
    # docs/api.md's contract is JSON in (the form parsers stay, for the browsable API and tests).
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    "ENUM_NAME_OVERRIDES": {
        "SessionLengthEnum": "marketplace.api_schema.SESSION_LENGTH_CHOICES",
        "RequestStatusEnum": "matching.serializers.REQUEST_STATUSES",
        "GroupSuppressedEnum": "insights.serializers.SUPPRESSION_REASONS",
        "SummarySuppressedEnum": "insights.serializers.POPULATION_SUPPRESSED",
        "GroupSessionStatusEnum": "groups.serializers.GROUP_SESSION_STATUSES",
        "GroupSessionDurationEnum": "groups.serializers.GROUP_SESSION_DURATIONS",
        "SeatStatusEnum": "groups.serializers.SEAT_STATUSES",
        "WaitlistStatusEnum": "waitlists.serializers.WAITLIST_STATUSES",
    },
}

# --- Email and notifications ---
# EMAIL_URL, when set, gives the backend and the server; otherwise EMAIL_BACKEND (and Django's defaults).
_email = env.read_email("EMAIL_URL") or {}
EMAIL_BACKEND = _email.get("EMAIL_BACKEND") or env.read_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
# Seconds each SMTP step (connecting, each command) may wait: a hung mail server costs a send a few of these,
# never a worker forever. A send must end before OUTBOX_RECLAIM_AFTER_SECONDS (docs/design.md, flow 4).
EMAIL_TIMEOUT = env.read_seconds("EMAIL_TIMEOUT", 5, low=1)
EMAIL_FILE_PATH = env.read_str("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))
DEFAULT_FROM_EMAIL = env.read_str("DEFAULT_FROM_EMAIL", "Sidebar <sidebar@example.com>")
REMINDER_LEADS_MINUTES = env.read_minutes_list("REMINDER_LEADS_MINUTES", (1440, 60))
FEEDBACK_PROMPT_DELAY_MINUTES = env.read_minutes("FEEDBACK_PROMPT_DELAY_MINUTES", 5)  # 0: as it ends
SLACK_WEBHOOK_URL = env.read_optional_url("SLACK_WEBHOOK_URL")
# A Teams incoming webhook (a Workflows "when a webhook request is received" flow, or an Office 365
# connector): each email sent also posts its note there as an Adaptive Card.
TEAMS_WEBHOOK_URL = env.read_optional_url("TEAMS_WEBHOOK_URL")
# The outbox sweep: rows per claim, and after how long a claimed row whose worker died is claimed again.
OUTBOX_BATCH_SIZE = env.read_count("OUTBOX_BATCH_SIZE", 50)
# At least a second: a row claimed a moment ago is being sent, not stuck.
# 45 s and a sweep every 15 s: a row whose worker died goes out again within a minute; 45 s is also above the
# longest a send takes (about eight SMTP steps of EMAIL_TIMEOUT), so a slow send is not sent twice.
OUTBOX_RECLAIM_AFTER_SECONDS = env.read_seconds("OUTBOX_RECLAIM_AFTER_SECONDS", 45, low=1)
# Signed links in emails (feedback, follow-up) work without a password for this long.
SIGNED_LINK_MAX_AGE_DAYS = env.read_days("SIGNED_LINK_MAX_AGE_DAYS", 14)
MEETING_URL_TEMPLATE = env.read_str("MEETING_URL_TEMPLATE", "https://meet.example.com/sidebar-{token}")

# --- Waiting for a full mentor (docs/api.md, "Waiting for a full mentor") ---
# How long a freed slot is held for the first person waiting before it passes to the next.
WAITLIST_HOLD_MINUTES = env.read_minutes("WAITLIST_HOLD_MINUTES", 15, low=1, high=7 * 24 * 60)

# --- The time-to-help promise (docs/api.md, "Written answers when nobody can meet in time") ---
# Every request should be helped (a session held or a helpful answer) within this many hours; HR can change
# it in the admin (matching.HelpPromise), which wins over this default.
HELP_PROMISE_HOURS = env.read_count("HELP_PROMISE_HOURS", 48, high=24 * 30)
# The escalation tells one mentor of at most this many open asks a day (the admin setting wins here too).
ASKS_PER_MENTOR_PER_DAY = env.read_count("ASKS_PER_MENTOR_PER_DAY", 5)

# --- A person's own calendars (busy times) ---
# How often each calendar address is read again (docs/api.md, "Busy times from a person's own calendar").
CALENDAR_SYNC_EVERY_MINUTES = env.read_minutes("CALENDAR_SYNC_EVERY_MINUTES", 15, low=1)
# On: addresses on private, loopback and link-local networks are fetched too, and plain http:// is accepted
# (a calendar server inside the company's own network; the tests' local server). Off, they are refused: a
# person must not make Sidebar's servers read the internal network for them.
CALENDAR_FETCH_ALLOW_PRIVATE = env.read_bool("CALENDAR_FETCH_ALLOW_PRIVATE", False)

# --- Internationalisation and time ---
LANGUAGE_CODE = "en-gb"
# Each a complete translation in locale/ (compiled by `make install`; tests/i18n keeps them complete). A
# person's profile language wins; without one, the browser's Accept-Language, then LANGUAGE_CODE.
LANGUAGES = [("en-gb", "English"), ("fr", "Français"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files: our own and those from npm (node_modules) and Python packages; never a CDN ---
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Content-Security-Policy (django-csp), on every page: our own origin only, and nothing inline ---
# Scripts and styles come from files (static/js, static/css, static/vendor): no inline <script>, on* handler
# or style attribute anywhere (tests/deploy/test_content_security_policy.py). Pico CSS and Swagger UI draw
# their icons from data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The single sign-on buttons' redirect to the identity provider counts as their form's action.
        "form-action": [
            SELF,
            *sso.form_action_origins(oidc=_oidc, saml=_saml, extra=SSO_FORM_ACTION_ORIGINS),
        ],
        "base-uri": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
    }
}

# --- HTTPS: an https:// SITE_URL means the site is served over HTTPS only ---
HTTPS = SITE_URL.startswith("https://")
_hsts_seconds = env.read_seconds("HSTS_SECONDS", 365 * 24 * 3600)  # 0: no HSTS header
_hsts_include_subdomains = env.read_bool("HSTS_INCLUDE_SUBDOMAINS", True)
_hsts_preload = env.read_bool("HSTS_PRELOAD", True)
if HTTPS:
    SECURE_SSL_REDIRECT = True  # GET /healthz is answered before the redirect (config/health.py)
    SECURE_HSTS_SECONDS = _hsts_seconds
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _hsts_include_subdomains
    SECURE_HSTS_PRELOAD = _hsts_preload
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# TLS usually ends at a proxy in front of gunicorn, which says so in this header; it must overwrite whatever a
# client sends in it. "" when clients reach gunicorn directly.
_proxy_ssl_header = env.read_header_name("PROXY_SSL_HEADER", "X-Forwarded-Proto")
if _proxy_ssl_header and (HTTPS or not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"expected_refusals": {"()": "config.errors.ExpectedRefusalFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env.read_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
    },
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Django's own console handler would print every record of django.* a second time (with DEBUG on);
        # the root's handler prints it once. A 403 or 404 is one WARNING line, without a traceback.
        "django": {"handlers": [], "propagate": True},
        "django.request": {"filters": ["expected_refusals"]},
    },
}
