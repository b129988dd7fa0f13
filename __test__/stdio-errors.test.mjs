// Everything that can go wrong around a stdio session: bad arguments (answered before any API
// call), upstream faults, path injection, malformed JSON-RPC, process lifecycle, secrets, and
// calls in flight at the same time. The server must keep answering after each.
import { after, afterEach, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { API_KEY, SIGNATURE, UPLOAD_TOKEN, startFakeUpstream } from './helpers/fake-upstream.mjs'
import { PACKAGE, connectV1, spawnRaw, text } from './helpers/mcp.mjs'

let upstream
let mcp
before(async () => {
  upstream = await startFakeUpstream()
  mcp = await connectV1(upstream)
})
after(async () => {
  await mcp.close()
  await upstream.stop()
})
afterEach(() => upstream.reset())

const call = (name, args) => mcp.client.callTool({ name, arguments: args })

async function assertRefused(name, args, message) {
  const result = await call(name, args)
  assert.equal(result.isError, true, `${name} ${JSON.stringify(args)} should fail`)
  assert.equal(text(result), `${name} failed: ${message}`)
  assert.equal(result.structuredContent, undefined)
  assert.equal(upstream.apiRequests().length, 0, 'no API call for invalid arguments')
}

describe('invalid arguments are refused before any API call, naming the field', () => {
  const cases = [
    ['estimate_job', {}, 'workload_type is required.'],
    ['estimate_job', { workload_type: 'gaming' }, 'workload_type must be one of: inference, training, fine_tuning, batch.'],
    ['estimate_job', { workload_type: 'batch', routing_mode: 'fastest' }, 'routing_mode must be one of: cost, speed, balanced.'],
    ['estimate_job', { workload_type: 'batch', model_size: 'big' }, 'model_size must be a finite number.'],
    ['estimate_job', { workload_type: 'batch', command: { run: 'x' } }, 'command must be an array of strings (or a single string).'],
    ['estimate_job', { workload_type: 'batch', command: ['python', 3] }, 'command must contain only strings.'],
    ['estimate_job', { workload_type: 'batch', args: 'x' }, 'args must be an array of strings.'],
    ['submit_job', {}, 'workload_type is required.'],
    ['submit_job', { workload_type: 'batch' }, 'name is required.'],
    ['submit_job', { workload_type: 'batch', name: '  ' }, 'name is required.'],
    ['submit_job', { workload_type: 'batch', name: 'n' }, 'image is required.'],
    ['submit_job', { workload_type: 'batch', name: 'n', image: 5 }, 'image must be a string.'],
    ['submit_job', { workload_type: 'batch', name: 'n', image: 'i', env: { A: 1 } }, 'env.A must be a string.'],
    ['submit_job', { workload_type: 'batch', name: 'n', image: 'i', env: ['A=1'] }, 'env must be an object with string values.'],
    ['submit_job', { workload_type: 'batch', name: 'n', image: 'i', input_files: [42] }, 'input_files must be an array of { input_id } objects.'],
    ['submit_job', { workload_type: 'batch', name: 'n', image: 'i', script_files: [{}] }, 'script_files items must include input_id.'],
    ['submit_job', { workload_type: 'batch', name: 'n', image: 'i', metadata: 'x' }, 'metadata must be an object.'],
    ['upload_job_input', {}, 'filename is required.'],
    ['upload_job_input', { filename: 'a.py', path: 'relative/a.py' }, 'path must be an absolute path, got "relative/a.py".'],
    ['list_jobs', { limit: 0 }, 'limit must be greater than 0.'],
    ['list_jobs', { limit: -5 }, 'limit must be greater than 0.'],
    ['list_jobs', { limit: 'ten' }, 'limit must be a finite number.'],
    ['list_jobs', { status: 7 }, 'status must be a string.'],
    ['get_job', {}, 'job_id is required.'],
    ['get_job', { job_id: '' }, 'job_id is required.'],
    ['get_job', { jobId: 42 }, 'jobId must be a string.'],
    ['get_job', { job_id: '..' }, 'job_id is not a valid id.'],
    ['get_job', { job_id: '.' }, 'job_id is not a valid id.'],
    ['get_job_events', { job_id: null }, 'job_id is required.'],
    ['get_job_logs', { job_id: 'j', limit: 0 }, 'limit must be greater than 0.'],
    ['get_job_logs', { job_id: 'j', cursor: [1] }, 'cursor must be a string.'],
    ['cancel_job', { reason: 'x' }, 'job_id is required.'],
    ['list_artifacts', { job_id: ['a'] }, 'job_id must be a string.'],
    ['get_artifact', { job_id: 'j' }, 'artifact_id is required.'],
    ['get_artifact', { job_id: 'j', artifact_id: '..' }, 'artifact_id is not a valid id.'],
    ['get_artifact', { job_id: 'j', artifact_id: 'a', save_to: 'out.txt' }, 'save_to must be an absolute path, got "out.txt".'],
    ['wait_for_job', { job_id: 'j', timeout_seconds: 0 }, 'timeout_seconds must be greater than 0.'],
  ]
  for (const [name, args, message] of cases) {
    test(`${name} ${JSON.stringify(args)}`, () => assertRefused(name, args, message))
  }
})

describe('unknown tools and protocol errors', () => {
  test('an unknown tool is a JSON-RPC error and the server keeps serving', async () => {
    await assert.rejects(call('launch_rocket', {}), (e) => e.code === -32602 && /Unknown tool: launch_rocket/.test(e.message))
    const { tools } = await mcp.client.listTools()
    assert.ok(tools.length >= 11)
  })
})

describe('path injection: ids stay inside one percent-encoded segment', () => {
  const cases = [
    ['job/123', '/v1/mcp/jobs/job%2F123'],
    ['job 1', '/v1/mcp/jobs/job%201'],
    ['a?b#c', '/v1/mcp/jobs/a%3Fb%23c'],
    ['../x', '/v1/mcp/jobs/..%2Fx'],
    ['%2e%2e', '/v1/mcp/jobs/%252e%252e'],
  ]
  for (const [id, path] of cases) {
    test(JSON.stringify(id), async () => {
      const result = await call('get_job', { job_id: id })
      assert.equal(result.isError, false)
      const [req] = upstream.apiRequests()
      assert.equal(req.url, path)
    })
  }
})

describe('upstream faults give clear errors and the server keeps serving', () => {
  test('400 with the error envelope', async () => {
    upstream.override('submit', { status: 400, body: { ok: false, error: { code: 'INVALID_REQUEST', message: 'name, image, and workload_type are required' } } })
    const r = await call('submit_job', { name: 'n', workload_type: 'batch', image: 'i' })
    assert.equal(text(r), 'submit_job failed: INVALID_REQUEST: name, image, and workload_type are required')
  })

  test('403 maps to FORBIDDEN with the API message (vector 5.1.14)', async () => {
    upstream.override('job', { status: 403, body: { error: { code: 'FORBIDDEN', message: 'api key missing jobs:read scope' } } })
    const r = await call('get_job', { job_id: 'job_123' })
    assert.equal(text(r), 'get_job failed: FORBIDDEN: api key missing jobs:read scope')
  })

  test('404 without a body uses the default message', async () => {
    upstream.override('job', { status: 404 })
    assert.equal(text(await call('get_job', { job_id: 'nope' })), 'get_job failed: NOT_FOUND: The requested Jungle Grid resource was not found.')
  })

  test('409 on cancelling a terminal job', async () => {
    upstream.override('cancel', { status: 409, body: { ok: false, error: { code: 'CONFLICT', message: 'job is already completed' } } })
    assert.equal(text(await call('cancel_job', { job_id: 'job_123' })), 'cancel_job failed: CONFLICT: job is already completed')
  })

  test('a bodiless 409 still says CONFLICT', async () => {
    upstream.override('cancel', { status: 409 })
    assert.match(text(await call('cancel_job', { job_id: 'job_123' })), /^cancel_job failed: CONFLICT: /)
  })

  test('500 with a non-JSON body never echoes it (vector 5.2.6)', async () => {
    upstream.override('job', { status: 500, body: 'database host internal.local failed', times: 3 })
    const r = await call('get_job', { job_id: 'job_123' })
    assert.equal(text(r), 'get_job failed: UPSTREAM_ERROR: Jungle Grid API is temporarily unavailable.')
    assert.ok(!JSON.stringify(r).includes('internal.local'))
  })

  test('an HTML error page is not echoed', async () => {
    upstream.override('submit', { status: 502, body: '<html><body><h1>502 Bad Gateway</h1>nginx/1.25</body></html>', headers: { 'content-type': 'text/html' } })
    const r = await call('submit_job', { name: 'n', workload_type: 'batch', image: 'i' })
    assert.equal(text(r), 'submit_job failed: UPSTREAM_ERROR: Jungle Grid API is temporarily unavailable.')
    assert.ok(!JSON.stringify(r).includes('nginx'))
  })

  test('broken JSON on 200 is INVALID_API_RESPONSE', async () => {
    upstream.override('job', { status: 200, body: '{"ok": true, "data": {' })
    assert.equal(text(await call('get_job', { job_id: 'job_123' })), 'get_job failed: INVALID_API_RESPONSE: Jungle Grid API returned an invalid JSON response.')
  })

  test('an empty 200 and a 204 are data null, valid against the output schema', async () => {
    upstream.override('cancel', { status: 204 })
    const r = await call('cancel_job', { job_id: 'job_123' })
    assert.equal(r.isError, false)
    assert.deepEqual(r.structuredContent, { data: null })
    upstream.override('artifacts', { status: 200, body: '' })
    const r2 = await call('list_artifacts', { job_id: 'job_123' })
    assert.deepEqual(r2.structuredContent, { data: null })
    assert.equal(text(r2), 'Found 0 artifacts.')
  })

  test('503 then 200 on a GET is retried and succeeds', async () => {
    upstream.override('job', { status: 503, body: { error: { code: 'MAINTENANCE_ACTIVE', message: 'back soon' } } })
    const r = await call('get_job', { job_id: 'job_123' })
    assert.equal(r.isError, false)
    assert.equal(upstream.apiRequests().length, 2)
  })

  test('503 on submit is never retried', async () => {
    upstream.override('submit', { status: 503, times: 5 })
    const r = await call('submit_job', { name: 'n', workload_type: 'batch', image: 'i' })
    assert.equal(text(r), 'submit_job failed: UPSTREAM_ERROR: Jungle Grid API is temporarily unavailable.')
    assert.equal(upstream.apiRequests().length, 1)
  })

  test('429 on a GET is retried at most twice, then reported', async () => {
    upstream.override('jobs', { status: 429, times: 5 })
    const r = await call('list_jobs', {})
    assert.equal(text(r), 'list_jobs failed: RATE_LIMITED: Jungle Grid API rate limit exceeded.')
    assert.equal(upstream.apiRequests().length, 3)
  })

  test('the server still answers after all of that', async () => {
    assert.equal((await call('get_job', { job_id: 'job_123' })).isError, false)
  })
})

describe('network failures name the host and the cause', () => {
  test('refused connection', async () => {
    const port = await new Promise((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = s.address().port
        s.close(() => resolve(p))
      })
    })
    const dead = { base: `http://127.0.0.1:${port}` }
    const session = await connectV1(dead)
    try {
      const r = await session.client.callTool({ name: 'get_job', arguments: { job_id: 'j' } })
      assert.equal(r.isError, true)
      assert.equal(text(r), `get_job failed: Could not connect to the Jungle Grid API at 127.0.0.1:${port}: connection refused. Check JUNGLEGRID_API_BASE and that the API is reachable.`)
    } finally {
      await session.close()
    }
  })

  test('DNS failure', async () => {
    const session = await connectV1({ base: 'http://no-such-host.invalid' })
    try {
      const r = await session.client.callTool({ name: 'get_job', arguments: { job_id: 'j' } })
      assert.match(text(r), /^get_job failed: Could not resolve the Jungle Grid API host no-such-host\.invalid: DNS lookup failed/)
    } finally {
      await session.close()
    }
  })

  test('a slow answer past the timeout', async () => {
    const session = await connectV1(upstream, { env: { JUNGLE_GRID_TIMEOUT_MS: '300' } })
    try {
      upstream.override('submit', { delayMs: 1500, body: { ok: true, data: {} } })
      const r = await session.client.callTool({ name: 'submit_job', arguments: { name: 'n', workload_type: 'batch', image: 'i' } })
      assert.equal(text(r), `submit_job failed: Jungle Grid API at 127.0.0.1:${new URL(upstream.base).port} did not answer within 300 ms (request timed out).`)
    } finally {
      await session.close()
    }
  })
})

