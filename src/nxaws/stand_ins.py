"""What the local AWS stand-ins (``local-runtime-config``, ``local-bedrock``) share: serving a ``socketserver``
in a background thread for tests and the demo, or in the foreground until Ctrl-C or SIGTERM (exit 0)."""

from __future__ import annotations

import contextlib
import signal
import socketserver
import threading
from collections.abc import Iterator
from types import FrameType


@contextlib.contextmanager
def in_thread(server: socketserver.BaseServer) -> Iterator[None]:
    """``server`` answering from a daemon thread for the duration of the block, then closed."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def in_foreground(server: socketserver.BaseServer) -> int:
    """Serve until Ctrl-C or SIGTERM, then close; the process exit code (0: a requested stop)."""
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
