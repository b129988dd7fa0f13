"""The seed's production flow, driven through one agent framework's own MCP integration, no model.

Each driver (`<framework>.py` beside this file) builds the framework's tool objects the way the
framework does when an agent starts, checks what the framework would hand a model (tool
definitions), then calls `run_flow(call)` with a `call(name, args) -> str` that invokes a tool the
way the framework does when a model asks and returns what the framework hands the model back.

The flow: estimate_job, submit_job, wait_for_job until the job has completed (the sandbox job runs
longer than the framework's request timeout, so each wait must come back in time by itself),
get_job_logs, list_artifacts, get_artifact, then the artifact's bytes from its download URL. The job
and artifact ids must be readable in what the model is handed. Warnings and log records of level
WARNING or above raised while the framework works are failures too.

The driver prints one JSON line (`{"framework", "ok", "problems", "steps", ...}`) and exits 1 when
anything failed; `__test__/frameworks.test.mjs` shows `problems` as the failure message.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import sys
import time
import traceback
import urllib.request
import warnings
from typing import Any, Awaitable, Callable

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ.get("JG_BIN") or os.path.join(HERE, "..", "..", "bin", "junglegrid-mcp.js")
NODE = os.environ.get("JG_NODE") or "node"
# Simulated time runs this many times faster than real time. A sandbox job takes 18 simulated
# seconds (queued 3 s, provisioning 5 s, running 10 s), so a scale below 1 makes it run longer
# than the framework's request timeout.
TIME_SCALE = os.environ.get("JG_TIME_SCALE", "1")
# Most waits a flow may need before the job completes: a bound, so a server that never answers
# "completed" fails the test instead of hanging it.
MAX_WAITS = int(os.environ.get("JG_MAX_WAITS", "60"))

ESTIMATE = {
    "workload_type": "batch",
    "image": "pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime",
    "command": ["python", "-c", "from pathlib import Path; Path('/workspace/artifacts/output.txt').write_text('done')"],
    "routing_mode": "balanced",
}
SUBMIT = {
    "name": "mcp-simple-artifact",
    **ESTIMATE,
    "expected_artifacts": ["/workspace/artifacts/output.txt"],
}

JOB_ID = re.compile(r"\bjob_(?=[A-Za-z0-9]*[0-9])[A-Za-z0-9]+")
ART_ID = re.compile(r"\bart_(?=[A-Za-z0-9]*[0-9])[A-Za-z0-9]+")
URL = re.compile(r"https?://[^\s\"'\\<>)\]]+")
LOCAL_PATH = re.compile(r"\"local_path\"\s*:\s*\"((?:[^\"\\\\]|\\\\.)+)\"")
STATUS = re.compile(r"\"status\"\s*:\s*\"([a-z_]+)\"")
TERMINAL = ("completed", "failed", "rejected", "cancelled")


def server_command() -> tuple[str, list[str]]:
    """The stdio server as a host would start it (`npx -y @jungle-grid/mcp --sandbox`), from the checkout."""
    return NODE, [BIN, "--sandbox", "--sandbox-time-scale", TIME_SCALE]


def server_env() -> dict[str, str]:
    """What a user puts in the framework's `env`: nothing for the sandbox, PATH for node (a
    framework that passes `env` replaces the whole environment), and HOME: the test's own folder,
    so the sandbox's state stays in it."""
    env = {"PATH": os.environ["PATH"]}
    for key in ("HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "TMPDIR", "JUNGLE_GRID_LOG"):
        if os.environ.get(key):
            env[key] = os.environ[key]
    return env


def input_schema(tool: Any) -> dict[str, Any]:
    """An MCP tool's input schema, on either generation of the Python SDK (`inputSchema`, `input_schema`)."""
    return getattr(tool, "input_schema", None) or getattr(tool, "inputSchema", None) or {}


def _branches(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The non-null alternatives of a property schema (`anyOf`/`oneOf` with a null, or a type list)."""
    alts = schema.get("anyOf") or schema.get("oneOf")
    if alts:
        return [a for a in alts if isinstance(a, dict) and a.get("type") != "null"]
    return [schema]


def _type(schema: dict[str, Any]) -> str | None:
    t = schema.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), None)
    return t


def allows_null(schema: dict[str, Any]) -> bool:
    t = schema.get("type")
    if t == "null" or (isinstance(t, list) and "null" in t):
        return True
    return any(isinstance(a, dict) and a.get("type") == "null" for a in (schema.get("anyOf") or schema.get("oneOf") or []))


def strict_extras(props, label, report):
    """The `env` and `metadata` a strict agent would pass, built from the strict schema's
    `submit_job` properties `props` (a problem is reported where the schema cannot carry them)."""
    extra = {}
    for key, pairs in (("env", {"JG_TEST_MODE": "strict"}), ("metadata", {"team": "agents"})):
        if key not in props:
            report.problem(f"submit_job: the strict schema has no `{key}`")
            continue
        value = pairs_value(props[key], pairs, f"submit_job.{key} ({label})", report)
        if value is not None:
            extra[key] = value
    return extra


def pairs_value(schema: dict[str, Any], pairs: dict[str, str], what: str, report: "Report") -> Any:
    """A value that carries `pairs` (an environment, metadata) in the form `schema` offers a model:
    an object of strings, or a list of name/value objects. A schema that admits only `{}` is a problem."""
    for branch in _branches(schema):
        t = _type(branch)
        if t == "object":
            props = branch.get("properties") or {}
            extra = branch.get("additionalProperties", True)
            if props or extra not in (False, None):
                return dict(pairs)
        elif t == "array":
            item = branch.get("items") or {}
            props = list((item.get("properties") or {}).keys())
            key = next((p for p in props if p in ("name", "key")), None)
            val = next((p for p in props if p == "value"), None)
            if key and val:
                return [{key: k, val: v} for k, v in pairs.items()]
        elif t == "string":
            return json.dumps(pairs)
    report.problem(f"{what}: a model bound by this schema cannot pass any value: {excerpt(json.dumps(schema), 400)}")
    return None


def strict_arguments(schema: dict[str, Any], wanted: dict[str, Any], report: "Report", tool: str) -> dict[str, Any]:
    """The arguments a model in strict mode sends: strict mode makes every property required, so a
    property the agent has no value for is sent as null, which the schema must then allow."""
    props = schema.get("properties") or {}
    args: dict[str, Any] = {}
    for name, prop in props.items():
        if name in wanted:
            args[name] = wanted[name]
        elif name in (schema.get("required") or []):
            if allows_null(prop):
                args[name] = None
            else:
                report.problem(f"{tool}: strict mode requires `{name}` and it cannot be null: a strict model must invent a value")
    for name in wanted:
        if name not in props:
            report.problem(f"{tool}: the strict schema has no `{name}`")
    return args


def enum_values(schema: Any) -> set[str]:
    """Every value an `enum` or `const` anywhere in a schema allows."""
    found: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "enum" and isinstance(value, list):
                found.update(json.dumps(v) for v in value)
            elif key == "const":
                found.add(json.dumps(value))
            else:
                found |= enum_values(value)
    elif isinstance(schema, list):
        for value in schema:
            found |= enum_values(value)
    return found


def _typed(schema: Any) -> bool:
    """A property schema that tells the model a type: not `{}`, not an `anyOf` with an untyped branch."""
    if not isinstance(schema, dict):
        return False
    alts = schema.get("anyOf") or schema.get("any_of") or schema.get("oneOf")
    if alts:
        return all(_typed(a) for a in alts)
    return schema.get("type") is not None or "$ref" in schema or "enum" in schema


def check_enums(report: "Report", where: str, listed: dict[str, Any], converted: dict[str, Any], in_description: bool = False, tool_description: str = "") -> None:
    """Each property's allowed values (enum/const in the MCP tool's input schema) survive the
    framework's conversion: otherwise the model is told "any value". `in_description`: for a
    framework whose converter drops every enum (mcp-use's `jsonschema_to_pydantic`), the property
    must keep its type and its description, or the tool's, must name each value."""
    converted_props = (converted or {}).get("properties") or {}
    for name, prop in ((listed or {}).get("properties") or {}).items():
        want = enum_values(prop)
        if not want:
            continue
        got_schema = converted_props.get(name)
        if in_description:
            text = json.dumps(got_schema)
            missing = sorted(v for v in want if json.loads(v) is not None and str(json.loads(v)) not in text + tool_description)
            if missing or not _typed(got_schema):
                report.problem(f"{where}: `{name}` reaches the model as {excerpt(text, 300)}: " + (f"values {missing} not named" if missing else "no type (the model is told any value)"))
            continue
        got = enum_values(got_schema)
        if not want <= got:
            report.problem(f"{where}: `{name}` lost its allowed values {sorted(want)} in the conversion: {excerpt(json.dumps(got_schema), 300)}")


class FlowError(Exception):
    """What the model would have been handed instead of a result (an error, a timeout)."""


class Report:
    def __init__(self, framework: str) -> None:
        self.framework = framework
        self.problems: list[str] = []
        self.steps: list[dict[str, Any]] = []
        self.facts: dict[str, Any] = {}

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def check(self, ok: bool, text: str) -> bool:
        if not ok:
            self.problem(text)
        return ok


class Capture(logging.Handler):
    """Log records of level WARNING or above from any logger, and every Python warning."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.records.append(f"log {record.levelname} {record.name}: {record.getMessage()}"[:600])
        except Exception:  # a record whose message cannot be formatted is still a warning
            self.records.append(f"log {record.levelname} {record.name}: {record.msg!r}"[:600])


def excerpt(text: str, n: int = 300) -> str:
    text = text.replace("\n", "\\n")
    return text if len(text) <= n else text[:n] + "..."


def visible_text(value: Any) -> str:
    """What the model reads: strings as they are, anything else as JSON."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, default=lambda o: o.model_dump(mode="json") if hasattr(o, "model_dump") else str(o))
    except Exception:
        return str(value)


def job_status(text: str) -> str | None:
    """The job's status in a wait/get_job result as the model sees it: the JSON's `status`, else the
    summary's first line ("Job job_x is running ...", "Job job_x completed ...")."""
    m = STATUS.search(text.replace('\\"', '"'))
    if m:
        return m.group(1)
    m = re.search(r"\bjob_[A-Za-z0-9]+ (?:is |has )?(queued|scheduling|provisioning|running|completed|failed|rejected|cancelled)\b", text)
    return m.group(1) if m else None


def _pairs(args: dict[str, Any], key: str) -> dict[str, str]:
    """The name/value pairs of `args[key]`, in either form (an object, or a list of {name, value})."""
    value = args.get(key)
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    if isinstance(value, list):
        return {str(p.get("name", p.get("key"))): str(p.get("value")) for p in value if isinstance(p, dict)}
    return {}


async def run_flow(report: Report, call: Callable[[str, dict[str, Any]], Awaitable[str]], submit_extra: dict[str, Any] | None = None) -> None:
    async def step(name: str, args: dict[str, Any]) -> str | None:
        started = time.monotonic()
        try:
            text = await call(name, args)
        except FlowError as e:
            report.steps.append({"tool": name, "seconds": round(time.monotonic() - started, 2), "error": excerpt(str(e), 600)})
            report.problem(f"{name}({json.dumps(args)}): the model was handed an error: {excerpt(str(e), 600)}")
            return None
        except Exception as e:  # noqa: BLE001 - the framework raised: its agent loop hands the model this error
            leaves = "; ".join(f"{type(x).__name__}: {x}" for x in _leaves(e))
            report.steps.append({"tool": name, "seconds": round(time.monotonic() - started, 2), "error": excerpt(leaves, 600)})
            report.problem(f"{name}({json.dumps(args)}): the framework raised {excerpt(leaves, 600)}")
            return None
        report.steps.append({"tool": name, "seconds": round(time.monotonic() - started, 2), "visible": excerpt(text)})
        return text

    if await step("estimate_job", dict(ESTIMATE)) is None:
        return
    submitted = await step("submit_job", {**SUBMIT, **(submit_extra or {})})
    if submitted is None:
        return
    m = JOB_ID.search(submitted)
    if not report.check(m is not None, f"submit_job: no job id in what the model is handed: {excerpt(submitted)}"):
        return
    job_id = m.group(0)
    report.facts["job_id"] = job_id

    status = None
    waits = 0
    while waits < MAX_WAITS:
        waits += 1
        waited = await step("wait_for_job", {"job_id": job_id})
        if waited is None:
            return
        status = job_status(waited)
        if status in TERMINAL:
            break
    report.facts["waits"] = waits
    if not report.check(status == "completed", f"wait_for_job: the job did not complete after {waits} call(s) (last status: {status})"):
        return
    # Metadata the agent passed is stored with the job (the sandbox echoes it; env is not echoed).
    for key, value in _pairs(submit_extra or {}, "metadata").items():
        report.check(f'{key}' in waited and f'{value}' in waited, f"submit_job's metadata {key}={value} is not on the job: {excerpt(waited)}")

    logs = await step("get_job_logs", {"job_id": job_id})
    if logs is None:
        return
    report.check(job_id in logs, f"get_job_logs: the job id is not in what the model is handed: {excerpt(logs)}")

    listed = await step("list_artifacts", {"job_id": job_id})
    if listed is None:
        return
    m = ART_ID.search(listed)
    if not report.check(m is not None, f"list_artifacts: no artifact id in what the model is handed: {excerpt(listed)}"):
        return
    artifact_id = m.group(0)
    report.facts["artifact_id"] = artifact_id

    got = await step("get_artifact", {"job_id": job_id, "artifact_id": artifact_id})
    if got is None:
        return
    report.check(artifact_id in got, f"get_artifact: the artifact id is not in what the model is handed: {excerpt(got)}")
    urls = [u for u in URL.findall(got.replace('\\"', '"').replace("\\/", "/")) if "/download" in u or artifact_id in u] or URL.findall(got)
    if not report.check(bool(urls), f"get_artifact: no download URL in what the model is handed: {excerpt(got)}"):
        return
    # The bytes: from the download URL, or, when the server that made the URL has exited (a
    # framework that starts a process per call), from the local copy the sandbox names.
    try:
        data = await asyncio.to_thread(lambda: urllib.request.urlopen(urls[0], timeout=20).read())
        report.facts["artifact_source"] = "download_url"
    except Exception as e:  # noqa: BLE001 - the message is the finding
        local = LOCAL_PATH.search(got.replace('\\"', '"'))
        if not local:
            report.problem(f"the artifact's bytes: GET {urls[0].split('?')[0]} failed ({e}) and no local_path is in what the model is handed")
            return
        path = json.loads(f'"{local.group(1)}"')
        try:
            with open(path, "rb") as f:
                data = f.read()
            report.facts["artifact_source"] = f"local_path (the download URL failed: {e})"
        except OSError as e2:
            report.problem(f"the artifact's bytes: GET {urls[0].split('?')[0]} failed ({e}) and local_path {path} cannot be read: {e2}")
            return
    report.facts["artifact_bytes"] = len(data)
    report.check(len(data) > 0, "the artifact's bytes: none")


def _leaves(e: BaseException):
    """The exceptions inside an exception group (anyio wraps a crash inside a session in one)."""
    inner = getattr(e, "exceptions", None)
    if inner:
        for x in inner:
            yield from _leaves(x)
    else:
        yield e


def main(framework: str, body: Callable[[Report], Awaitable[None]], ignore_warnings: tuple[str, ...] = ()) -> None:
    """Runs `body` with warnings and WARNING log records captured, prints the report, exits 1 on a problem."""
    report = Report(framework)
    capture = Capture()
    logging.getLogger().addHandler(capture)
    logging.getLogger().setLevel(logging.INFO)
    started = time.monotonic()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            asyncio.run(body(report))
        except BaseException as e:  # noqa: BLE001 - a crash is reported, not raised
            leaves = list(_leaves(e))
            first = "; ".join(f"{type(x).__name__}: {x}" for x in leaves)
            report.problem(f"crashed: {excerpt(first, 800)}\n{traceback.format_exc()[-2500:]}")
    for w in caught:
        text = f"warning {w.category.__name__}: {w.message}"
        # Deprecations inside the frameworks' own imports, and their unclosed streams at exit, are
        # theirs, not ours: shown, not failed.
        if issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning, ResourceWarning)) or any(s in text for s in ignore_warnings):
            report.facts.setdefault("ignored_warnings", []).append(excerpt(text, 200))
        else:
            report.problem(f"{text} ({w.filename}:{w.lineno})")
    for rec in capture.records:
        if any(s in rec for s in ignore_warnings):
            report.facts.setdefault("ignored_warnings", []).append(excerpt(rec, 200))
        else:
            report.problem(rec)
    report.facts["seconds"] = round(time.monotonic() - started, 1)
    out = {"framework": framework, "ok": not report.problems, "problems": report.problems, **report.facts, "steps": report.steps}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
    sys.exit(0 if not report.problems else 1)
