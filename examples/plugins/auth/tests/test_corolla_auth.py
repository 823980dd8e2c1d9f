import re

from corolla.testing import check_manifest


def csrf(client, path):
    """The CSRF token of the form on ``path``, as a browser submits it."""
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(path).text).group(1)


def register(client, username="alice", password="a long password"):
    data = {"username": username, "password": password, "confirm": password}
    return client.post("/auth/register", data={**data, "csrf_token": csrf(client, "/auth/register")})


def login(client, username="alice", password="a long password", **extra):
    data = {"username": username, "password": password, **extra}
    return client.post("/auth/login", data={**data, "csrf_token": csrf(client, "/auth/login")})


def test_register_log_out_log_in(client):
    assert register(client).status_code == 303
    assert client.get("/private").text == "hello alice"
    client.post("/auth/logout", data={"csrf_token": csrf(client, "/auth/login")})
    assert client.get("/private").status_code == 303
    assert login(client).status_code == 303
    assert client.get("/private").text == "hello alice"


def test_login_required_sends_browsers_to_the_login_page(client):
    response = client.get("/private")
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login?next=/private"


def test_login_required_answers_json_clients_401(client):
    response = client.get("/private", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.json == {"error": "login required"}


def test_next_must_stay_on_the_site(client):
    register(client)
    client.post("/auth/logout", data={"csrf_token": csrf(client, "/auth/login")})
    assert login(client, next="https://evil.example/").headers["Location"] == "/"
    client.post("/auth/logout", data={"csrf_token": csrf(client, "/auth/login")})
    assert login(client, next="/private").headers["Location"] == "/private"


def test_failed_logins_are_limited(client):
    register(client)
    client.post("/auth/logout", data={"csrf_token": csrf(client, "/auth/login")})
    for _ in range(3):
        assert "Invalid username or password." in login(client, password="wrong").text
    response = login(client)  # the right password, but too late
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_manifest_matches_the_class():
    # src/corolla_auth/corolla-plugin.toml is what the manager reads without importing this code.
    check_manifest("auth")
