"""Run one `messaging.send` job in a process of its own (the fault test kills it mid-send).

`python -m tests.messaging.send_process <outbox id>` with FAULT_DATABASE_URI (the test database) and
FAULT_GRAPH_BASE (the stand-in Meta) in the environment.
"""

from __future__ import annotations

import os
import sys

from app import create_app
from app.config import TestConfig
from app.messaging.sender import send


class FaultConfig(TestConfig):
    SQLALCHEMY_DATABASE_URI = os.environ["FAULT_DATABASE_URI"]
    META_GRAPH_BASE = os.environ["FAULT_GRAPH_BASE"]


if __name__ == "__main__":
    with create_app(FaultConfig).app_context():
        print(send(int(sys.argv[1])), flush=True)
