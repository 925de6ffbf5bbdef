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


def buy_in_threads(database_url: str, workspace_id: int, variant_id: int, order_ids: list[int], barrier,
                   results) -> None:  # fmt: skip
    """One process of several buyers: a thread (its own session and connection) per order, each reserving one
    unit for its order at the same moment as every other buyer of every process."""
    import threading

    from app import create_app
    from app.config import TestConfig, _database_url
    from app.extensions import db
    from app.inventory import OutOfStock, reserve

    class BuyerConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = _database_url(database_url)
        SQLALCHEMY_ENGINE_OPTIONS = {"pool_size": len(order_ids) + 1, "max_overflow": 0}

    app = create_app(BuyerConfig)
    outcomes: list[tuple[int, str]] = []

    def one(order_id: int) -> None:
        with app.app_context():
            db.session.execute(db.text("SELECT 1"))
            db.session.rollback()
            barrier.wait(timeout=60)
            try:
                reserve(workspace_id, variant_id, 1, order_id=order_id)
                outcomes.append((order_id, "reserved"))
            except OutOfStock:
                outcomes.append((order_id, "refused"))
            except Exception as exc:  # reported, not swallowed: the test shows it
                outcomes.append((order_id, f"{type(exc).__name__}: {exc}"))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=one, args=(order_id,)) for order_id in order_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    with app.app_context():
        db.engine.dispose()
    results.put((os.getpid(), outcomes))
