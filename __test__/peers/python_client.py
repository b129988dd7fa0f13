"""The official Python MCP SDK as a peer: spawn the bin over stdio, list tools, call get_job.

Usage: python_client.py <bin> <api-base> <api-key>   (prints one JSON line with what it saw)
"""
import asyncio
import json

from session import open_session


async def main() -> None:
    async with open_session() as (session, init):
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
