// Hosted mode for many tenants on many replicas: tasks bound to their caller and readable on any
// replica behind a round-robin proxy, scope-aware tools/list and the 403 insufficient_scope
// challenge, hosted schemas and messages, per-request narrowing (X-MCP-* headers, /mcp/readonly),
// the cap on a held request, and progress streamed to clients that ask for it.
import { after, afterEach, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { startFakeUpstream } from './helpers/fake-upstream.mjs'
import { METADATA_URL, RESOURCE, activeToken, connectHttp, roundRobin, startHosted } from './helpers/http-server.mjs'
import { text, waitFor } from './helpers/mcp.mjs'

const KEY = 'test-task-signing-key-0123456789abcdef'
const ALL = ['estimate_job', 'submit_job', 'upload_job_input', 'list_job_inputs', 'list_jobs', 'get_job', 'get_job_events', 'get_job_logs', 'cancel_job', 'list_artifacts', 'get_artifact', 'wait_for_job']
const READ = ['estimate_job', 'list_job_inputs', 'list_jobs', 'get_job', 'get_job_events', 'get_job_logs', 'list_artifacts', 'get_artifact', 'wait_for_job']
// What each seed scope may list (seed scopes + jobs:write, contract Part A.5).
const BY_SCOPE = {
  'jobs:estimate': ['estimate_job'],
  'jobs:submit': ['submit_job', 'upload_job_input', 'cancel_job'],
  'jobs:read': READ,
  'logs:read': ['get_job_logs'],
  'jobs:write': ALL,
}
// The scope a challenge names for each tool (the first of those that allow it).
const NEEDED = { estimate_job: 'jobs:estimate', submit_job: 'jobs:submit', upload_job_input: 'jobs:submit', cancel_job: 'jobs:submit', get_job_logs: 'logs:read' }
const ARGS = {
  estimate_job: { workload_type: 'batch' }, submit_job: { name: 'n', workload_type: 'batch', image: 'i' }, upload_job_input: { filename: 'a.txt' },
  list_job_inputs: {}, list_jobs: {}, get_job: { job_id: 'j' }, get_job_events: { job_id: 'j' }, get_job_logs: { job_id: 'j' }, cancel_job: { job_id: 'j' },
  list_artifacts: { job_id: 'j' }, get_artifact: { job_id: 'j', artifact_id: 'a' }, wait_for_job: { job_id: 'j' },
}

/** Tokens `tok:<user>:<workspace>:<scopes, + for space>` are active for that user and workspace. */
function tenants(upstream) {
  upstream.introspection = (token) => {
    const m = /^tok:([^:]+):([^:]+):(.*)$/.exec(token || '')
    return m ? activeToken(m[3].replaceAll('+', ' '), { sub: m[1], workspace_id: m[2] }) : { status: 200, body: { active: false } }
  }
  upstream.acceptToken = (h) => typeof h === 'string' && h.startsWith('Bearer tok:')
}
const ALICE = 'tok:alice:wsp_1:jobs:read'
const BOB = 'tok:bob:wsp_1:jobs:read+jobs:write'
const ALICE_ELSEWHERE = 'tok:alice:wsp_2:jobs:read'

/** The messages of a JSON or SSE response body. */
function messages(res, body) {
  if ((res.headers.get('content-type') || '').includes('text/event-stream')) {
    return body.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).filter(Boolean).map((l) => JSON.parse(l))
  }
  return body ? [JSON.parse(body)] : []
}

// Per-request metadata of 2026-07-28, declaring the Tasks extension (no SDK client speaks it yet).
const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'hosted-tenants', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } },
}
let nextId = 1
/**
 * One raw JSON-RPC request over HTTP; `reply` is the response message. `modern` (default): protocol
 * 2026-07-28 with per-request metadata declaring the Tasks extension; else 2025-06-18, as sent.
 */
async function rpc(url, token, method, params = {}, { path = '/mcp', headers = {}, modern = true } = {}) {
  const h = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': modern ? '2026-07-28' : '2025-06-18' }
  if (modern) {
    h['mcp-method'] = method
    // SEP-2243 standard headers: the tool name, or the task id.
    if (method === 'tools/call') h['mcp-name'] = params.name
    if (method.startsWith('tasks/')) h['mcp-name'] = params.taskId
  }
  if (token) h.authorization = `Bearer ${token}`
  const id = nextId++
  const body = JSON.stringify({ jsonrpc: '2.0', id, method, params: modern ? { _meta: META, ...params } : params })
  const res = await fetch(url + path, { method: 'POST', headers: { ...h, ...headers }, body })
  const text = await res.text()
  let all = []
  try {
    all = messages(res, text)
  } catch {}
  return { res, body: text, all, reply: all.find((m) => m.id === id) }
}

