"""openai-agents: `MCPServerStdio` with its defaults (5 s per request), the tools an `Agent` gets from
it (`Agent.get_mcp_tools`, as `Runner` does), then each `FunctionTool.on_invoke_tool` as the runner
calls it when the model asks. `strict` as the first argument: the agent converts schemas to strict
(`mcp_config={"convert_schemas_to_strict": True}`), every tool must come out strict (no silent
fallback) and the strict agent passes an environment variable and metadata to submit_job.
"""
import json
import sys

from agents import Agent
from agents.mcp import MCPServerStdio
from agents.run_context import RunContextWrapper
from agents.strict_schema import ensure_strict_json_schema
from agents.tool_context import ToolContext

import flow

STRICT = len(sys.argv) > 1 and sys.argv[1] == "strict"
ERROR_TEXT = "An error occurred while running the tool"


async def body(report: flow.Report) -> None:
    command, args = flow.server_command()
    async with MCPServerStdio(params={"command": command, "args": args, "env": flow.server_env()}) as server:
        report.facts["client_session_timeout_seconds"] = server.client_session_timeout_seconds
        agent = Agent(name="jungle", mcp_servers=[server], mcp_config={"convert_schemas_to_strict": STRICT})
        run_context = RunContextWrapper(context=None)
        tools = {t.name: t for t in await agent.get_mcp_tools(run_context)}
        report.check(len(tools) == 12, f"expected 12 tools, got {sorted(tools)}")
        for tool in tools.values():
            report.check(len(tool.description) <= 1024, f"{tool.name}: description is {len(tool.description)} characters (over 1,024)")
            if STRICT and not tool.strict_json_schema:
                listed = next(t for t in await server.list_tools() if t.name == tool.name)
                try:
                    ensure_strict_json_schema(json.loads(json.dumps(flow.input_schema(listed))))
                    why = "(converts when tried directly)"
                except Exception as e:  # noqa: BLE001
                    why = str(e)
                report.problem(f"{tool.name}: strict conversion fell back to non-strict: {why}")

        calls = 0

        async def call(name: str, arguments: dict) -> str:
            nonlocal calls
            calls += 1
            tool = tools[name]
            if STRICT and tool.strict_json_schema:
                arguments = flow.strict_arguments(tool.params_json_schema, arguments, report, name)
            raw = json.dumps(arguments)
            ctx = ToolContext(context=None, tool_name=name, tool_call_id=f"call_{calls}", tool_arguments=raw)
            out = flow.visible_text(await tool.on_invoke_tool(ctx, raw))
            if ERROR_TEXT in out:
                raise flow.FlowError(out)
            return out

        extra = flow.strict_extras(tools["submit_job"].params_json_schema.get("properties", {}), "strict", report) if STRICT and "submit_job" in tools else {}
        await flow.run_flow(report, call, extra)


flow.main("openai-agents strict" if STRICT else "openai-agents", body)
