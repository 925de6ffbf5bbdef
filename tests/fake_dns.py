"""A fake resolver at the socket boundary: `socket.getaddrinfo` answers the given names, refuses all others.

Numeric hosts still go to the real function (it does not look anything up for them). Each answer may be a list
of addresses, or a list of lists: one per successive lookup of that name (to play DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket


def install(monkeypatch, names: dict[str, str | list]) -> list[str]:
    """Patch the resolver; returns the list of names looked up, in order."""
    real = socket.getaddrinfo
    looked_up: list[str] = []

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        try:  # numeric forms, "2130706433" and "0x7f.1" included, are no lookup
            return real(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)
        except socket.gaierror:
            pass
        looked_up.append(host)
        answer = names.get(host)
        if answer is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if isinstance(answer, list) and answer and isinstance(answer[0], list):
            answer = answer[min(looked_up.count(host), len(answer)) - 1]
        addresses = [answer] if isinstance(answer, str) else answer
        infos = []
        for address in addresses:
            if ipaddress.ip_address(address).version == 6:
                infos.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0)))
            else:
                infos.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)))
        return infos

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return looked_up
