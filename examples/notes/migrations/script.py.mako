<%!
    import re

    def unused(name, *bodies):
        """A noqa for an import the generated code does not use yet (the migration you write will)."""
        return "" if any(re.search(rf"\b{name}\.", body or "") for body in bodies) else "  # noqa: F401"
%>\
"""${message}

Revision ID: ${up_revision}
% if down_revision:
Revises: ${down_revision | comma,n}
% else:
Revises:
% endif
Create Date: ${create_date}

"""

from collections.abc import Sequence

import sqlalchemy as sa${unused("sa", upgrades, downgrades)}
from alembic import op${unused("op", upgrades, downgrades)}
% if imports:
${imports}
% endif

# revision identifiers, used by Alembic.
revision: str = ${repr(up_revision)}
down_revision: str | Sequence[str] | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}


def upgrade() -> None:
    """Upgrade schema."""
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    """Downgrade schema."""
    ${downgrades if downgrades else "pass"}
