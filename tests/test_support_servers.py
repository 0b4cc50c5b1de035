import anyio
from mcp import ClientSession
from mcp.client.streamable_http import streamablehttp_client
from support.mcp_servers import math_server, serving

def test_math_server_serves_add():
    calls = []
    with serving(math_server(calls=calls)) as srv:
        async def go():
            async with streamablehttp_client(srv.url, headers={"X-Amzn-Bedrock-AgentCore-Runtime-Session-Id": "s1"}) as (r, w, _), ClientSession(r, w) as s:
                await s.initialize()
                return await s.call_tool("add", {"a": 2, "b": 3})
        res = anyio.run(go)
    assert res.content[0].text == "5"
    assert calls == [("add", (2, 3), "s1")]
