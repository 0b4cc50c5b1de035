"""A sample MCP server as its own process (``python target_server.py PORT [--stateful] [--sse]``), for signals."""

import sys

import uvicorn
from mcp.server.fastmcp import FastMCP

stateful = "--stateful" in sys.argv
sse = "--sse" in sys.argv  # FastMCP's default: answers as an event stream
server = FastMCP("restartable", stateless_http=not stateful, json_response=not sse, log_level="WARNING")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


if __name__ == "__main__":
    uvicorn.run(server.streamable_http_app(), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
