"""langchain-mcp-adapters: `MultiServerMCPClient` with a stdio connection. `default` (the first
argument): `client.get_tools()`, which starts a new session, and so a new server process, for every
tool call: the sandbox's state must outlive each process, and an artifact URL must still serve its
bytes after the process that gave it has exited. `session`: one explicit session,
`load_mcp_tools(session)`. Each tool is invoked as LangGraph's tool node does when the model asks,
with a tool call, and the model is handed the `ToolMessage`'s content.
"""
import sys

from langchain_mcp_adapters.client import MultiServerMCPClient
from langchain_mcp_adapters.tools import load_mcp_tools

import flow

MODE = sys.argv[1] if len(sys.argv) > 1 else "default"


async def body(report: flow.Report) -> None:
    command, args = flow.server_command()
    client = MultiServerMCPClient({"junglegrid": {"transport": "stdio", "command": command, "args": args, "env": flow.server_env()}})

    async def run(tools_list) -> None:
        tools = {t.name: t for t in tools_list}
        report.check(len(tools) == 12, f"expected 12 tools, got {sorted(tools)}")
        untitled = sorted(n for n, t in tools.items() if not (t.metadata or {}).get("title"))
        report.check(not untitled, f"no title in tool.metadata (annotations.title) for: {', '.join(untitled)}")
        calls = 0

        async def call(name: str, arguments: dict) -> str:
            nonlocal calls
            calls += 1
            message = await tools[name].ainvoke({"type": "tool_call", "id": f"call_{calls}", "name": name, "args": arguments})
            out = flow.visible_text(message.content)
            if getattr(message, "status", "success") == "error":
                raise flow.FlowError(out)
            return out

        await flow.run_flow(report, call)

    if MODE == "session":
        async with client.session("junglegrid") as session:
            await run(await load_mcp_tools(session))
    else:
        await run(await client.get_tools())


flow.main(f"langchain-mcp-adapters {MODE}", body)
