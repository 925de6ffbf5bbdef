"""API tests use the shared row factories (`tests/factories.py`, loaded by the root conftest)."""
