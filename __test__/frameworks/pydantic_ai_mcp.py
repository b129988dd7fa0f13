"""pydantic-ai-slim 2.x: `MCPToolset` (2.x removed `MCPServerStdio`; the toolset takes a FastMCP
`StdioTransport`) with its defaults (5 s to start, 5 min per request), the tool definitions an agent
gets (`get_tools`), as the OpenAI model maps them (`OpenAIJsonSchemaTransformer`): with `strict`
unset OpenAI turns strict mode on when the schema is strict-compatible, so every tool must be;
`strict` as the first argument marks every tool strict (as `PrepareTools` does) and the strict
agent passes an environment variable and metadata to submit_job. Tools are invoked with
`toolset.call_tool` as the agent graph does when the model asks; the model is handed the mapped
return value (a `ModelRetry`/error is what it gets on failure).
"""
import sys
from dataclasses import replace

from fastmcp.client.transports import StdioTransport
from pydantic_ai import RunContext
from pydantic_ai.mcp import MCPToolset
from pydantic_ai.models.test import TestModel
from pydantic_ai.profiles.openai import OpenAIJsonSchemaTransformer
from pydantic_ai.usage import RunUsage

import flow

STRICT = len(sys.argv) > 1 and sys.argv[1] == "strict"


async def body(report: flow.Report) -> None:
    command, args = flow.server_command()
    toolset = MCPToolset(StdioTransport(command=command, args=args, env=flow.server_env()))
    ctx = RunContext(deps=None, model=TestModel(), usage=RunUsage())
    async with toolset:
        tools = await toolset.get_tools(ctx)
        report.check(len(tools) == 12, f"expected 12 tools, got {sorted(tools)}")
        mapped = {}
        for name, tool in tools.items():
            if STRICT:
                tool.tool_def = replace(tool.tool_def, strict=True)
            transformer = OpenAIJsonSchemaTransformer(tool.tool_def.parameters_json_schema, strict=tool.tool_def.strict)
            try:
                mapped[name] = transformer.walk()
            except Exception as e:  # noqa: BLE001 - the OpenAI model would raise this at the first request
                report.problem(f"{name}: the OpenAI schema transform raised {type(e).__name__}: {e}")
                mapped[name] = tool.tool_def.parameters_json_schema
                continue
            if not STRICT and not transformer.is_strict_compatible:
                # Not a failure: OpenAI then runs the tool without strict mode, which works.
                report.facts.setdefault("not_strict_compatible", []).append(name)
            report.check(len(tool.tool_def.description or "") <= 1024, f"{name}: description is {len(tool.tool_def.description or '')} characters (over 1,024)")

        async def call(name: str, arguments: dict) -> str:
            if STRICT:
                arguments = flow.strict_arguments(mapped[name], arguments, report, name)
            try:
                validated = tools[name].args_validator.validate_python(arguments)
                out = await toolset.call_tool(name, validated, ctx, tools[name])
            except Exception as e:  # noqa: BLE001 - ModelRetry and tool errors are what the model sees
                raise flow.FlowError(f"{type(e).__name__}: {e}") from e
            return flow.visible_text(out)

        extra = flow.strict_extras(mapped["submit_job"].get("properties", {}), "pydantic-ai strict", report) if STRICT else {}
        await flow.run_flow(report, call, extra)


flow.main("pydantic-ai strict" if STRICT else "pydantic-ai", body)
