"""A bounded load for the fault tests: N logged-in clients creating and reading notes over the JSON API.

Each client has its own account; every request is a new connection
(``Connection: close``), so requests spread over gunicorn's workers. Every
answer is recorded with its time, so a test can tell what users saw during
and after a fault, which writes were acknowledged, and when service came back.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field

from raw_http import Browser, RawResponse


@dataclass
class Answer:
    at: float  # time.monotonic()
    client: int
    kind: str  # "create" or "list"
    status: int  # 0: no answer (connection reset or timed out)
    retry_after: str | None = None
    title: str | None = None
    foreign: bool = False  # a list that showed a note of another user


@dataclass
class Client:
    number: int
    browser: Browser
    token: str
    mark: str  # every title this client writes starts with it
    sent: int = 0


@dataclass
class Load:
    """``clients`` logged-in clients looping create + list until :meth:`stop`."""

    port: int
    clients: list[Client]
    answers: list[Answer] = field(default_factory=list)
    acknowledged: set[str] = field(default_factory=set)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def logged_in(cls, port: int, count: int, prefix: str) -> Load:
        clients = []
        for number in range(count):
            browser = Browser(port).signup(f"load-{prefix}-{number}")
            token = json.loads(browser.request("GET", "/api/csrf-token").body)["csrf_token"]
            clients.append(Client(number, browser, token, f"{prefix}{number}-"))
        return cls(port, clients)

    def _record(self, answer: Answer) -> None:
        with self._lock:
            self.answers.append(answer)
            if answer.kind == "create" and answer.status == 201 and answer.title:
                self.acknowledged.add(answer.title)

    def _call(self, client: Client, method: str, path: str, body: bytes = b"") -> RawResponse | None:
        headers = {"Accept": "application/json", "X-CSRFToken": client.token}
        if body:
            headers["Content-Type"] = "application/json"
        try:
            return client.browser.request(method, path, body, headers)
        except (OSError, AssertionError):  # reset by a killed worker, or no HTTP answer at all
            return None

    def create(self, client: Client) -> Answer:
        title = f"{client.mark}{client.sent}"
        client.sent += 1
        response = self._call(client, "POST", "/api/notes", json.dumps({"title": title}).encode())
        answer = Answer(time.monotonic(), client.number, "create", response.status if response else 0, title=title)
        if response is not None:
            answer.retry_after = response.header("Retry-After")
        self._record(answer)
        return answer

    def list(self, client: Client) -> Answer:
        response = self._call(client, "GET", "/api/notes")
        answer = Answer(time.monotonic(), client.number, "list", response.status if response else 0)
        if response is not None:
            answer.retry_after = response.header("Retry-After")
            if response.status == 200:
                titles = [n["title"] for n in json.loads(response.body)["notes"]]
                answer.foreign = any(not t.startswith(client.mark) for t in titles)
        self._record(answer)
        return answer

    def _loop(self, client: Client) -> None:
        while not self._stop.is_set():
            self.create(client)
            self.list(client)
            time.sleep(0.02)  # bounded load: about 20 clients x 2 requests per 50 ms at most

    def start(self) -> Load:
        for client in self.clients:
            thread = threading.Thread(target=self._loop, args=(client,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)

    def statuses(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for answer in self.answers:
            counts[answer.status] = counts.get(answer.status, 0) + 1
        return dict(sorted(counts.items()))

    def first_success_after(self, moment: float) -> float | None:
        """Seconds from ``moment`` to the first 2xx answered after it (the recovery time)."""
        times = [a.at for a in self.answers if a.at >= moment and 200 <= a.status < 300]
        return min(times) - moment if times else None


def wait_for(predicate: object, limit: float = 30.0) -> None:
    """Poll ``predicate()`` until true, at most ``limit`` seconds (a bound, not a speed check)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"not true after {limit} s")
