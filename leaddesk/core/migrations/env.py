"""Alembic environment: always given a connection by ``leaddesk.core.migrations``."""

from alembic import context

from leaddesk.core.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
context.run_migrations()
