"""A sample MCP server run as its own process (``python target_server.py PORT [--stateful]``), for restarts."""

import sys

import uvicorn
from mcp.server.fastmcp import FastMCP

stateful = "--stateful" in sys.argv
server = FastMCP("restartable", stateless_http=not stateful, json_response=True, log_level="WARNING")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


if __name__ == "__main__":
    uvicorn.run(server.streamable_http_app(), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
