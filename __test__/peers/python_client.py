"""The official Python MCP SDK as a peer: spawn the bin over stdio, list tools, call get_job.

Usage: python_client.py <bin> <api-base> <api-key>   (prints one JSON line with what it saw)
"""
import asyncio
import json
import os
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


async def main() -> None:
    bin_path, api_base, api_key = sys.argv[1:4]
    params = StdioServerParameters(
        command="node",
        args=[bin_path],
        env={"PATH": os.environ["PATH"], "JUNGLE_GRID_API_KEY": api_key, "JUNGLEGRID_API_BASE": api_base},
    )
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            tools = await session.list_tools()
            result = await session.call_tool("get_job", {"job_id": "job_123"})
            bad = await session.call_tool("get_job", {})
            print(json.dumps({
                "server": init.server_info.name,
                "protocol": init.protocol_version,
                "tools": [t.name for t in tools.tools],
                "text": result.content[0].text,
                "data": result.structured_content,
                "bad": {"isError": bad.is_error, "text": bad.content[0].text},
            }))


asyncio.run(main())
