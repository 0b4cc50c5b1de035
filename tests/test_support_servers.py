"""The in-process MCP server the other tests lean on: it serves ``add`` and records the session header."""

import anyio
import httpx
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from support.mcp_servers import SESSION_HEADER, math_server, serving


def test_math_server_serves_add() -> None:
    calls: list[tuple] = []
    with serving(math_server(calls=calls)) as srv:

        async def go():
            async with (
                httpx.AsyncClient(headers={SESSION_HEADER: "s1"}) as http,
                streamable_http_client(srv.url, http_client=http) as (read, write, _),
                ClientSession(read, write) as session,
            ):
                await session.initialize()
                return await session.call_tool("add", {"a": 2, "b": 3})

        res = anyio.run(go)
    assert res.content[0].text == "5"
    assert calls == [("add", (2, 3), "s1")]
