"""mcp-use: `MCPClient` from an `mcpServers` config (the same block as Claude Desktop's), its
`LangChainAdapter().create_tools(client)` as `MCPAgent` builds them (the JSON schema becomes a
pydantic model through `jsonschema_to_pydantic`: its allowed values must survive), then each tool
invoked as the LangChain agent does when the model asks, with a tool call; the model is handed the
`ToolMessage`'s content. Telemetry is off (`MCP_USE_ANONYMIZED_TELEMETRY=false`): no network here.
"""
import os

os.environ.setdefault("MCP_USE_ANONYMIZED_TELEMETRY", "false")

from mcp_use import MCPClient  # noqa: E402
from mcp_use.agents.adapters import LangChainAdapter  # noqa: E402

import flow  # noqa: E402


async def body(report: flow.Report) -> None:
    command, args = flow.server_command()
    client = MCPClient(config={"mcpServers": {"junglegrid": {"command": command, "args": args, "env": flow.server_env()}}})
    try:
        tools = {t.name: t for t in await LangChainAdapter().create_tools(client)}
        report.check(len(tools) == 12, f"expected 12 tools, got {sorted(tools)}")
        listed = {t.name: t for t in client.get_session("junglegrid").connector.tools}
        for name, tool in tools.items():
            flow.check_enums(report, f"mcp-use {name}", flow.input_schema(listed[name]), tool.args_schema.model_json_schema(), in_description=True, tool_description=tool.description)
        calls = 0

        async def call(name: str, arguments: dict) -> str:
            nonlocal calls
            calls += 1
            message = await tools[name].ainvoke({"type": "tool_call", "id": f"call_{calls}", "name": name, "args": arguments})
            content = message.content
            out = flow.visible_text(content)
            if getattr(message, "status", "success") == "error" or (isinstance(content, dict) and "error" in content) or out.startswith('{"error"'):
                raise flow.FlowError(out)
            return out

        await flow.run_flow(report, call)
    finally:
        await client.close_all_sessions()


flow.main("mcp-use", body)
