"""google-genai: its own MCP path, an MCP `ClientSession` passed in `GenerateContentConfig.tools`,
driven without a model by the steps `AsyncModels.generate_content` takes: the session's tools become
`FunctionDeclaration`s through `types.Schema.from_json_schema`
(`_extra_utils.parse_config_for_mcp_sessions`), the request body is built as for the Gemini API
(`_GenerateContentParameters_to_mldev`), and for each function call the model makes, automatic
function calling answers with `get_function_response_parts_async`; the model is handed that
function response part, serialised as it is sent.
"""
import json

from google import genai
from google.genai import _extra_utils, models, types
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

import flow

MODEL = "gemini-2.5-flash"


async def body(report: flow.Report) -> None:
    command, args = flow.server_command()
    params = StdioServerParameters(command=command, args=args, env=flow.server_env())
    api_client = genai.Client(api_key="placeholder-no-request-is-sent")._api_client
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            listed = {t.name: t for t in (await session.list_tools()).tools}
            config = types.GenerateContentConfig(tools=[session])
            final, adapters = await _extra_utils.parse_config_for_mcp_sessions(config.model_copy(deep=False), is_agent_platform=False)
            function_map = _extra_utils.get_function_map(final, adapters, is_caller_method_async=True)
            declarations = {d.name: d for tool in final.tools for d in (tool.function_declarations or [])}
            report.check(len(declarations) == 12, f"expected 12 function declarations, got {sorted(declarations)}")
            for name, decl in declarations.items():
                params_schema = decl.parameters.model_dump(mode="json", exclude_none=True) if decl.parameters else {}
                for prop, sub in (params_schema.get("properties") or {}).items():
                    report.check(sub.get("type") is not None or sub.get("any_of") is not None, f"google-genai {name}.{prop}: no type after Schema.from_json_schema: {flow.excerpt(json.dumps(sub), 200)}")
                flow.check_enums(report, f"google-genai {name}", flow.input_schema(listed[name]), params_schema)
            # The request as sent to the Gemini API: every declaration must serialise.
            request = models._GenerateContentParameters_to_mldev(api_client, {"model": MODEL, "contents": [types.Content(role="user", parts=[types.Part(text="run the job")])], "config": final})
            report.facts["request_chars"] = len(json.dumps(request, default=str))

            async def call(name: str, arguments: dict) -> str:
                response = types.GenerateContentResponse(candidates=[types.Candidate(content=types.Content(role="model", parts=[types.Part(function_call=types.FunctionCall(name=name, args=arguments))]))])
                parts = await _extra_utils.get_function_response_parts_async(response, function_map)
                answer = parts[0].function_response.response
                sent = models._GenerateContentParameters_to_mldev(api_client, {"model": MODEL, "contents": [types.Content(role="user", parts=parts)], "config": None})
                out = json.dumps(sent["contents"][0]["parts"][0], default=lambda o: o.model_dump(mode="json", exclude_none=True) if hasattr(o, "model_dump") else str(o))
                if "error" in answer:
                    raise flow.FlowError(out)
                return out

            await flow.run_flow(report, call)


flow.main("google-genai", body)
