// OpenTelemetry traces end to end: a client's trace context (in `params._meta`, MCP SEP-414, or
// in the hosted request's `traceparent` header) becomes the parent of our MCP server span; our
// API-call span is its child and its context reaches the Jungle Grid API in `traceparent`; the
// spans reach a real OTLP/HTTP receiver (helpers/otlp.mjs, decoding the protobuf with the
// OpenTelemetry project's own classes) before the process exits. With no OTEL_* variable set,
// nothing is recorded, nothing is sent and stderr stays quiet.
import { after, before, beforeEach, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { API_KEY, closedPort, startFakeUpstream } from './helpers/fake-upstream.mjs'
import { activeToken, connectV2, post, runBin, hostEnv, spawnRaw, startHosted, text } from './helpers/mcp.mjs'
import { otlpMissing, startOtlpReceiver } from './helpers/otlp.mjs'
import { needsSetup } from './helpers/setup.mjs'

const skip = needsSetup(otlpMissing())

/** A fresh client trace context: { traceId, spanId, traceparent }. */
function clientTrace() {
  const traceId = randomBytes(16).toString('hex')
  const spanId = randomBytes(8).toString('hex')
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` }
}

/** `00-<trace>-<span>-<flags>` -> { traceId, spanId }. */
function parseTraceparent(value) {
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(value ?? '')
  assert.ok(m, `not a W3C traceparent: ${value}`)
  return { traceId: m[1], spanId: m[2] }
}

const inTrace = (traceId) => (spans) => spans.filter((s) => s.traceId === traceId)

/**
 * The server span of `name` and its API-call children in `traceId`, once both have arrived; checks
 * the links every test relies on: the API span is the server span's child, and the API request
 * carried the API span's context.
 */
async function serverAndApiSpans(otlp, api, traceId, name) {
  const spans = await otlp.waitForSpans(
    (all) => inTrace(traceId)(all).some((s) => s.name === name) && inTrace(traceId)(all).some((s) => s.kind === 'CLIENT'),
    `a "${name}" span and an API span in trace ${traceId}`,
  )
  const mine = inTrace(traceId)(spans)
  const server = mine.find((s) => s.name === name)
  const clients = mine.filter((s) => s.kind === 'CLIENT')
  for (const c of clients) assert.equal(c.parentSpanId, server.spanId, 'the API span is a child of the MCP span')
  const sent = api.apiRequests().map((r) => r.headers.traceparent).filter(Boolean).map(parseTraceparent)
  const ours = sent.filter((t) => t.traceId === traceId)
  assert.ok(ours.length > 0, `the API received a traceparent in trace ${traceId}: ${JSON.stringify(sent)}`)
  for (const t of ours) {
    assert.ok(clients.some((c) => c.spanId === t.spanId), `the API request's parent ${t.spanId} is one of our exported API spans`)
  }
  return { server, clients, spans }
}

/** No credential, query string or signed URL in anything exported. */
function assertNoSecrets(otlp) {
  const exported = JSON.stringify(otlp.requests)
  for (const secret of [API_KEY, 'SECRET', 'tok-reader', 'limit=']) assert.ok(!exported.includes(secret), `exported spans contain ${secret}`)
}

