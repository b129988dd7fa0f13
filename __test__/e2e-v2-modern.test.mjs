// The same server through the official v2 client (@modelcontextprotocol/client 2.4) pinned to the
// 2026-07-28 revision: stateless, server/discover at connect, per-request _meta. Both protocol
// generations must see the same tools, send the same API requests and get the same results.
import { after, afterEach, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { API_KEY, startFakeUpstream } from './helpers/fake-upstream.mjs'
import { MODERN_PROTOCOL, PACKAGE, SEED_TOOLS, connectV1, connectV2, spawnRaw, text } from './helpers/mcp.mjs'

let api
let v2
before(async () => {
  api = await startFakeUpstream({ vectors: true })
  v2 = await connectV2(api, { listTools: true })
})
after(async () => {
  await v2?.close()
  await api?.stop()
})
afterEach(() => api.reset())

function onlyRequest() {
  assert.equal(api.requests.length, 1, JSON.stringify(api.requests.map((r) => r.url)))
  const [req] = api.requests
  assert.equal(req.headers.authorization, `Bearer ${API_KEY}`)
  assert.equal(req.headers.accept, 'application/json')
  assert.equal(req.headers['content-type'], 'application/json')
  return req
}

describe('2026-07-28 through the v2 client', () => {
  test('the negotiated revision really is 2026-07-28 (modern era, via server/discover)', () => {
    assert.equal(v2.client.getNegotiatedProtocolVersion(), MODERN_PROTOCOL)
    assert.equal(v2.client.getProtocolEra(), 'modern')
    const discover = v2.client.getDiscoverResult()
    assert.ok(discover, 'a DiscoverResult was recorded')
    assert.ok(JSON.stringify(discover).includes(MODERN_PROTOCOL), 'discover offers 2026-07-28')
  })

  test('server identity and instructions reach the modern client', () => {
    const info = v2.client.getServerVersion()
    assert.equal(info?.name, 'junglegrid')
    assert.equal(info?.version, PACKAGE.version)
    assert.match(v2.client.getInstructions() ?? '', /estimate_job/)
  })

  test('tools/list: the seed tools first, same definitions as the 2025 generation', async () => {
    const { tools } = await v2.client.listTools()
    assert.deepEqual(tools.map((t) => t.name).slice(0, SEED_TOOLS.length), SEED_TOOLS)
    const v1 = await connectV1(api, { listTools: true })
    try {
      const { tools: legacy } = await v1.client.listTools()
      const pick = (t) => ({ name: t.name, inputSchema: t.inputSchema, outputSchema: t.outputSchema, annotations: t.annotations, description: t.description })
      assert.deepEqual(tools.map(pick), legacy.map(pick))
    } finally {
      await v1.close()
    }
  })

  test('estimate_job: same request and result (cost printed as numbers)', async () => {
    const result = await v2.call('estimate_job', { workload_type: 'fine_tuning', model_size: 7.5, routing_mode: 'speed', command: ['python', 'train.py'] })
    const req = onlyRequest()
    assert.equal(req.method, 'POST')
    assert.equal(req.url, '/v1/mcp/jobs/estimate')
    assert.deepEqual(req.body, { workload_type: 'fine-tuning', model_size_gb: 7.5, command: ['python', 'train.py'], optimize_for: 'speed' })
    assert.notEqual(result.isError, true)
    assert.equal(text(result), 'Estimate available. Likely route: best available route. Estimated cost: $0.10-$0.20 USD.')
    assert.deepEqual(result.structuredContent, { data: api.fixtures.estimate })
  })

  test('submit_job: the 5.1.8 legacy body and summary', async () => {
    const result = await v2.call('submit_job', { name: 'batch-1', workload: 'batch', image: 'python:3.11-slim' })
    const req = onlyRequest()
    assert.equal(req.url, '/v1/mcp/jobs')
    assert.equal(req.raw, '{"name":"batch-1","workload_type":"batch","image":"python:3.11-slim"}')
    assert.equal(text(result), 'Job submitted and real compute may start. id=job_123 status=queued.')
    assert.deepEqual(result.structuredContent, { data: api.fixtures.submit })
  })

  test('get_job_logs: clamp, cursor and summary (5.1.9)', async () => {
    api.fixtures.logs = { items: [{ message: 'hello' }], next_cursor: 2 }
    const result = await v2.call('get_job_logs', { job_id: 'job_123', limit: 5000, cursor: 'abc' })
    assert.equal(onlyRequest().url, '/v1/mcp/jobs/job_123/logs?limit=1000&cursor=abc')
    assert.equal(text(result), 'Fetched 1 log entry. next_cursor=2.')
  })

  test('get_job: billing normalisation', async () => {
    api.fixtures.job = { job_id: 'job_123', status: 'pending', billing: { status: 'pending', total_spent_usd: 53.42525 } }
    const result = await v2.call('get_job', { job_id: 'job_123' })
    assert.deepEqual(result.structuredContent.data, { job_id: 'job_123', status: 'pending', billing: { status: 'pending' }, actual_cost_usd: null })
  })

  test('get_artifact with encoded ids; upload slot; list_jobs query', async () => {
    let result = await v2.call('get_artifact', { job_id: 'job/123', artifact_id: 'artifact/with space' })
    assert.equal(onlyRequest().url, '/v1/mcp/jobs/job%2F123/artifacts/artifact%2Fwith%20space/download')
    assert.equal(text(result), 'Created a temporary download URL for output.txt.')
    api.reset()
    result = await v2.call('upload_job_input', { filename: 'audio.wav', content_type: 'audio/wav', kind: 'input' })
    assert.equal(onlyRequest().raw, '{"filename":"audio.wav","content_type":"audio/wav","kind":"input"}')
    assert.equal(text(result), 'Created upload slot for audio.wav. input_id=inp_123.')
    api.reset()
    result = await v2.call('list_jobs', { limit: 500, cursor: '10', status: 'completed' })
    assert.equal(onlyRequest().url, '/v1/mcp/jobs?limit=100&cursor=10&status=completed')
  })

  test('validation errors and API errors are tool results, as in 2025', async () => {
    let result = await v2.call('cancel_job', {})
    assert.equal(result.isError, true)
    assert.equal(text(result), 'cancel_job failed: job_id is required.')
    assert.equal(api.requests.length, 0)
    api.override('cancel', { status: 409, json: { ok: false, error: { code: 'CONFLICT', message: 'job is already completed' } } })
    result = await v2.call('cancel_job', { job_id: 'job_123' })
    assert.equal(result.isError, true)
    assert.equal(text(result), 'cancel_job failed: CONFLICT: job is already completed')
  })

  test('an unknown tool is a JSON-RPC error; the session keeps going', async () => {
    await assert.rejects(v2.call('nope', {}), (e) => {
      assert.equal(e.code, -32602)
      assert.match(e.message, /Unknown tool: nope/)
      return true
    })
    const result = await v2.call('list_job_inputs', {})
    assert.equal(text(result), 'Found 1 uploaded job input.')
  })
})

describe('server/discover on a raw pipe', () => {
  test('answers without initialize and offers 2026-07-28 alongside a 2025 revision', async () => {
    const raw = spawnRaw(api)
    try {
      const reply = await raw.request('server/discover', {
        _meta: {
          'io.modelcontextprotocol/protocolVersion': MODERN_PROTOCOL,
          'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      })
      assert.equal(reply.error, undefined, JSON.stringify(reply.error))
      const json = JSON.stringify(reply.result)
      assert.ok(json.includes(MODERN_PROTOCOL), json)
      assert.match(json, /2025-\d\d-\d\d/)
    } finally {
      await raw.end()
    }
  })
})
