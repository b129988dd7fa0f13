"""A real OTLP/HTTP trace receiver for the tests: it decodes what an exporter sends with the
OpenTelemetry project's own protobuf classes (PyPI `opentelemetry-proto`, pinned in
`__test__/peers/requirements.txt`) and prints one JSON line per request on stdout:
`{"path", "contentType", "headers", "spans": [...]}` (or `{"error": ...}` for a body that does not
decode). Listens on 127.0.0.1 (port 0: the OS picks) and prints `listening <port>` first.
Started and read by `helpers/otlp.mjs`."""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

KINDS = {0: "UNSPECIFIED", 1: "INTERNAL", 2: "SERVER", 3: "CLIENT", 4: "PRODUCER", 5: "CONSUMER"}
STATUS = {0: "UNSET", 1: "OK", 2: "ERROR"}


def value(v):
    which = v.WhichOneof("value")
    if which is None:
        return None
    if which == "array_value":
        return [value(x) for x in v.array_value.values]
    if which == "kvlist_value":
        return attrs(v.kvlist_value.values)
    if which == "bytes_value":
        return v.bytes_value.hex()
    return getattr(v, which)


def attrs(kvs):
    return {kv.key: value(kv.value) for kv in kvs}


def span(resource, scope, s):
    return {
        "resource": resource,
        "scope": {"name": scope.name, "version": scope.version},
        "traceId": s.trace_id.hex(),
        "spanId": s.span_id.hex(),
        "parentSpanId": s.parent_span_id.hex(),
        "traceState": s.trace_state,
        "name": s.name,
        "kind": KINDS.get(s.kind, str(s.kind)),
        "attributes": attrs(s.attributes),
        "status": {"code": STATUS.get(s.status.code, str(s.status.code)), "message": s.status.message},
        "links": [{"traceId": l.trace_id.hex(), "spanId": l.span_id.hex()} for l in s.links],
        "events": [e.name for e in s.events],
        "durationNs": s.end_time_unix_nano - s.start_time_unix_nano,
    }


def emit(record):
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        record = {
            "path": self.path,
            "contentType": self.headers.get("Content-Type"),
            "headers": {k.lower(): v for k, v in self.headers.items()},
        }
        try:
            request = trace_service_pb2.ExportTraceServiceRequest.FromString(body)
        except Exception as e:  # noqa: BLE001 - any decode failure is the finding
            record["error"] = f"not an ExportTraceServiceRequest: {e}"
            emit(record)
            self.send_response(400)
            self.end_headers()
            return
        spans = []
        for rs in request.resource_spans:
            resource = attrs(rs.resource.attributes)
            for ss in rs.scope_spans:
                spans.extend(span(resource, ss.scope, s) for s in ss.spans)
        record["spans"] = spans
        emit(record)
        answer = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
emit_port = f"listening {server.server_address[1]}\n"
sys.stdout.write(emit_port)
sys.stdout.flush()
try:
    server.serve_forever()
except KeyboardInterrupt:
    pass
