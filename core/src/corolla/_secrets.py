"""How good a secret key is: placeholders refused at start-up, length and variety checked for production.

The rules are Django's (``check --deploy``'s security.W009): at least 50
characters and at least 5 distinct ones, so ``"A" * 32`` or a repeated word
fails. Known placeholders (``changeme``, ``secret``...) are refused when the
app starts, in any environment: a value copied from a template is never a
key anybody meant to use.
"""

from __future__ import annotations

import re
from pathlib import Path

#: Django's floor; ``secrets.token_urlsafe(48)`` gives 64 characters.
MIN_LENGTH = 50
MIN_DISTINCT = 5
#: Values seen in templates and tutorials, compared lower-cased without punctuation.
PLACEHOLDERS = frozenset(
    {
        "changeme",
        "changethis",
        "secret",
        "secretkey",
        "mysecretkey",
        "yoursecretkey",
        "supersecret",
        "supersecretkey",
        "replaceme",
        "password",
        "default",
        "dev",
        "development",
        "devkey",
        "test",
        "testing",
        "insecure",
        "notsecret",
        "notasecret",
        "todo",
        "xxx",
        "key",
    }
)
#: Fragments that mark a value as a placeholder wherever they appear ("changeme-in-production").
_MARKERS = ("changeme", "changethis", "replaceme", "yoursecret", "djangoinsecure", "insecurekey")

HOW = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"


def placeholder(key: str) -> bool:
    """Whether ``key`` is a value from a template, never a real key."""
    squashed = re.sub(r"[^a-z0-9]", "", key.lower())
    return squashed in PLACEHOLDERS or any(marker in squashed for marker in _MARKERS)


def not_a_placeholder(value: str, section: object) -> str | None:
    """``[core] secret_key``'s own check: a placeholder stops the app wherever it runs."""
    if placeholder(value):
        return f"a placeholder, not a secret; set it to a long random value ({HOW}), kept out of the repository"
    return None


def no_placeholders(value: list[str], section: object) -> str | None:
    """``[core] secret_key_fallbacks``' own check."""
    found = [n for n, key in enumerate(value, 1) if isinstance(key, str) and placeholder(key)]
    if found:
        return f"#{', #'.join(map(str, found))} a placeholder, not a secret; remove it"
    return None


def weakness(key: str) -> str | None:
    """What is wrong with ``key`` as a production key, or None."""
    if placeholder(key):
        return "is a placeholder"
    if len(key) < MIN_LENGTH:
        return f"is only {len(key)} characters long"
    if len(set(key)) < MIN_DISTINCT:
        return f"has only {len(set(key))} distinct characters"
    return None


def under_version_control(source: str) -> Path | None:
    """The repository holding the config file ``source`` names (a path, maybe with " [tool.corolla]"), or None."""
    path = Path(source.split(" [", 1)[0])
    if not path.is_absolute() or not path.is_file():
        return None
    for folder in path.parents:
        if (folder / ".git").exists() or (folder / ".hg").exists():
            return folder
    return None
