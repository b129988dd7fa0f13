// Upstream faults through the official v1 SDK client: API error envelopes, status defaults (contract
// Part B 1.2, with 409 -> CONFLICT by product decision), HTML / broken JSON / empty / 204 bodies,
// a refused connection, a timeout, retries of safe calls only, and an unknown key. Non-JSON error
// bodies are never echoed. After every fault the same server process still answers.
import { after, afterEach, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { closedPort, startFakeUpstream } from './helpers/fake-upstream.mjs'
import { connectV1, text } from './helpers/mcp.mjs'

let api
let mcp
before(async () => {
  api = await startFakeUpstream({ vectors: true })
  mcp = await connectV1(api, { listTools: true })
})
after(async () => {
  await mcp?.close()
  await api?.stop()
})
// After every fault the same process still answers a normal call.
afterEach(async () => {
  await assertStillServing()
  api.reset()
})

/** The same process must still answer: a normal call succeeds against the (reset) fake API. */
async function assertStillServing(session = mcp, fake = api) {
  fake.reset()
  const result = await session.call('get_job', { job_id: 'job_123' })
  assert.notEqual(result.isError, true, `server no longer serving: ${text(result)}`)
  assert.equal(text(result), 'Job job_123 is running (executing).')
}

/** A failed tool result: isError, exact text, no structuredContent. */
function assertFailed(result, expected) {
  assert.equal(result.isError, true, `expected isError: ${JSON.stringify(result)}`)
  if (expected instanceof RegExp) assert.match(text(result), expected)
  else assert.equal(text(result), expected)
  assert.equal(result.structuredContent, undefined)
}

const envelope = (code, message) => ({ ok: false, error: { code, message } })

describe('API error bodies become <tool> failed: <CODE>: <message>', () => {
  test('403 FORBIDDEN (5.1.14 / 5.2.5)', async () => {
    api.override('job', { status: 403, json: { error: { code: 'FORBIDDEN', message: 'api key missing jobs:read scope' } } })
    assertFailed(await mcp.call('get_job', { job_id: 'job_123' }), 'get_job failed: FORBIDDEN: api key missing jobs:read scope')
    assert.equal(api.requests.length, 1, '4xx is not retried')
    await assertStillServing()
  })

  test('400 INVALID_REQUEST on submit', async () => {
    api.override('submit', { status: 400, json: envelope('INVALID_REQUEST', 'name, image, and workload_type are required') })
    assertFailed(
      await mcp.call('submit_job', { name: 'n', workload_type: 'batch', image: 'i' }),
      'submit_job failed: INVALID_REQUEST: name, image, and workload_type are required',
    )
    await assertStillServing()
  })

  test('400 with a top-level {code, message} body (1.2 step 2), trimmed', async () => {
    api.override('estimate', { status: 400, json: { code: ' INVALID_REQUEST ', message: ' bad image ' } })
    assertFailed(await mcp.call('estimate_job', { workload_type: 'batch' }), 'estimate_job failed: INVALID_REQUEST: bad image')
  })

  test('404 NOT_FOUND with and without a body', async () => {
    api.override('job', { status: 404, json: envelope('NOT_FOUND', 'job not found') })
    assertFailed(await mcp.call('get_job', { job_id: 'job_x' }), 'get_job failed: NOT_FOUND: job not found')
    api.override('artifacts', { status: 404 })
    assertFailed(await mcp.call('list_artifacts', { job_id: 'job_x' }), 'list_artifacts failed: NOT_FOUND: The requested Jungle Grid resource was not found.')
    await assertStillServing()
  })

  test('409 CONFLICT on cancel of a terminal job; a bodiless 409 defaults to CONFLICT (product decision)', async () => {
    api.override('cancel', { status: 409, json: envelope('CONFLICT', 'job is already completed') })
    assertFailed(await mcp.call('cancel_job', { job_id: 'job_123' }), 'cancel_job failed: CONFLICT: job is already completed')
    assert.equal(api.requests.length, 1)
    api.override('cancel', { status: 409 })
    assertFailed(await mcp.call('cancel_job', { job_id: 'job_123' }), /^cancel_job failed: CONFLICT: .+/)
    await assertStillServing()
  })

  test('API-specific codes pass through (JOB_INPUT_NOT_READY, ARTIFACT_NOT_READY, INSUFFICIENT_FUNDS)', async () => {
    api.override('submit', { status: 409, json: envelope('JOB_INPUT_NOT_READY', 'upload inp_1 was not completed') })
    assertFailed(
      await mcp.call('submit_job', { name: 'n', workload_type: 'batch', image: 'i', input_files: ['inp_1'] }),
      'submit_job failed: JOB_INPUT_NOT_READY: upload inp_1 was not completed',
    )
    api.override('download', { status: 409, json: envelope('ARTIFACT_NOT_READY', 'artifact is still uploading') })
    assertFailed(await mcp.call('get_artifact', { job_id: 'j', artifact_id: 'a' }), 'get_artifact failed: ARTIFACT_NOT_READY: artifact is still uploading')
    api.override('submit', { status: 402, json: envelope('INSUFFICIENT_FUNDS', 'add credits to continue') })
    assertFailed(await mcp.call('submit_job', { name: 'n', workload_type: 'batch', image: 'i' }), 'submit_job failed: INSUFFICIENT_FUNDS: add credits to continue')
  })

  test('status defaults when the body has no code/message (1.2 table)', async () => {
    const cases = [
      [401, 'UNAUTHORIZED: Authentication is required or the token is invalid.'],
      [403, 'FORBIDDEN: The token is not authorized for this Jungle Grid action.'],
      [400, 'API_ERROR: Jungle Grid API request failed with status 400.'],
      [422, 'API_ERROR: Jungle Grid API request failed with status 422.'],
      [500, 'UPSTREAM_ERROR: Jungle Grid API is temporarily unavailable.'],
    ]
    for (const [status, detail] of cases) {
      api.reset()
      api.override('submit', { status, json: {} })
      assertFailed(await mcp.call('submit_job', { name: 'n', workload_type: 'batch', image: 'i' }), `submit_job failed: ${detail}`)
    }
  })

  test('{"error": "some text"} yields the defaults, not the string (1.2 step 3)', async () => {
    api.override('job', { status: 404, json: { error: 'some text' } })
    assertFailed(await mcp.call('get_job', { job_id: 'j' }), 'get_job failed: NOT_FOUND: The requested Jungle Grid resource was not found.')
  })

  test('429 on submit is RATE_LIMITED and not retried', async () => {
    api.override('submit', { status: 429, json: {} }, 3)
    assertFailed(await mcp.call('submit_job', { name: 'n', workload_type: 'batch', image: 'i' }), 'submit_job failed: RATE_LIMITED: Jungle Grid API rate limit exceeded.')
    assert.equal(api.requests.length, 1)
  })
})

describe('non-JSON and empty bodies', () => {
  test('a non-JSON 500 body is never echoed (5.2.6)', async () => {
    api.override('job', { status: 500, raw: 'database host internal.local failed', headers: { 'content-type': 'text/plain' } })
    const result = await mcp.call('get_job', { job_id: 'job_123' })
    assertFailed(result, 'get_job failed: UPSTREAM_ERROR: Jungle Grid API is temporarily unavailable.')
    assert.ok(!JSON.stringify(result).includes('internal.local'))
    await assertStillServing()
  })

  test('an HTML 502 page is never echoed; GETs retry it and then give up', async () => {
    const html = '<html><body><h1>502 Bad Gateway</h1><p>nginx/1.25.3 upstream 10.0.3.7:8080</p></body></html>'
    api.override('jobs', { status: 502, raw: html, headers: { 'content-type': 'text/html' } }, 3)
    const result = await mcp.call('list_jobs', {})
    assertFailed(result, 'list_jobs failed: UPSTREAM_ERROR: Jungle Grid API is temporarily unavailable.')
    for (const leak of ['nginx', '10.0.3.7', '<html', 'Bad Gateway']) assert.ok(!JSON.stringify(result).includes(leak), leak)
    assert.equal(api.requests.length, 3, 'one attempt and two retries')
    await assertStillServing()
  })

  test('an HTML 400 page falls back to the status default', async () => {
    api.override('estimate', { status: 400, raw: '<html>Request rejected by WAF rule 942100</html>' })
    const result = await mcp.call('estimate_job', { workload_type: 'batch' })
    assertFailed(result, 'estimate_job failed: API_ERROR: Jungle Grid API request failed with status 400.')
    assert.ok(!JSON.stringify(result).includes('WAF'))
  })

  test('broken JSON on a 200 is INVALID_API_RESPONSE', async () => {
    api.override('job', { status: 200, raw: '{"ok":true,"data":{"job_id":"job_1",', headers: { 'content-type': 'application/json' } })
    const result = await mcp.call('get_job', { job_id: 'job_1' })
    assertFailed(result, 'get_job failed: INVALID_API_RESPONSE: Jungle Grid API returned an invalid JSON response.')
    assert.ok(!JSON.stringify(result).includes('job_1",'))
    await assertStillServing()
  })

  test('an HTML page on a 200 is INVALID_API_RESPONSE and not echoed', async () => {
    api.override('estimate', { status: 200, raw: '<html><title>Captive portal login</title></html>' })
    const result = await mcp.call('estimate_job', { workload_type: 'batch' })
    assertFailed(result, 'estimate_job failed: INVALID_API_RESPONSE: Jungle Grid API returned an invalid JSON response.')
    assert.ok(!JSON.stringify(result).includes('portal'))
  })

  test('an empty 200 is data: null, valid against the output schema', async () => {
    api.override('cancel', { status: 200 })
    const result = await mcp.call('cancel_job', { job_id: 'job_123' })
    assert.notEqual(result.isError, true, text(result))
    assert.deepEqual(result.structuredContent, { data: null })
    assert.equal(text(result), 'Cancellation requested for job job_123.')
    api.override('job', { status: 200, raw: '  \n ' })
    const job = await mcp.call('get_job', { job_id: 'job_123' })
    assert.notEqual(job.isError, true, text(job))
    assert.deepEqual(job.structuredContent, { data: null })
  })

  test('a 204 is data: null for every tool, valid against each output schema', async () => {
    const calls = [
      ['estimate', 'estimate_job', { workload_type: 'batch' }],
      ['submit', 'submit_job', { name: 'n', workload_type: 'batch', image: 'i' }],
      ['upload', 'upload_job_input', { filename: 'a.txt' }],
      ['inputs', 'list_job_inputs', {}],
      ['jobs', 'list_jobs', {}],
      ['job', 'get_job', { job_id: 'j' }],
      ['events', 'get_job_events', { job_id: 'j' }],
      ['logs', 'get_job_logs', { job_id: 'j' }],
      ['cancel', 'cancel_job', { job_id: 'j' }],
      ['artifacts', 'list_artifacts', { job_id: 'j' }],
      ['download', 'get_artifact', { job_id: 'j', artifact_id: 'a' }],
    ]
    for (const [route, tool, args] of calls) {
      api.override(route, { status: 204 })
      const result = await mcp.call(tool, args)
      assert.notEqual(result.isError, true, `${tool}: ${text(result)}`)
      assert.deepEqual(result.structuredContent, { data: null }, tool)
      assert.ok(text(result).length > 0, `${tool} has a summary`)
    }
    assert.equal(api.requests.length, calls.length)
  })

  test('{ok:true, data:null} is data: null; a 2xx {ok:false,...} body is passed whole', async () => {
    api.override('events', { json: { ok: true, data: null } })
    let result = await mcp.call('get_job_events', { job_id: 'j' })
    assert.deepEqual(result.structuredContent, { data: null })
    assert.equal(text(result), 'Fetched 0 lifecycle events.')
    api.override('events', { json: { ok: false, data: { items: [] } } })
    result = await mcp.call('get_job_events', { job_id: 'j' })
    assert.deepEqual(result.structuredContent, { data: { ok: false, data: { items: [] } } })
  })

  test('a dropped connection (no answer) is a network error naming the host', async () => {
    api.override('job', { destroy: true }, 3)
    const result = await mcp.call('get_job', { job_id: 'job_123' })
    assertFailed(result, new RegExp(`^get_job failed: Could not reach the Jungle Grid API at 127\\.0\\.0\\.1:${api.port}`))
    await assertStillServing()
  })
})

describe('retries: safe calls only', () => {
  test('503 then 200 on a GET: retried, succeeds, two requests', async () => {
    api.override('job', { status: 503, json: envelope('MAINTENANCE_ACTIVE', 'back soon') })
    const result = await mcp.call('get_job', { job_id: 'job_123' })
    assert.notEqual(result.isError, true, text(result))
    assert.equal(text(result), 'Job job_123 is running (executing).')
    assert.deepEqual(api.requests.map((r) => `${r.method} ${r.url}`), ['GET /v1/mcp/jobs/job_123', 'GET /v1/mcp/jobs/job_123'])
  })

  test('429, 502 and 504 on GETs are retried; the retry repeats the exact request', async () => {
    api.override('logs', { status: 429, json: {} })
    api.override('logs', { status: 502, json: {} })
    api.fixtures.logs = { items: [{ message: 'x' }], next_cursor: null }
    const result = await mcp.call('get_job_logs', { job_id: 'job 1', limit: 5, cursor: 'c 1' })
    assert.equal(text(result), 'Fetched 1 log entry. next_cursor=null.')
    assert.equal(api.requests.length, 3)
    assert.equal(new Set(api.requests.map((r) => r.url)).size, 1, 'same URL each time')
    assert.equal(api.requests[0].url, '/v1/mcp/jobs/job%201/logs?limit=5&cursor=c+1')
    api.reset()
    api.override('inputs', { status: 504 })
    assert.equal(text(await mcp.call('list_job_inputs', {})), 'Found 1 uploaded job input.')
    assert.equal(api.requests.length, 2)
  })

  test('estimate (a POST) is safe and retried with the same body', async () => {
    api.override('estimate', { status: 503, json: {} })
    const result = await mcp.call('estimate_job', { workload_type: 'batch', notes: 'n' })
    assert.notEqual(result.isError, true, text(result))
    assert.deepEqual(api.requests.map((r) => r.raw), ['{"workload_type":"batch","notes":"n"}', '{"workload_type":"batch","notes":"n"}'])
  })

  test('artifact download info (a body-less POST) is retried', async () => {
    api.override('download', { status: 503, json: {} })
    const result = await mcp.call('get_artifact', { job_id: 'j', artifact_id: 'a' })
    assert.notEqual(result.isError, true, text(result))
    assert.equal(api.requests.length, 2)
  })

  test('a GET whose connection is dropped before any answer is retried (a connection error on a safe call)', async () => {
    api.override('job', { destroy: true })
    const result = await mcp.call('get_job', { job_id: 'job_123' })
    assert.equal(api.requests.length, 2, `requests: ${api.requests.length}; result: ${text(result)}`)
    assert.notEqual(result.isError, true, text(result))
    assert.equal(text(result), 'Job job_123 is running (executing).')
  })

  test('at most two retries: three 503s fail with UPSTREAM_ERROR after exactly three requests', async () => {
    api.override('events', { status: 503, json: {} }, 5)
    assertFailed(await mcp.call('get_job_events', { job_id: 'j' }), 'get_job_events failed: UPSTREAM_ERROR: Jungle Grid API is temporarily unavailable.')
    assert.equal(api.requests.length, 3)
  })

  for (const [route, tool, args] of [
    ['submit', 'submit_job', { name: 'n', workload_type: 'batch', image: 'i' }],
    ['cancel', 'cancel_job', { job_id: 'job_123' }],
    ['upload', 'upload_job_input', { filename: 'a.wav' }],
  ]) {
    test(`503 on ${tool} is NOT retried: exactly one request`, async () => {
      api.override(route, { status: 503, json: {} }, 3)
      assertFailed(await mcp.call(tool, args), `${tool} failed: UPSTREAM_ERROR: Jungle Grid API is temporarily unavailable.`)
      assert.equal(api.requests.length, 1)
      await assertStillServing()
    })
  }

  test('Retry-After is honoured (the retry waits at least that long)', async () => {
    api.override('job', { status: 503, headers: { 'retry-after': '1' }, json: {} })
    const result = await mcp.call('get_job', { job_id: 'job_123' })
    assert.notEqual(result.isError, true, text(result))
    assert.equal(api.requests.length, 2)
    const gap = api.requests[1].at - api.requests[0].at
    assert.ok(gap >= 950, `retried after ${gap} ms despite Retry-After: 1`)
  })

  test('a Retry-After beyond 10 s ends the retries at once', async () => {
    api.override('job', { status: 503, headers: { 'retry-after': '60' }, json: {} }, 3)
    assertFailed(await mcp.call('get_job', { job_id: 'job_123' }), 'get_job failed: UPSTREAM_ERROR: Jungle Grid API is temporarily unavailable.')
    assert.equal(api.requests.length, 1)
  })

  test('500 (not in 429/502/503/504) is not retried', async () => {
    api.override('job', { status: 500, json: {} }, 3)
    await mcp.call('get_job', { job_id: 'job_123' })
    assert.equal(api.requests.length, 1)
  })
})

describe('a key the API does not accept', () => {
  let other
  before(async () => {
    other = await connectV1(api, { listTools: true, env: { JUNGLE_GRID_API_KEY: 'jg_test_REVOKED_999' } })
  })
  after(() => other?.close())

  test('401 UNAUTHORIZED from the API is reported with its message', async () => {
    const result = await other.call('get_job', { job_id: 'job_123' })
    assertFailed(result, 'get_job failed: UNAUTHORIZED: invalid or revoked api key')
    assert.equal(api.requests[0].headers.authorization, 'Bearer jg_test_REVOKED_999')
    assert.equal(api.requests.length, 1)
    assert.ok(!JSON.stringify(result).includes('REVOKED'), 'the key is not echoed')
  })

  test('the key is trimmed before use', async () => {
    const padded = await connectV1(api, { listTools: true, env: { JUNGLE_GRID_API_KEY: '  jg_test_SECRET_abc123 \n' } })
    try {
      const result = await padded.call('get_job', { job_id: 'job_123' })
      assert.notEqual(result.isError, true, text(result))
      assert.equal(api.requests[0].headers.authorization, 'Bearer jg_test_SECRET_abc123')
    } finally {
      await padded.close()
    }
  })
})

describe('refused connection', () => {
  let port
  let refused
  before(async () => {
    port = await closedPort()
    refused = await connectV1(null, { listTools: true, env: { JUNGLEGRID_API_BASE: `http://127.0.0.1:${port}` } })
  })
  after(() => refused?.close())

  test('the message names the host and says the connection was refused', async () => {
    const result = await refused.call('get_job', { job_id: 'job_123' })
    assertFailed(result, new RegExp(`^get_job failed: .*127\\.0\\.0\\.1:${port}.*connection refused`, 'i'))
    assert.ok(!text(result).includes('/v1/mcp/jobs'), 'the full URL is not shown')
  })

  test('submit gets the same plain sentence; the server still answers', async () => {
    const result = await refused.call('submit_job', { name: 'n', workload_type: 'batch', image: 'i' })
    assertFailed(result, new RegExp(`^submit_job failed: .*127\\.0\\.0\\.1:${port}.*connection refused`, 'i'))
    const { tools } = await refused.client.listTools()
    assert.equal(tools.length, 12)
  })
})

describe('timeout (JUNGLE_GRID_TIMEOUT_MS=300)', () => {
  let slow
  before(async () => {
    slow = await connectV1(api, { listTools: true, env: { JUNGLE_GRID_TIMEOUT_MS: '300' } })
  })
  after(() => slow?.close())

  test('an answer slower than the timeout: the message says it timed out and names the host', async () => {
    api.override('job', { delayMs: 3000, json: { ok: true, data: { job_id: 'late' } } })
    const result = await slow.call('get_job', { job_id: 'job_123' })
    assertFailed(result, new RegExp(`^get_job failed: .*127\\.0\\.0\\.1:${api.port}.*timed out`))
    assert.match(text(result), /300 ms/)
    assert.ok(!text(result).includes('late'))
    await assertStillServing(slow)
  })

  test('a timed-out submit is not repeated', async () => {
    api.override('submit', { delayMs: 3000, json: { ok: true, data: {} } }, 3)
    const result = await slow.call('submit_job', { name: 'n', workload_type: 'batch', image: 'i' })
    assertFailed(result, /timed out/)
    assert.equal(api.requestsTo('submit').length, 1)
  })
})
