"""The rendered ``SessionPool`` on its own, with factories of plain context managers that record their lifetime."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from types import ModuleType

import pytest

from runtime.rendered import submodule

pytestmark = pytest.mark.timeout(30)


class Agents:
    """A factory whose agents are the session ids they were built for; ``gate`` (when set) holds a build."""

    def __init__(self, lib: ModuleType) -> None:
        self.lib = lib
        self.opened: list[str] = []
        self.closed: list[str] = []
        self.gate: threading.Event | None = None
        self.fail = False

    @contextlib.contextmanager
    def __call__(self) -> Iterator[str]:
        session = self.lib.get_current_session_id()
        if self.gate is not None:
            self.gate.wait(10)
        if self.fail:
            raise ConnectionError(f"no gateway for {session}")
        self.opened.append(session)
        try:
            yield session
        finally:
            self.closed.append(session)


def pool_module(lib: ModuleType) -> ModuleType:
    return submodule(lib, "core.session_pool")


async def use(lib: ModuleType, pool, session: str) -> str:
    with lib.session_id_context(session):
        async with pool.use() as agent:
            return agent


def test_all_busy_sessions_refuse_a_new_one_and_the_lru_idle_one_makes_room(lib: ModuleType) -> None:
    module, agents = pool_module(lib), Agents(lib)

    async def main(pool) -> None:
        async with pool.use("a"), pool.use("b"):
            with pytest.raises(module.SessionUnavailableError, match="All 2 session agents are busy") as full:
                pool.check("c")
            assert full.value.status_code == 503
            with pytest.raises(module.SessionBusyError, match="Session a is answering another request"):
                await use(lib, pool, "a")
        assert await use(lib, pool, "a") == "a"  # a is now the most recently used
        assert await use(lib, pool, "c") == "c"  # b made room

    with module.SessionPool(agents, max_sessions=2) as pool:
        asyncio.run(main(pool))
        for _ in range(100):
            if agents.closed:
                break
            threading.Event().wait(0.05)
        assert agents.closed == ["b"]
    assert agents.opened == ["a", "b", "c"]
    assert sorted(agents.closed) == ["a", "b", "c"]  # close() closed the rest


def test_a_failed_build_is_not_kept_and_a_cancelled_one_is_closed(lib: ModuleType) -> None:
    module, agents = pool_module(lib), Agents(lib)

    async def main(pool) -> None:
        agents.fail = True
        with pytest.raises(ConnectionError, match="no gateway for s-1"):
            await use(lib, pool, "s-1")
        agents.fail = False
        assert len(pool) == 0 and await use(lib, pool, "s-1") == "s-1"
        agents.gate = threading.Event()
        building = asyncio.create_task(use(lib, pool, "s-2"))
        await asyncio.sleep(0.1)
        building.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await building
        agents.gate.set()

    with module.SessionPool(agents) as pool:
        asyncio.run(main(pool))
        for _ in range(100):
            if "s-2" in agents.closed:
                break
            threading.Event().wait(0.05)
        assert "s-2" in agents.closed and len(pool) == 1  # built after its request gave up: closed at once


def test_limits_come_from_the_environment_and_bad_ones_are_named(lib: ModuleType, monkeypatch) -> None:
    module = pool_module(lib)
    monkeypatch.setenv("AGENT_MAX_SESSIONS", "7")
    monkeypatch.setenv("AGENT_SESSION_IDLE_TIMEOUT", "60")
    pool = module.SessionPool(Agents(lib))
    assert (pool.max_sessions, pool.idle_timeout) == (7, 60)
    monkeypatch.setenv("AGENT_MAX_SESSIONS", "many")
    with pytest.raises(ValueError, match="AGENT_MAX_SESSIONS='many' is not a number greater than 0"):
        module.SessionPool(Agents(lib))
