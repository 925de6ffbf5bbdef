"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import gc

from app import create_app

app = create_app()
# What the app built at start lives as long as the process: keep it out of the collector's way, so a
# full collection under load walks only what requests create.
gc.collect()
gc.freeze()