/** A raw 2025-06-18 request (no tasks). */
const rpc2025 = (url, token, method, params, options = {}) => rpc(url, token, method, params, { ...options, modern: false })

/** Runs `fn(client)` with the v1 SDK connected over HTTP with `token`, then closes it. */
async function withClient(url, token, fn) {
  const s = await connectHttp(url, token)
  try {
    return await fn(s.client)
  } finally {
    await s.close()
  }
}

async function listNames(url, token, { path = '/mcp', headers = {} } = {}) {
  const { res, reply, body } = await rpc2025(url, token, 'tools/list', {}, { path, headers })
  assert.equal(res.status, 200, body)
  return reply.result.tools.map((t) => t.name)
}

let upstream
before(async () => {
  upstream = await startFakeUpstream()
})
after(() => upstream.stop())
afterEach(() => upstream.reset())

const jobGets = () => upstream.apiRequests().filter((r) => r.route === 'job')

describe('tasks belong to their caller and survive any replica', () => {
  let a
  let b
  let lb
  before(async () => {
    a = await startHosted(upstream, { JUNGLE_GRID_TASK_SIGNING_KEY: KEY })
    b = await startHosted(upstream, { JUNGLE_GRID_TASK_SIGNING_KEY: KEY })
    lb = await roundRobin([a.url, b.url])
  })
  after(async () => {
    await lb.close()
    await a.stop()
    await b.stop()
  })

  /** tasks/get through the balancer; which replica answered. */
  async function getVia(token, taskId) {
    const before = [...lb.hits]
    const r = await rpc(lb.url, token, 'tasks/get', { taskId })
    return { ...r, replica: lb.hits.findIndex((h, i) => h !== before[i]) }
  }

  test('a task created on one replica is read to its end on the other; another user is refused on both', async () => {
    tenants(upstream)
    let done = false
    upstream.jobResponder = (id) => ({ job_id: id, status: done ? 'completed' : 'running', execution_phase: done ? 'done' : 'executing' })
    const created = await rpc(lb.url, ALICE, 'tools/call', { name: 'wait_for_job', arguments: { job_id: 'job_rr', log_lines: 0 } })
    assert.equal(created.res.status, 200, created.body)
    assert.equal(created.reply.result.resultType, 'task')
    assert.equal(created.reply.result.status, 'working')
    const { taskId } = created.reply.result
    assert.equal(jobGets().length, 0, 'creating a task starts no work')
    const replicas = new Set()
    for (let i = 0; i < 2; i++) {
      const got = await getVia(ALICE, taskId)
      replicas.add(got.replica)
      assert.equal(got.reply.result.status, 'working', got.body)
      assert.equal(got.reply.result.statusMessage, 'status=running phase=executing elapsed=' + /elapsed=(\d+)s/.exec(got.reply.result.statusMessage)[1] + 's')
    }
    assert.deepEqual([...replicas].sort(), [0, 1], 'both replicas answered')
    assert.equal(jobGets().length, 2, 'one API read per tasks/get')
    assert.ok(jobGets().every((r) => r.headers.authorization === `Bearer ${ALICE}`), "each read uses the caller's own token")

    // Another user (same workspace), or the same subject in another workspace, on both replicas.
    const garbage = await rpc(a.url, BOB, 'tasks/get', { taskId: 'jgt1.e30.AAAA' })
    assert.deepEqual(garbage.reply.error, { code: -32602, message: 'unknown task: jgt1.e30.AAAA' })
    const reads = jobGets().length
    for (const intruder of [BOB, ALICE_ELSEWHERE]) {
      for (const url of [a.url, b.url]) {
        for (const method of ['tasks/get', 'tasks/cancel']) {
          const r = await rpc(url, intruder, method, { taskId })
          assert.deepEqual(r.reply.error, { code: -32602, message: `unknown task: ${taskId}` }, `${method} by ${intruder} on ${url}`)
        }
      }
    }
    assert.equal(jobGets().length, reads, 'refused callers cause no API call')

    done = true
    for (let i = 0; i < 2; i++) {
      const got = await getVia(ALICE, taskId)
      assert.equal(got.reply.result.status, 'completed', got.body)
      assert.match(got.reply.result.result.content[0].text, /^Job job_rr is completed after \d+s\./)
      assert.equal(got.reply.result.result.structuredContent.data.job.status, 'completed')
      assert.equal(got.reply.result.result.structuredContent.data.timed_out, false)
    }
    // The owner may cancel (acknowledged: the wait holds no server-side work).
    const cancel = await rpc(lb.url, ALICE, 'tasks/cancel', { taskId })
    assert.equal(cancel.reply.error, undefined, cancel.body)
  })

  test('a task past its deadline completes as a timed-out wait', async () => {
    tenants(upstream)
    upstream.jobResponder = (id) => ({ job_id: id, status: 'running' })
    const created = await rpc(lb.url, ALICE, 'tools/call', { name: 'wait_for_job', arguments: { job_id: 'job_slow', timeout_seconds: 1 } })
    const { taskId } = created.reply.result
    const task = await waitFor(async () => {
      const t = (await getVia(ALICE, taskId)).reply.result
      return t.status !== 'working' && t
    }, { everyMs: 100, what: 'the task to end' })
    assert.equal(task.status, 'completed')
    assert.equal(task.result.structuredContent.data.timed_out, true)
    assert.match(task.result.content[0].text, /still running after \d+s; the wait timed out\. Call wait_for_job again/)
  })

  test('a job that does not exist ends the task with the tool error', async () => {
    tenants(upstream)
    upstream.override('job', { status: 404, body: { ok: false, error: { code: 'NOT_FOUND', message: 'job not found' } } })
    const created = await rpc(lb.url, ALICE, 'tools/call', { name: 'wait_for_job', arguments: { job_id: 'job_missing' } })
    const got = await getVia(ALICE, created.reply.result.taskId)
    assert.equal(got.reply.result.status, 'completed')
    assert.equal(got.reply.result.result.isError, true)
    assert.equal(got.reply.result.result.content[0].text, 'wait_for_job failed: NOT_FOUND: job not found')
  })

  test('bad wait arguments are answered at once, not as a task', async () => {
    tenants(upstream)
    const r = await rpc(lb.url, ALICE, 'tools/call', { name: 'wait_for_job', arguments: { job_id: 'j', timeout_seconds: -1 } })
    assert.equal(r.reply.result.isError, true)
    assert.equal(r.reply.result.content[0].text, 'wait_for_job failed: timeout_seconds must be greater than 0.')
  })

  test('without a shared key, a task is readable only on the replica that made it, and start-up says so', async () => {
    tenants(upstream)
    upstream.jobResponder = (id) => ({ job_id: id, status: 'running' })
    const c = await startHosted(upstream)
    const d = await startHosted(upstream)
    try {
      assert.match(c.stderr(), /JUNGLE_GRID_TASK_SIGNING_KEY is not set: .*this instance only/)
      assert.equal(c.stderr().match(/JUNGLE_GRID_TASK_SIGNING_KEY is not set/g).length, 1)
      const created = await rpc(c.url, ALICE, 'tools/call', { name: 'wait_for_job', arguments: { job_id: 'job_one' } })
      const { taskId } = created.reply.result
      assert.equal((await rpc(c.url, ALICE, 'tasks/get', { taskId })).reply.result.status, 'working')
      assert.deepEqual((await rpc(d.url, ALICE, 'tasks/get', { taskId })).reply.error, { code: -32602, message: `unknown task: ${taskId}` })
      assert.deepEqual((await rpc(a.url, ALICE, 'tasks/get', { taskId })).reply.error, { code: -32602, message: `unknown task: ${taskId}` })
    } finally {
      await c.stop()
      await d.stop()
    }
  })
})

