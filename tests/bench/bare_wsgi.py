"""A bare Flask app for the intake benchmark's baseline: one trivial JSON route, served by gunicorn with the
same settings as `wsgi:app`, so the ratio shows what verification, storing and enqueueing cost. Not used by
the product."""

from flask import Flask, jsonify

app = Flask(__name__)


@app.post("/bare")
@app.get("/bare")
def bare():
    return jsonify({"status": "ok"})
