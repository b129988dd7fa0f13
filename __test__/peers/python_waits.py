"""The official Python MCP SDK as a framework uses it: the default clientInfo name ("mcp") and a
short read timeout (openai-agents' MCPServerStdio gives a request 5 s). Two wait_for_job calls on a
job that never finishes: the server's wait must fit the client, and when the client gives up on
one (the SDK then sends notifications/cancelled "timed out after ...s"), the next wait is shorter.

Usage: python_waits.py <bin> <api-base> <api-key> <read-timeout-seconds> [<server args>...]
Prints one JSON line: each call's outcome (the result's data, or the error the SDK raised).
"""
import asyncio
import json
import os
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


async def main() -> None:
    bin_path, api_base, api_key, timeout = sys.argv[1:5]
    env = {"PATH": os.environ["PATH"], "JUNGLE_GRID_API_KEY": api_key, "JUNGLEGRID_API_BASE": api_base}
    params = StdioServerParameters(command="node", args=[bin_path, *sys.argv[5:]], env=env)
    outcomes = []
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write, read_timeout_seconds=float(timeout)) as session:
            init = await session.initialize()
            for _ in range(2):
                try:
                    result = await session.call_tool("wait_for_job", {"job_id": "job_forever"})
                    outcomes.append({"data": (result.structured_content or {}).get("data"), "isError": result.is_error})
                except Exception as error:  # the SDK's timeout: what the framework would show
                    outcomes.append({"error": f"{type(error).__name__}: {error}"})
            print(json.dumps({"protocol": init.protocol_version, "outcomes": outcomes}))


asyncio.run(main())
