"""gunicorn settings for the Procfile's `web` process (`gunicorn -c gunicorn.conf.py wsgi:app ...`).

Bind address, workers, threads and timeout stay on the Procfile's command line. Here: the access log's
logger, which redacts credentials from query strings (`app.access_log`).
"""

logger_class = "app.access_log.GunicornLogger"