describe('scope-aware tools', () => {
  let hosted
  before(async () => {
    hosted = await startHosted(upstream)
  })
  after(() => hosted.stop())

  for (const [scope, expected] of Object.entries(BY_SCOPE)) {
    test(`tools/list for a ${scope} token lists only what it may call`, async () => {
      tenants(upstream)
      const { tools } = await withClient(hosted.url, `tok:u:w:${scope}`, (client) => client.listTools())
      assert.deepEqual(tools.map((t) => t.name), expected)
    })
  }

  test('a call without the scope is a 403 insufficient_scope challenge naming it; no API call', async () => {
    tenants(upstream)
    for (const [scope, allowed] of Object.entries(BY_SCOPE)) {
      for (const tool of ALL.filter((t) => !allowed.includes(t))) {
        const needed = NEEDED[tool] ?? 'jobs:read'
        const { res, body } = await rpc2025(hosted.url, `tok:u:w:${scope}`, 'tools/call', { name: tool, arguments: ARGS[tool] })
        assert.equal(res.status, 403, `${tool} with ${scope}`)
        assert.equal(
          res.headers.get('www-authenticate'),
          `Bearer error="insufficient_scope", scope="${needed}", resource_metadata="${METADATA_URL}", error_description="${tool} needs the ${needed} scope"`,
        )
        const json = JSON.parse(body)
        assert.equal(json.error.code, 'INSUFFICIENT_SCOPE')
        assert.match(json.error.message, new RegExp(`^${tool} needs one of these OAuth scopes: .*${needed}.*; this token has: ${scope}\\.$`))
      }
    }
    assert.equal(upstream.apiRequests().length, 0)
  })

  test('the official client sees the 403 as an error it can step up from', async () => {
    tenants(upstream)
    await withClient(hosted.url, 'tok:u:w:jobs:read', async (client) => {
      await assert.rejects(client.callTool({ name: 'submit_job', arguments: ARGS.submit_job }), (e) => e.code === 403 && e.message.includes('INSUFFICIENT_SCOPE'))
      const ok = await client.callTool({ name: 'get_job', arguments: { job_id: 'job_123' } })
      assert.equal(ok.isError, false, 'the session goes on after the challenge')
    })
  })

  test('hosted schemas leave out the local-only fields', async () => {
    tenants(upstream)
    const { tools } = await withClient(hosted.url, 'tok:u:w:jobs:write', (client) => client.listTools())
    const props = (name) => Object.keys(tools.find((t) => t.name === name).inputSchema.properties)
    assert.deepEqual(props('upload_job_input'), ['filename', 'content_type', 'kind', 'idempotency_key'])
    assert.deepEqual(props('get_artifact'), ['job_id', 'artifact_id'])
    for (const t of tools) {
      for (const field of ['path', 'content', 'save_to', 'overwrite']) {
        assert.ok(!(field in t.inputSchema.properties), `${t.name}.${field}`)
      }
    }
  })

  test('hosted refusals of local-only fields say what to do instead, never to use a local file', async () => {
    tenants(upstream)
    await withClient(hosted.url, 'tok:u:w:jobs:write', async (client) => {
      for (const [name, args] of [
        ['upload_job_input', { filename: 'a.txt', content: 'x' }],
        ['upload_job_input', { filename: 'a.txt', path: 'relative/file' }],
        ['get_artifact', { job_id: 'j', artifact_id: 'a', save_to: 'not/absolute' }],
        ['get_artifact', { job_id: 'j', artifact_id: 'a', overwrite: true }],
      ]) {
        const r = await client.callTool({ name, arguments: args })
        assert.equal(r.isError, true)
        const message = text(r)
        assert.match(message, name === 'get_artifact' ? /download the file from the download_url/ : /PUT the bytes to upload_url/)
        assert.doesNotMatch(message, /absolute path|write it to a file|pass path|upload the bytes to upload_url yourself/)
      }
    })
    assert.equal(upstream.apiRequests().length, 0)
  })
})

