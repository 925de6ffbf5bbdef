"""How `flask demo` holds its ports: bound before anything else starts, a clear sentence naming the program in
the way when one is taken, and no process left behind when the demo is killed.

The demo runs in one process (threads only). Should anything fork a child from it anyway, the child inherits
the listening sockets; `children_die_with_parent` makes every child forked from here on leave as soon as this
process is gone (SIGTERM, SIGINT or SIGKILL alike), so the port is free again at once.
"""

from __future__ import annotations

import errno
import os
import socket
import threading
import time
from pathlib import Path

import click
from werkzeug.serving import make_server


class PortTaken(click.ClickException):
    """The demo cannot listen where it was told to; the message says who listens there and what to do."""


def _placeholder(environ, start_response):  # served only until the real app is built
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"Starting..."]


def bind_web(host: str, port: int, option: str = "--port"):
    """A werkzeug server listening on host:port (0: any free port), serving a placeholder until
    `server.app` is set; raises PortTaken with the holder named."""
    sock = bind_socket(host, port, option)  # ours, not werkzeug's: it would print its own words and exit
    try:
        return make_server(host, sock.getsockname()[1], _placeholder, threaded=True, fd=sock.fileno())
    finally:
        sock.close()  # the server holds its own duplicate of the descriptor


def bind_socket(host: str, port: int, option: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise _taken(exc, host, port, option) from exc
    return sock


def _taken(exc: OSError, host: str, port: int, option: str) -> click.ClickException:
    if exc.errno != errno.EADDRINUSE:
        return click.ClickException(f"Cannot listen on {host}:{port}: {exc.strerror or exc}.")
    holder = who_listens(port)
    who = f"process {holder[0]} ({holder[1]})" if holder else "another program"
    return PortTaken(
        f"Port {port} on {host} is already in use by {who}. Stop it, or start the demo on another port "
        f"({option} {port + 10})."
    )


def who_listens(port: int) -> tuple[int, str] | None:
    """(pid, command line) of the process listening on TCP `port`, when this machine tells (Linux /proc);
    None when it does not, or the holder belongs to someone else."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])  # state 0A: LISTEN
    if not inodes:
        return None
    wanted = {f"socket:[{inode}]" for inode in inodes}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd) in wanted:
                    cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    return int(entry.name), cmdline.strip() or "?"
        except OSError:
            continue
    return None


def children_die_with_parent(poll: float = 0.5) -> None:
    """Every child forked from now on watches this process and exits when it is gone (its parent pid
    changes). A watchdog thread rather than PR_SET_PDEATHSIG, which fires when the forking *thread* ends."""
    parent = os.getpid()

    def watch():
        while os.getppid() == parent:
            time.sleep(poll)
        os._exit(0)

    def in_child():
        threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()

    os.register_at_fork(after_in_child=in_child)
