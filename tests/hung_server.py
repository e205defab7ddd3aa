"""A server that accepts connections and never answers: a hung mail server (or webhook) for the tests."""

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class HungServer:
    port: int
    accepted: int = 0
    _held: list[socket.socket] = field(default_factory=list)


@contextlib.contextmanager
def hung_server() -> Iterator[HungServer]:
    """Listens on a free local port; every connection is accepted, counted and held open in silence (an SMTP
    client waits for a greeting that never comes) until the block ends."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.1)
    server = HungServer(port=listener.getsockname()[1])
    stopping = threading.Event()

    def accept() -> None:
        while not stopping.is_set():
            try:
                peer, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            server._held.append(peer)
            server.accepted += 1

    thread = threading.Thread(target=accept, name="hung-server", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stopping.set()
        thread.join(timeout=5)
        listener.close()
        for peer in server._held:
            peer.close()