describe('malformed JSON-RPC over raw stdio', () => {
  test('garbage, non-messages and a huge line get errors; the server keeps serving', async () => {
    const raw = spawnRaw(upstream)
    try {
      await raw.initialize()
      raw.send('this is not json')
      const parse = await raw.next((m) => m.error && m.error.code === -32700)
      assert.equal(parse.id, null)
      raw.send({ foo: 1 })
      const invalid = await raw.next((m) => m.error && m.error.code === -32600)
      assert.equal(invalid.id, null)
      raw.send({ jsonrpc: '2.0', id: 77, method: 42 })
      const withId = await raw.next((m) => m.id === 77)
      assert.equal(withId.error.code, -32600)
      raw.send('x'.repeat(17 * 1024 * 1024))
      const huge = await raw.next((m) => m.error && /16 MiB/.test(m.error.message), 30000)
      assert.equal(huge.error.code, -32700)
      raw.send({ jsonrpc: '2.0', id: 'after', method: 'tools/list' })
      const list = await raw.next((m) => m.id === 'after')
      assert.ok(list.result.tools.length >= 11)
      for (const line of raw.lines) assert.equal(JSON.parse(line).jsonrpc, '2.0')
    } finally {
      await raw.close()
    }
  })
})

describe('process behaviour', () => {
  test('exits 0 promptly when stdin closes', async () => {
    const raw = spawnRaw(upstream)
    await raw.initialize()
    assert.equal(await raw.close(), 0)
  })

  for (const signal of ['SIGTERM', 'SIGINT']) {
    test(`exits promptly on ${signal}`, async () => {
      const raw = spawnRaw(upstream)
      await raw.initialize()
      raw.child.kill(signal)
      const [code, sig] = await raw.exited
      assert.ok(code === 0 || sig === signal, `exit ${code} ${sig}`)
    })
  }

  test('a missing key prints the seed message and exits 1', async () => {
    const raw = spawnRaw(upstream, { env: { JUNGLE_GRID_API_KEY: undefined } })
    const [code] = await raw.exited
    assert.equal(code, 1)
    assert.match(raw.stderr(), /^JUNGLE_GRID_API_KEY is required\n/)
    assert.equal(raw.lines.length, 0)
  })

  test('--version, --help and an unknown flag', async () => {
    const version = spawnRaw(null, { args: ['--version'] })
    assert.equal((await version.exited)[0], 0)
    assert.deepEqual(version.lines, [PACKAGE.version])
    const help = spawnRaw(null, { args: ['--help'] })
    assert.equal((await help.exited)[0], 0)
    assert.match(help.lines.join('\n'), /JUNGLE_GRID_API_KEY/)
    const bad = spawnRaw(null, { args: ['--frobnicate'] })
    assert.equal((await bad.exited)[0], 2)
    assert.match(bad.stderr(), /--frobnicate/)
  })

  test('only JSON-RPC on stdout and no secret on stderr, even at trace level', async () => {
    const raw = spawnRaw(upstream, { env: { JUNGLE_GRID_LOG: 'trace' } })
    try {
      await raw.initialize()
      raw.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'upload_job_input', arguments: { filename: 'a.wav' } } })
      raw.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_artifact', arguments: { job_id: 'j', artifact_id: 'a' } } })
      upstream.override('job', { status: 503 })
      raw.send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'get_job', arguments: { job_id: 'j' } } })
      for (const id of [1, 2, 3]) await raw.next((m) => m.id === id)
    } finally {
      await raw.close()
    }
    for (const line of raw.lines) assert.equal(JSON.parse(line).jsonrpc, '2.0', `non-JSON-RPC on stdout: ${line}`)
    const stderr = raw.stderr()
    assert.ok(stderr.length > 0, 'trace logging should say something')
    for (const secret of [API_KEY, UPLOAD_TOKEN, SIGNATURE, 'SECRET']) {
      assert.ok(!stderr.includes(secret), `stderr leaked ${secret}`)
    }
  })
})

describe('concurrency', () => {
  test('200 calls in flight are served concurrently, each with its own answer', async () => {
    upstream.gate(50)
    upstream.jobResponder = (id) => ({ job_id: id, status: 'running' })
    const ids = Array.from({ length: 200 }, (_, i) => `job_${i}`)
    const results = await Promise.all(ids.map((id) => call('get_job', { job_id: id })))
    results.forEach((r, i) => {
      assert.equal(r.isError, false)
      assert.equal(r.structuredContent.data.job_id, ids[i])
    })
    assert.equal(upstream.apiRequests().length, 200)
    assert.ok(upstream.maxInFlight >= 50, `only ${upstream.maxInFlight} requests were in flight at once`)
  })
})
