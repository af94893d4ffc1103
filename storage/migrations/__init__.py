"""Alembic migrations (run them with `samu db upgrade`)."""
