"""Repositories: the only code that speaks SQL, one module per area."""
