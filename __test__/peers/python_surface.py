"""The official Python MCP SDK as a peer of the prompts, resources and completions: spawn the bin
over stdio, list and get a prompt, list templates and recent jobs, read a job's logs, complete a
job id, and read an unknown job (a JSON-RPC error, the session going on).

Usage: python_surface.py <bin> <api-base> <api-key>   (prints one JSON line with what it saw)
"""
import asyncio
import json

from mcp import MCPError, types
from session import open_session


async def main() -> None:
    async with open_session() as (session, init):
        prompts = await session.list_prompts()
        prompt = await session.get_prompt("investigate_job", {"job_id": "job_123"})
        templates = await session.list_resource_templates()
        listed = await session.list_resources()
        logs = await session.read_resource("junglegrid://jobs/job_123/logs")
        done = await session.complete(
            types.PromptReference(type="ref/prompt", name="investigate_job"),
            {"name": "job_id", "value": "job_1"},
        )
        try:
            await session.read_resource("junglegrid://jobs/job_missing")
            missing = None
        except MCPError as e:
            missing = {"code": e.code, "message": e.message}
        still = await session.list_prompts()
        print(json.dumps({
            "capabilities": sorted(k for k, v in init.capabilities.model_dump().items() if v is not None),
            "prompts": [p.name for p in prompts.prompts],
            "prompt": prompt.messages[0].content.text,
            "templates": [t.uri_template for t in templates.resource_templates],
            "listed": [str(r.uri) for r in listed.resources],
            "logs": json.loads(logs.contents[0].text),
            "completed": done.completion.values,
            "missing": missing,
            "still": len(still.prompts),
        }))


asyncio.run(main())
