"""One buyer process for the concurrency test: its own app, engine and connections, like a separate web worker.

Imported by name in a spawned child (multiprocessing), so it holds only the child's entry point. Waits at the
barrier so every buyer asks at the same moment, then calls `app.inventory.reserve` `attempts` times and reports
the quantities it got. Must not touch anything but the database it is given.
"""

from __future__ import annotations

import os


def buy(
    database_url: str, workspace_id: int, variant_id: int, qty: int, attempts: int, barrier, results
) -> None:
    from app import create_app
    from app.config import TestConfig, _database_url
    from app.extensions import db
    from app.inventory import OutOfStock, reserve

    class BuyerConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = _database_url(database_url)

    app = create_app(BuyerConfig)
    got, refused, errors = [], 0, []
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))  # connect before the start signal, not after
        db.session.rollback()
        barrier.wait(timeout=60)
        for _ in range(attempts):
            try:
                got.append(reserve(workspace_id, variant_id, qty).quantity)
            except OutOfStock:
                refused += 1
            except Exception as exc:  # reported, not swallowed: the test shows it
                errors.append(f"{type(exc).__name__}: {exc}")
            finally:
                db.session.remove()
        db.engine.dispose()
    results.put((os.getpid(), got, refused, errors))