describe('per-request configuration: headers and URL forms narrow, never widen', () => {
  let hosted
  let readOnlyServer
  before(async () => {
    hosted = await startHosted(upstream)
    readOnlyServer = await startHosted(upstream, { JUNGLE_GRID_READ_ONLY: 'true' })
  })
  after(async () => {
    await hosted.stop()
    await readOnlyServer.stop()
  })
  const WRITE = 'tok:u:w:jobs:write'

  for (const value of ['true', ' TRUE ', '1', 'yes', 'on']) {
    test(`X-MCP-Readonly: ${JSON.stringify(value)} lists read-only tools`, async () => {
      tenants(upstream)
      assert.deepEqual(await listNames(hosted.url, WRITE, { headers: { 'x-mcp-readonly': value } }), READ)
    })
  }
  for (const value of ['false', '0', 'no', 'off', '']) {
    test(`X-MCP-Readonly: ${JSON.stringify(value)} changes nothing`, async () => {
      tenants(upstream)
      assert.deepEqual(await listNames(hosted.url, WRITE, { headers: { 'x-mcp-readonly': value } }), ALL)
    })
  }

  test('X-MCP-Tools keeps only the named tools (trimmed, empty items skipped), in server order', async () => {
    tenants(upstream)
    assert.deepEqual(await listNames(hosted.url, WRITE, { headers: { 'x-mcp-tools': ' list_jobs ,get_job,, ' } }), ['list_jobs', 'get_job'])
  })

  test('X-MCP-Exclude-Tools removes the named tools', async () => {
    tenants(upstream)
    assert.deepEqual(await listNames(hosted.url, WRITE, { headers: { 'x-mcp-exclude-tools': 'submit_job,cancel_job' } }), ALL.filter((t) => t !== 'submit_job' && t !== 'cancel_job'))
  })

  test('headers combine: read-only, then the tool list, then exclusions; scopes still apply', async () => {
    tenants(upstream)
    const headers = { 'x-mcp-readonly': '1', 'x-mcp-tools': 'get_job,submit_job,get_job_logs,list_jobs', 'x-mcp-exclude-tools': 'list_jobs' }
    assert.deepEqual(await listNames(hosted.url, WRITE, { headers }), ['get_job', 'get_job_logs'])
    assert.deepEqual(await listNames(hosted.url, 'tok:u:w:logs:read', { headers }), ['get_job_logs'])
  })

  for (const [header, value, message] of [
    ['x-mcp-readonly', 'maybe', 'X-MCP-Readonly must be true or false (1/0, yes/no, on/off).'],
    ['x-mcp-tools', 'get_job,drop_tables', 'X-MCP-Tools names an unknown tool: "drop_tables". Known tools: ' + ALL.join(', ') + '.'],
    ['x-mcp-exclude-tools', 'nope', 'X-MCP-Exclude-Tools names an unknown tool: "nope". Known tools: ' + ALL.join(', ') + '.'],
  ]) {
    test(`${header}: ${value} is a 400 naming the header`, async () => {
      tenants(upstream)
      const { res, body } = await rpc2025(hosted.url, WRITE, 'tools/list', {}, { headers: { [header]: value } })
      assert.equal(res.status, 400)
      assert.deepEqual(JSON.parse(body), { error: { code: 'INVALID_HEADER', message } })
    })
  }

  test('a tool narrowed away cannot be called: a clear error, no API call', async () => {
    tenants(upstream)
    const { reply } = await rpc2025(hosted.url, WRITE, 'tools/call', { name: 'submit_job', arguments: ARGS.submit_job }, { headers: { 'x-mcp-readonly': 'true' } })
    assert.equal(reply.error.code, -32602)
    assert.match(reply.error.message, /^Tool submit_job is not available on this connection: it was narrowed by the URL/)
    assert.equal(upstream.apiRequests().length, 0)
  })

  test('/mcp/readonly through the official client: read tools only, and a false header does not undo it', async () => {
    tenants(upstream)
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js')
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js')
    const transport = new StreamableHTTPClientTransport(new URL(`${hosted.url}/mcp/readonly`), { requestInit: { headers: { Authorization: `Bearer ${WRITE}`, 'X-MCP-Readonly': 'false' } } })
    const client = new Client({ name: 'readonly-url', version: '1' })
    await client.connect(transport)
    try {
      const { tools } = await client.listTools()
      assert.deepEqual(tools.map((t) => t.name), READ)
      await assert.rejects(client.callTool({ name: 'cancel_job', arguments: { job_id: 'j' } }), /not available on this connection/)
      const r = await client.callTool({ name: 'get_job', arguments: { job_id: 'job_123' } })
      assert.equal(r.isError, false)
    } finally {
      await client.close()
    }
  })

  test('/mcp/readonly: its own 401 challenge and protected-resource metadata', async () => {
    const res = await fetch(`${hosted.url}/mcp/readonly`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    assert.equal(res.status, 401)
    assert.equal(res.headers.get('www-authenticate'), `Bearer resource_metadata="${METADATA_URL}/mcp/readonly"`)
    const meta = await fetch(`${hosted.url}/.well-known/oauth-protected-resource/mcp/readonly`)
    assert.equal(meta.status, 200)
    assert.equal((await meta.json()).resource, RESOURCE)
    // /mcp keeps the configured URL.
    const plain = await fetch(`${hosted.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    assert.equal(plain.headers.get('www-authenticate'), `Bearer resource_metadata="${METADATA_URL}"`)
  })

  test('/mcp/readonly: the scope challenge names its own metadata URL', async () => {
    tenants(upstream)
    const { res } = await rpc2025(hosted.url, 'tok:u:w:jobs:estimate', 'tools/call', { name: 'get_job', arguments: { job_id: 'j' } }, { path: '/mcp/readonly' })
    assert.equal(res.status, 403)
    assert.match(res.headers.get('www-authenticate'), new RegExp(`resource_metadata="${METADATA_URL}/mcp/readonly"`))
  })

  test('the server flags are the upper bound: no header widens a read-only server', async () => {
    tenants(upstream)
    assert.deepEqual(await listNames(readOnlyServer.url, WRITE), READ)
    assert.deepEqual(await listNames(readOnlyServer.url, WRITE, { headers: { 'x-mcp-readonly': 'false', 'x-mcp-tools': 'submit_job,get_job' } }), ['get_job'])
    const { reply } = await rpc2025(readOnlyServer.url, WRITE, 'tools/call', { name: 'submit_job', arguments: ARGS.submit_job }, { headers: { 'x-mcp-tools': 'submit_job' } })
    assert.equal(reply.error.code, -32602)
    assert.match(reply.error.message, /restricted tool set/)
    assert.equal(upstream.apiRequests().length, 0)
  })
})

describe('held requests are bounded and progress streams to clients that ask', () => {
  let hosted
  before(async () => {
    hosted = await startHosted(upstream, { JUNGLE_GRID_MAX_WAIT_SECONDS: '1' })
  })
  after(() => hosted.stop())

  test('a wait longer than the cap returns as a normal, capped result', async () => {
    tenants(upstream)
    upstream.jobResponder = (id) => ({ job_id: id, status: 'running' })
    const { res, reply } = await rpc2025(hosted.url, ALICE, 'tools/call', { name: 'wait_for_job', arguments: { job_id: 'job_long', timeout_seconds: 1800, poll_interval_seconds: 0.2 } })
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-type'), 'application/json', 'no progress token: plain JSON')
    const r = reply.result
    assert.equal(r.isError, false)
    assert.equal(r.structuredContent.data.timed_out, true)
    assert.equal(r.structuredContent.data.capped, true)
    assert.equal(r.structuredContent.data.wait_limit_seconds, 1)
    assert.match(r.content[0].text, /still running after \d+s; the wait timed out \(capped at this server's limit of 1s per call\)\. Call wait_for_job again to keep waiting\./)
  })

  test('with a progress token the response is a stream: progress first, then the result', async () => {
    tenants(upstream)
    let n = 0
    upstream.jobResponder = (id) => ({ job_id: id, status: n++ < 2 ? 'running' : 'completed', execution_phase: 'executing' })
    const { res, all } = await rpc2025(hosted.url, ALICE, 'tools/call', { name: 'wait_for_job', arguments: { job_id: 'job_p', poll_interval_seconds: 0.1, log_lines: 0 }, _meta: { progressToken: 'p-1' } })
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type'), /^text\/event-stream/)
    const progress = all.filter((m) => m.method === 'notifications/progress')
    assert.ok(progress.length >= 1, JSON.stringify(all))
    assert.ok(progress.every((p) => p.params.progressToken === 'p-1'))
    assert.match(progress[0].params.message, /^status=running phase=executing elapsed=\d+s$/)
    const last = all.at(-1)
    assert.equal(last.result.structuredContent.data.job.status, 'completed')
    assert.ok(all.indexOf(progress.at(-1)) < all.length - 1, 'progress arrives before the result')
  })

  test('a short call without a progress token stays plain JSON', async () => {
    tenants(upstream)
    const { res, reply } = await rpc2025(hosted.url, ALICE, 'tools/call', { name: 'get_job', arguments: { job_id: 'job_123' } })
    assert.equal(res.headers.get('content-type'), 'application/json')
    assert.equal(reply.result.structuredContent.data.job_id, 'job_123')
  })
})