describe('traces on stdio', { skip }, () => {
  let api, otlp
  before(async () => {
    api = await startFakeUpstream()
    otlp = await startOtlpReceiver()
  })
  after(async () => {
    await otlp?.stop()
    await api?.stop()
  })
  beforeEach(() => {
    api.reset()
    otlp.reset()
  })
  const env = () => ({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_SERVICE_NAME: 'mcp-under-test' })

  test('a 2025 client: _meta.traceparent parents the tools/call span, whose API call carries the trace; flushed at exit', async () => {
    const trace = clientTrace()
    const mcp = spawnRaw(api, { env: env() })
    await mcp.initialize('2025-06-18')
    const reply = await mcp.request('tools/call', {
      name: 'get_job',
      arguments: { job_id: 'job_123' },
      _meta: { traceparent: trace.traceparent, tracestate: 'vendor=abc', baggage: 'user=alice' },
    }, 'call-7')
    assert.notEqual(reply.result.isError, true, JSON.stringify(reply))
    // Spans are batched: only the exit (stdin closed) flushes them.
    assert.equal((await mcp.end()).code, 0)
    const { server, clients } = await serverAndApiSpans(otlp, api, trace.traceId, 'tools/call get_job')
    assert.equal(server.kind, 'SERVER')
    assert.equal(server.parentSpanId, trace.spanId, 'the client span is the parent')
    assert.equal(server.traceState, 'vendor=abc')
    assert.deepEqual(
      {
        method: server.attributes['mcp.method.name'],
        tool: server.attributes['gen_ai.tool.name'],
        op: server.attributes['gen_ai.operation.name'],
        id: server.attributes['jsonrpc.request.id'],
        version: server.attributes['mcp.protocol.version'],
        transport: server.attributes['network.transport'],
      },
      { method: 'tools/call', tool: 'get_job', op: 'execute_tool', id: 'call-7', version: '2025-06-18', transport: 'pipe' },
    )
    assert.ok(!('mcp.session.id' in server.attributes), 'no session on stdio')
    assert.ok(!('error.type' in server.attributes))
    assert.equal(server.status.code, 'UNSET')
    assert.equal(server.resource['service.name'], 'mcp-under-test')
    assert.equal(typeof server.resource['service.version'], 'string')
    const [call] = clients
    assert.equal(call.name, 'GET')
    assert.equal(call.attributes['http.request.method'], 'GET')
    assert.equal(call.attributes['http.response.status_code'], 200)
    assert.equal(call.attributes['url.full'], `${api.base}/v1/mcp/jobs/job_123`)
    assert.equal(call.attributes['server.address'], '127.0.0.1')
    // The initialize request has its own span (no client trace: a root).
    const init = otlp.spans().find((s) => s.name === 'initialize')
    assert.ok(init, 'initialize has a span')
    assert.equal(init.kind, 'SERVER')
    assert.equal(init.attributes['mcp.protocol.version'], '2025-06-18')
    // Baggage stays here: it is the client's data, not ours to send to the API.
    assert.ok(api.apiRequests().every((r) => r.headers.baggage === undefined))
    assert.equal(otlp.requests[0].path, '/v1/traces')
    assert.equal(otlp.requests[0].contentType, 'application/x-protobuf')
    assertNoSecrets(otlp)
    assert.equal(mcp.stderr(), '', 'nothing on stderr')
  })

  test('a tool error is error.type=tool_error; the API span names the status; a JSON-RPC error names its code', async () => {
    const trace = clientTrace()
    const other = clientTrace()
    api.override('job', { status: 404, json: { error: { code: 'NOT_FOUND', message: 'No such job.' } } })
    const mcp = spawnRaw(api, { env: env() })
    await mcp.initialize('2025-11-25')
    const reply = await mcp.request('tools/call', { name: 'get_job', arguments: { job_id: 'job_gone' }, _meta: { traceparent: trace.traceparent } })
    assert.equal(reply.result.isError, true)
    const unknown = await mcp.request('tools/call', { name: 'no_such_tool', arguments: {}, _meta: { traceparent: other.traceparent } })
    assert.equal(unknown.error.code, -32602)
    assert.equal((await mcp.end()).code, 0)
    const { server, clients } = await serverAndApiSpans(otlp, api, trace.traceId, 'tools/call get_job')
    assert.equal(server.attributes['error.type'], 'tool_error')
    assert.equal(server.status.code, 'ERROR')
    assert.equal(clients[0].attributes['http.response.status_code'], 404)
    assert.equal(clients[0].attributes['error.type'], '404')
    const failed = otlp.spans().find((s) => s.traceId === other.traceId)
    assert.ok(failed, 'the refused call has a span in its trace')
    // A name the client made up is an attribute, never the span name.
    assert.equal(failed.name, 'tools/call')
    assert.equal(failed.attributes['gen_ai.tool.name'], 'no_such_tool')
    assert.equal(failed.attributes['rpc.response.status_code'], '-32602')
    assert.equal(failed.attributes['error.type'], '-32602')
    assert.equal(failed.status.code, 'ERROR')
  })

  test('a 2026-07-28 client (SDK v2) with a traceparent in _meta', async () => {
    const trace = clientTrace()
    const mcp = await connectV2(api, { env: env() })
    const result = await mcp.client.callTool({ name: 'get_job', arguments: { job_id: 'job_123' }, _meta: { traceparent: trace.traceparent } })
    assert.match(text(result), /job_123/)
    await mcp.close()
    const { server } = await serverAndApiSpans(otlp, api, trace.traceId, 'tools/call get_job')
    assert.equal(server.parentSpanId, trace.spanId)
    assert.equal(server.attributes['mcp.protocol.version'], '2026-07-28')
    assert.ok(!('mcp.session.id' in server.attributes), 'no session under 2026-07-28')
  })

  test('no trace from the client: the server span is a root and the API still gets its trace', async () => {
    const mcp = spawnRaw(api, { env: env() })
    await mcp.initialize()
    await mcp.request('tools/call', { name: 'list_jobs', arguments: {} })
    assert.equal((await mcp.end()).code, 0)
    const spans = await otlp.waitForSpans((all) => all.some((s) => s.name === 'tools/call list_jobs'))
    const server = spans.find((s) => s.name === 'tools/call list_jobs')
    assert.equal(server.parentSpanId, '')
    await serverAndApiSpans(otlp, api, server.traceId, 'tools/call list_jobs')
  })
})

