import pytest
from werkzeug.test import Client

from corolla.testing import run_cli

PLUGINS = ["routing", "sessions", "orm", "forms", "templates", "auth"]


@pytest.fixture
def app(make_app, tmp_path):
    app = make_app(
        PLUGINS,
        {
            "core": {"secret_key": "test-secret-" * 4},
            "orm": {"url": f"sqlite:///{tmp_path / 'test.db'}"},
            "auth": {"max_attempts": 3, "password_method": "pbkdf2:sha256:1000"},
        },
        isolated=False,
    )
    assert run_cli("db", "upgrade", app=app).exit_code == 0  # the plugin's migration, as in production

    from corolla_auth import login_required

    @app.get("/private")
    @login_required
    def private(request):
        return f"hello {request.user.username}"

    return app


@pytest.fixture
def client(app):
    return Client(app)
