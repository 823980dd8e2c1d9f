"""The WSGI entry point gunicorn serves in production: the notes app behind werkzeug's ProxyFix.

nginx passes the client's address in X-Forwarded-For and the scheme in
X-Forwarded-Proto. ProxyFix puts them in REMOTE_ADDR and wsgi.url_scheme, so
the auth plugin limits login attempts per real client (not per nginx), the
CSRF check knows the request came over https, and URLs are built with the
public host. ``x_for=1``: trust exactly one proxy in front (nginx); gunicorn
listens on loopback only, so no client can forge these headers.
"""

from __future__ import annotations

from app import app
from werkzeug.middleware.proxy_fix import ProxyFix

application = ProxyFix(app, x_for=1, x_proto=1, x_host=1)
