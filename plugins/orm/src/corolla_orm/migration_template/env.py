"""Alembic environment for a Corolla app (written by `corolla db init`).

`corolla db ...` runs Alembic with the app's database and models: the app's
``Database`` arrives in ``config.attributes["corolla_db"]``, so there is no
alembic.ini and no URL here. Import your models in the app module (as the
app itself does) so autogenerate sees their tables.
"""

from alembic import context
from sqlalchemy.schema import SchemaItem

config = context.config
db = config.attributes["corolla_db"]
target_metadata = db.metadata


def include_object(
    obj: SchemaItem, name: str | None, type_: str, reflected: bool, compare_to: SchemaItem | None
) -> bool:
    # Tables of named binds live in other databases: leave them out.
    if type_ == "table" and obj.info.get("bind_key") is not None:
        return False
    return True


def run_migrations_offline() -> None:
    context.configure(
        url=db.engine.url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with db.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_object=include_object,
            # SQLite cannot ALTER most things: let Alembic copy the table instead.
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
