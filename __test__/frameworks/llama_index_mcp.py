"""llama-index-tools-mcp: `BasicMCPClient(command, args, env)` with its defaults (30 s per request; a
new session, and so a server process, for every operation), `McpToolSpec(client).to_tool_list_async()`,
each tool's `metadata.to_openai_tool()` as the OpenAI agent does (it raises on descriptions over
1,024 characters), then `FunctionTool.acall(**arguments)` as the agent does when the model asks; the
model is handed the `ToolOutput`'s content.
"""
from llama_index.tools.mcp import BasicMCPClient, McpToolSpec

import flow


async def body(report: flow.Report) -> None:
    command, args = flow.server_command()
    client = BasicMCPClient(command, args=args, env=flow.server_env())
    report.facts["timeout"] = client.timeout
    listed = {t.name: t for t in (await client.list_tools()).tools}
    tools = {t.metadata.name: t for t in await McpToolSpec(client=client).to_tool_list_async()}
    report.check(len(tools) == 12, f"expected 12 tools, got {sorted(tools)}")
    for name, tool in tools.items():
        try:
            openai_tool = tool.metadata.to_openai_tool()
        except Exception as e:  # noqa: BLE001 - the message is the finding
            report.problem(f"{name}: to_openai_tool() raised {type(e).__name__}: {e}")
            continue
        flow.check_enums(report, f"llama-index {name}", flow.input_schema(listed[name]), openai_tool["function"]["parameters"])

    async def call(name: str, arguments: dict) -> str:
        output = await tools[name].acall(**arguments)
        raw = output.raw_output
        text = str(output.content)
        if output.is_error or getattr(raw, "isError", False) or getattr(raw, "is_error", False):
            raise flow.FlowError(text)
        return text

    await flow.run_flow(report, call)


flow.main("llama-index-tools-mcp", body)