describe('an unreachable collector', () => {
  let api
  before(async () => {
    api = await startFakeUpstream()
  })
  after(() => api.stop())

  test('one warning naming its host, calls unaffected, exit 0', async () => {
    const port = await closedPort()
    const mcp = spawnRaw(api, { env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}/otlp?token=hunter2`, OTEL_BSP_SCHEDULE_DELAY: '10' } })
    await mcp.initialize()
    for (let i = 0; i < 3; i++) {
      const reply = await mcp.request('tools/call', { name: 'get_job', arguments: { job_id: 'job_123' } })
      assert.notEqual(reply.result.isError, true)
    }
    assert.equal((await mcp.end()).code, 0)
    const lines = mcp.stderr().split('\n').filter(Boolean)
    assert.equal(lines.length, 1, mcp.stderr())
    assert.match(lines[0], /OpenTelemetry: exporting spans to 127\.0\.0\.1 failed \(could not connect\); spans are dropped/)
    assert.ok(!mcp.stderr().includes('hunter2'))
  })
})

describe('traces hosted', { skip }, () => {
  let api, otlp, server
  before(async () => {
    api = await startFakeUpstream()
    otlp = await startOtlpReceiver()
    server = await startHosted(api, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${otlp.url}/custom/traces`, OTEL_BSP_SCHEDULE_DELAY: '50' })
  })
  after(async () => {
    await server?.stop()
    await otlp?.stop()
    await api?.stop()
  })
  beforeEach(() => {
    api.reset()
    otlp.reset()
    api.introspection = (token) => (token === 'tok-reader' ? activeToken('jobs:read') : { status: 200, body: { active: false } })
    api.acceptToken = (h) => h === 'Bearer tok-reader'
  })
  const call = (id, params, headers = {}) =>
    post(server.url, { jsonrpc: '2.0', id, method: 'tools/call', params }, { authorization: 'Bearer tok-reader', ...headers })

  test('the HTTP traceparent header parents the span when _meta has none', async () => {
    const trace = clientTrace()
    const { res, json } = await call(3, { name: 'get_job', arguments: { job_id: 'job_123' } }, { traceparent: trace.traceparent })
    assert.equal(res.status, 200)
    assert.notEqual(json.result.isError, true, JSON.stringify(json))
    const { server: span, clients } = await serverAndApiSpans(otlp, api, trace.traceId, 'tools/call get_job')
    assert.equal(span.parentSpanId, trace.spanId)
    assert.equal(span.attributes['network.transport'], 'tcp')
    assert.equal(span.attributes['network.protocol.name'], 'http')
    assert.equal(span.attributes['jsonrpc.request.id'], '3')
    assert.equal(span.attributes['mcp.protocol.version'], '2025-06-18')
    assert.ok(!('mcp.session.id' in span.attributes), 'the hosted server is stateless')
    assert.equal(clients.length, 1)
    assert.equal(otlp.requests[0].path, '/custom/traces', 'the traces endpoint is used as given')
    assertNoSecrets(otlp)
  })

  test('_meta.traceparent wins over the header, which becomes a link', async () => {
    const meta = clientTrace()
    const header = clientTrace()
    const { res } = await call('m1', { name: 'get_job', arguments: { job_id: 'job_123' }, _meta: { traceparent: meta.traceparent } }, { traceparent: header.traceparent })
    assert.equal(res.status, 200)
    const { server: span } = await serverAndApiSpans(otlp, api, meta.traceId, 'tools/call get_job')
    assert.equal(span.parentSpanId, meta.spanId)
    assert.deepEqual(span.links, [{ traceId: header.traceId, spanId: header.spanId }])
    assert.ok(!otlp.spans().some((s) => s.traceId === header.traceId), 'nothing in the transport trace')
  })

  test('every request has its span: tools/list, which calls no API', async () => {
    const list = clientTrace()
    const { res } = await post(server.url, { jsonrpc: '2.0', id: 'l1', method: 'tools/list' }, { authorization: 'Bearer tok-reader', traceparent: list.traceparent })
    assert.equal(res.status, 200)
    const spans = await otlp.waitForSpans((all) => all.some((s) => s.traceId === list.traceId))
    const span = spans.find((s) => s.traceId === list.traceId)
    assert.deepEqual([span.name, span.kind, span.parentSpanId, span.attributes['mcp.method.name']], ['tools/list', 'SERVER', list.spanId, 'tools/list'])
    assert.ok(!('gen_ai.tool.name' in span.attributes))
  })

  test('a tool error hosted is error.type=tool_error', async () => {
    const trace = clientTrace()
    api.override('job', { status: 503, json: { error: { code: 'UPSTREAM_ERROR', message: 'Down.' } } }, 3)
    const { text: body } = await call(4, { name: 'get_job', arguments: { job_id: 'job_123' }, _meta: { traceparent: trace.traceparent } })
    // The retry notices stream first (SSE), then the result.
    const answer = body.split('\n').filter((l) => l.startsWith('data:')).map((l) => JSON.parse(l.slice(5))).find((m) => m.id === 4)
    assert.equal(answer.result.isError, true)
    const { server: span, clients } = await serverAndApiSpans(otlp, api, trace.traceId, 'tools/call get_job')
    assert.equal(span.attributes['error.type'], 'tool_error')
    assert.equal(span.status.code, 'ERROR')
    // Each retried attempt is its own API span, all children of the one MCP span.
    assert.equal(clients.length, 3)
    assert.ok(clients.every((c) => c.attributes['error.type'] === '503'))
  })
})

