"""Persistence: SQLAlchemy 2 models, repositories, migrations. Imports nothing of `bot/`."""
