"""Sync packages between township and district (DESIGN.md §4): office cards, the package
format, export, import with its checks, the exchange log, the period lock and district mode."""
from app.sync import lock  # noqa: F401  (registers the period-lock check on every session)
