"""``LoginForm`` and ``RegisterForm``: WTForms forms bound to the request (CSRF from corolla-forms).

Importing this module imports WTForms; ``corolla_auth.LoginForm`` loads it on
first use.
"""

from __future__ import annotations

from wtforms import HiddenField, PasswordField, StringField  # type: ignore[import-untyped]
from wtforms.validators import DataRequired, EqualTo, Length, Regexp  # type: ignore[import-untyped]

from corolla_forms import Form

USERNAME = Regexp(r"^[A-Za-z0-9_.-]+$", message="Use letters, digits, dots, dashes and underscores only.")


class LoginForm(Form):
    """Username and password; ``next`` carries where to go afterwards (checked before use)."""

    username = StringField("Username", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()


class RegisterForm(Form):
    """A new account: username (3-80 characters), password (8 or more), typed twice."""

    username = StringField("Username", validators=[DataRequired(), Length(min=3, max=80), USERNAME])
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(min=8, max=1024, message="Use 8 to 1024 characters.")]
    )
    confirm = PasswordField(
        "Repeat the password", validators=[DataRequired(), EqualTo("password", message="The passwords differ.")]
    )
    next = HiddenField()


class LogoutForm(Form):
    """No fields: only the CSRF token, so another site cannot log your users out."""


__all__ = ["LoginForm", "LogoutForm", "RegisterForm"]
