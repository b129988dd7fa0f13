"""fast-agent-mcp: a `FastAgent` app with the server in its `mcp.servers` config (command, args,
env; default timeouts), one agent on the offline `passthrough` model (no model provider), the tools
the agent's MCP aggregator lists (`agent.list_tools()`, what fast-agent hands a model), then
`agent.call_tool(name, args)` as its tool loop does when the model asks; the model is handed the
result's content blocks.
"""
import json
import os
import tempfile

from fast_agent import FastAgent

import flow


async def body(report: flow.Report) -> None:
    command, args = flow.server_command()
    folder = tempfile.mkdtemp(prefix="fast-agent-")
    config = os.path.join(folder, "fastagent.config.yaml")
    with open(config, "w") as f:
        # JSON is YAML: the same mcp.servers block a user writes.
        json.dump({"logger": {"type": "none", "progress_display": False, "show_chat": False, "show_tools": False},
                   "mcp": {"servers": {"junglegrid": {"command": command, "args": args, "env": flow.server_env()}}}}, f)
    fast = FastAgent("jungle-grid-test", config_path=config, parse_cli_args=False, quiet=True)

    @fast.agent(name="jungle", instruction="Run Jungle Grid jobs.", servers=["junglegrid"], model="passthrough")
    async def _agent() -> None:  # registered with the app; never run
        pass

    async with fast.run() as app:
        agent = app.jungle
        listed = (await agent.list_tools()).tools
        names = {t.name: t for t in listed}
        report.facts["tool_names"] = sorted(names)[:3]
        report.check(len(names) == 12, f"expected 12 tools, got {sorted(names)}")
        for tool in listed:
            report.check(len(tool.description or "") <= 1024, f"{tool.name}: description is {len(tool.description or '')} characters (over 1,024)")
        by_local = {n.split("__")[-1].split("-")[-1]: n for n in names}

        async def call(name: str, arguments: dict) -> str:
            result = await agent.call_tool(by_local.get(name, name), arguments)
            out = flow.visible_text([c.model_dump(mode="json", exclude_none=True) for c in result.content])
            if result.is_error if hasattr(type(result), "is_error") else result.isError:
                raise flow.FlowError(out)
            return out

        await flow.run_flow(report, call)


flow.main("fast-agent", body)