describe('traces off', () => {
  let api
  before(async () => {
    api = await startFakeUpstream()
  })
  after(() => api.stop())

  test('no OTEL_* variable: no traceparent reaches the API and stderr stays quiet', async () => {
    const trace = clientTrace()
    const mcp = spawnRaw(api)
    await mcp.initialize()
    const reply = await mcp.request('tools/call', { name: 'get_job', arguments: { job_id: 'job_123' }, _meta: { traceparent: trace.traceparent } })
    assert.notEqual(reply.result.isError, true)
    assert.equal((await mcp.end()).code, 0)
    assert.ok(api.apiRequests().length > 0)
    assert.ok(api.apiRequests().every((r) => r.headers.traceparent === undefined && r.headers.tracestate === undefined))
    assert.equal(mcp.stderr(), '')
  })

  test('an endpoint with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none exports nothing', { skip }, async () => {
    const otlp = await startOtlpReceiver()
    try {
      for (const off of [{ OTEL_SDK_DISABLED: 'true' }, { OTEL_TRACES_EXPORTER: 'none' }]) {
        api.reset()
        const mcp = spawnRaw(api, { env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, ...off } })
        await mcp.initialize()
        await mcp.request('tools/call', { name: 'get_job', arguments: { job_id: 'job_123' } })
        // The process has exited, so anything it would have exported was sent before.
        assert.equal((await mcp.end()).code, 0)
        assert.deepEqual(otlp.requests, [], JSON.stringify(off))
        assert.ok(api.apiRequests().every((r) => r.headers.traceparent === undefined))
        assert.equal(mcp.stderr(), '')
      }
    } finally {
      await otlp.stop()
    }
  })

  test('what the exporter cannot do stops the start, naming the variable and never its value', async () => {
    const cases = [
      [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf'],
      [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector.internal?token=hunter2' }, 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL.'],
      [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER must be otlp or none'],
    ]
    for (const [env, message] of cases) {
      const r = await runBin([], hostEnv(api, env))
      assert.equal(r.code, 1, r.stderr)
      assert.ok(r.stderr.includes(`Fatal: ${message}`), r.stderr)
      assert.ok(!r.stderr.includes('hunter2'))
      assert.equal(r.stdout, '')
    }
  })
})
