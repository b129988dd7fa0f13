"""The Python peers' one way in: spawn the bin over stdio as a host would, with only PATH, the key
and the API base in its environment, and hand back an initialized session of the official SDK.

Scripts take `<bin> <api-base> <api-key>` as their first arguments.
"""
import os
import sys
from contextlib import asynccontextmanager

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


@asynccontextmanager
async def open_session():
    """Yields `(session, init)`: the session and its initialize result."""
    bin_path, api_base, api_key = sys.argv[1:4]
    params = StdioServerParameters(
        command="node",
        args=[bin_path],
        env={"PATH": os.environ["PATH"], "JUNGLE_GRID_API_KEY": api_key, "JUNGLEGRID_API_BASE": api_base},
    )
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            yield session, await session.initialize()
