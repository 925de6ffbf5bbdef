"""``python -m app.demo_store --port 9100 --products 10000``: the demo store as its own server."""

from app.demo_store.cli import serve

if __name__ == "__main__":
    serve.main(prog_name="python -m app.demo_store")
