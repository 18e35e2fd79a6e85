"""Alembic environment: run migrations on the connection vrhub hands over (see catalogue.migrate)."""

from __future__ import annotations

from alembic import context

from vrhub.store.catalogue.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # pragma: no cover - only when alembic is run by hand
        from sqlalchemy import create_engine

        connection = create_engine(config.get_main_option("sqlalchemy.url") or "").connect()
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        version_table_schema=config.attributes.get("schema"),
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
