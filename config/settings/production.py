"""Production: PostgreSQL, Redis, gunicorn, Celery workers and exactly one beat."""

from django.core.exceptions import ImproperlyConfigured

from config.encryption import checked_fernet_keys, derived_key
from config.env import env_bool, env_int, env_list, env_str

from .base import *  # noqa: F403

SECRET_KEY = env_str("SECRET_KEY")  # no default: refuse to start without one
# No default either: the citizens' data must not turn readable, or unreadable, with SECRET_KEY.
PERSONAL_DATA_KEYS = checked_fernet_keys(env_list("PERSONAL_DATA_KEYS", []))
PHONE_HASH_KEY = env_str("PHONE_HASH_KEY", derived_key(SECRET_KEY, "minsheng.phone-hash"))
DATABASE_URL = env_str("DATABASE_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
EMBEDDED_TASKS = False
# One cache for every web process, so throttles and cached lookups agree across them.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("CACHE_URL", CELERY_BROKER_URL),
        "KEY_PREFIX": "minsheng",
        # A cache that does not answer must not hold a request: the limits then count in each
        # process (config.throttle) and intake goes on.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}
CELERY_TASK_ALWAYS_EAGER = False
DEBUG = False
# gunicorn serves the collected static files itself, compressed, with far-future cache headers.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]  # noqa: F405
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies stand in front of gunicorn. The submission limits name a client by
# its address: with none, X-Forwarded-For is the client's own word and must be ignored; behind a
# proxy, every client would otherwise share the proxy's address and one limit. No default: a
# wrong guess either lets anyone dodge the limit or shuts the citizen form for everyone.
REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": env_int("TRUSTED_PROXIES", -1)}  # noqa: F405
if REST_FRAMEWORK["NUM_PROXIES"] < 0:
    raise ImproperlyConfigured(
        "Set TRUSTED_PROXIES to the number of reverse proxies in front of gunicorn (0 for none)."
    )
# Browsers that have once reached the platform over HTTPS refuse plain HTTP to it for a year, so a
# network in between cannot strip TLS from a citizen's submission or a staff login.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Only a consent to the browsers' preload list: the domain is on it once its owner submits it.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# Plain HTTP is redirected to HTTPS (the proxy's X-Forwarded-Proto says which one a request came
# by). Off only where there is no TLS at all, as in docker-compose's localhost example.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
