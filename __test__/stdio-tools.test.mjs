// The stdio server through the official TypeScript SDK clients, spawned as a host does: tool
// discovery, and every tool's happy path with the exact request the fake API received.
import { after, afterEach, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { API_KEY, startFakeUpstream } from './helpers/fake-upstream.mjs'
import { PACKAGE, connectV1, connectV2, text } from './helpers/mcp.mjs'

const SEED_TOOLS = [
  'estimate_job', 'submit_job', 'upload_job_input', 'list_job_inputs', 'list_jobs', 'get_job',
  'get_job_events', 'get_job_logs', 'cancel_job', 'list_artifacts', 'get_artifact',
]
// Contract Part B 3.3: readOnlyHint, openWorldHint, destructiveHint.
const ANNOTATIONS = {
  estimate_job: [true, false, false], submit_job: [false, true, false],
  upload_job_input: [false, true, false], list_job_inputs: [true, false, false],
  list_jobs: [true, false, false], get_job: [true, false, false], get_job_events: [true, false, false],
  get_job_logs: [true, false, false], cancel_job: [false, true, true], list_artifacts: [true, false, false],
  get_artifact: [true, false, false],
}

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

async function call(name, args) {
  const result = await mcp.client.callTool({ name, arguments: args })
  return result
}

function onlyRequest() {
  const reqs = upstream.apiRequests()
  assert.equal(reqs.length, 1, `expected one API request, got ${JSON.stringify(reqs.map((r) => r.url))}`)
  const [req] = reqs
  assert.equal(req.headers.authorization, `Bearer ${API_KEY}`)
  assert.equal(req.headers.accept, 'application/json')
  assert.equal(req.headers['content-type'], 'application/json')
  return req
}

describe('discovery', () => {
  test('initialize reports junglegrid, the package version and instructions', () => {
    const info = mcp.client.getServerVersion()
    assert.equal(info.name, 'junglegrid')
    assert.equal(info.version, PACKAGE.version)
    assert.match(mcp.client.getInstructions(), /estimate_job/)
    assert.ok(mcp.client.getServerCapabilities().tools)
  })

  test('tools/list gives the seed tools in order, then wait_for_job', async () => {
    const { tools } = await mcp.client.listTools()
    assert.deepEqual(tools.map((t) => t.name), [...SEED_TOOLS, 'wait_for_job'])
  })

  test('annotations, output schemas and agent-facing descriptions', async () => {
    const { tools } = await mcp.client.listTools()
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]))
    for (const [name, [readOnly, openWorld, destructive]] of Object.entries(ANNOTATIONS)) {
      const a = byName[name].annotations
      assert.equal(a.readOnlyHint, readOnly, `${name} readOnlyHint`)
      assert.equal(a.openWorldHint, openWorld, `${name} openWorldHint`)
      assert.equal(a.destructiveHint, destructive, `${name} destructiveHint`)
      assert.equal(a.idempotentHint, readOnly || name === 'cancel_job', `${name} idempotentHint`)
      assert.equal(byName[name].outputSchema.type, 'object')
      assert.deepEqual(byName[name].outputSchema.required, ['data'])
    }
    assert.match(byName.submit_job.description, /incur usage charges/)
    assert.match(byName.cancel_job.description, /stop active execution/)
    assert.match(byName.estimate_job.description, /without submitting it/)
    assert.match(byName.list_jobs.description, /find recent jobs/)
  })

  test('input schemas use the seed names, not the aliases', async () => {
    const { tools } = await mcp.client.listTools()
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]))
    assert.deepEqual(byName.get_job.inputSchema.required, ['job_id'])
    assert.deepEqual(byName.get_artifact.inputSchema.required, ['job_id', 'artifact_id'])
    assert.deepEqual(byName.submit_job.inputSchema.required, ['name', 'workload_type', 'image'])
    assert.deepEqual(byName.estimate_job.inputSchema.properties.workload_type.enum, ['inference', 'training', 'fine_tuning', 'batch'])
    const all = JSON.stringify(tools.map((t) => t.inputSchema))
    for (const alias of ['"jobId"', '"artifactId"', '"workload"', '"environment"', '"optimize_for"']) {
      assert.ok(!all.includes(alias), `schema advertises ${alias}`)
    }
  })

  test('tools/list matches the checked-in snapshot', async () => {
    const { tools } = await mcp.client.listTools()
    const path = new URL('./snapshots/tools-list.json', import.meta.url)
    const actual = JSON.stringify(tools, null, 2) + '\n'
    if (process.env.UPDATE_SNAPSHOTS === '1') writeFileSync(path, actual)
    assert.ok(existsSync(path), 'no snapshot yet: run with UPDATE_SNAPSHOTS=1')
    assert.equal(actual, readFileSync(path, 'utf8'), 'tools/list changed: review, then run with UPDATE_SNAPSHOTS=1')
  })
})

describe('every tool forwards the right request (v1 client, 2025 revisions)', () => {
  test('estimate_job maps the seed arguments (contract vector 5.1.6)', async () => {
    const result = await call('estimate_job', {
      workload_type: 'fine_tuning', model_size: 7, image: 'pytorch/pytorch:2.2.0-cuda12.1-cudnn8-runtime',
      command: ['python', 'train.py'], routing_mode: 'cost', template: 'lora', notes: 'cheap route',
    })
    const req = onlyRequest()
    assert.equal(req.method, 'POST')
    assert.equal(req.url, '/v1/mcp/jobs/estimate')
    assert.deepEqual(req.body, {
      workload_type: 'fine-tuning', model_size_gb: 7, image: 'pytorch/pytorch:2.2.0-cuda12.1-cudnn8-runtime',
      command: ['python', 'train.py'], optimize_for: 'cost', template: 'lora', notes: 'cheap route',
    })
    assert.equal(result.isError, false)
    assert.equal(text(result), 'Estimate available. Likely route: A100. Estimated cost: $0.10-$0.20 USD.')
    assert.deepEqual(result.structuredContent.data, upstream.fixtures.estimate)
  })

  test('estimate_job with the legacy workload name sends exactly {"workload_type":"batch"}', async () => {
    await call('estimate_job', { workload: 'batch' })
    assert.equal(onlyRequest().raw, '{"workload_type":"batch"}')
  })

  test('submit_job maps env, files, routing and metadata (vector 5.1.7)', async () => {
    const result = await call('submit_job', {
      name: 'mnist-train', workload_type: 'training', image: 'pytorch/pytorch:2.4.0',
      command: ['python', 'train.py'], env: { EPOCHS: '3' }, input_files: [{ input_id: 'inp_audio' }],
      script_files: ['inp_script'], expected_artifacts: ['/workspace/artifacts/transcript.txt'],
      routing_mode: 'balanced', metadata: { source: 'mcp' },
    })
    const req = onlyRequest()
    assert.equal(req.url, '/v1/mcp/jobs')
    assert.deepEqual(req.body, {
      name: 'mnist-train', workload_type: 'training', image: 'pytorch/pytorch:2.4.0',
      command: ['python', 'train.py'], environment: { EPOCHS: '3' }, input_files: [{ input_id: 'inp_audio' }],
      script_files: [{ input_id: 'inp_script' }], expected_artifacts: ['/workspace/artifacts/transcript.txt'],
      optimize_for: 'balanced', metadata: { source: 'mcp' },
    })
    assert.equal(text(result), 'Job submitted and real compute may start. id=job_123 status=queued.')
    assert.deepEqual(result.structuredContent, { data: upstream.fixtures.submit })
  })

  test('submit_job with legacy names sends exactly the three fields (vector 5.1.8)', async () => {
    await call('submit_job', { name: 'batch-1', workload: 'batch', image: 'python:3.11-slim' })
    assert.equal(onlyRequest().raw, '{"name":"batch-1","workload_type":"batch","image":"python:3.11-slim"}')
  })

  test('upload_job_input creates a slot', async () => {
    const result = await call('upload_job_input', { filename: 'audio.wav', content_type: 'audio/wav', kind: 'input' })
    const req = onlyRequest()
    assert.deepEqual([req.method, req.url, req.raw], ['POST', '/v1/job-inputs', '{"filename":"audio.wav","content_type":"audio/wav","kind":"input"}'])
    assert.equal(text(result), 'Created upload slot for audio.wav. input_id=inp_123.')
    assert.equal(result.structuredContent.data.upload.complete_url, '/v1/job-inputs/inp_123/complete')
  })

  test('list_job_inputs', async () => {
    const result = await call('list_job_inputs', {})
    assert.deepEqual([onlyRequest().method, onlyRequest().url], ['GET', '/v1/job-inputs'])
    assert.equal(text(result), 'Found 1 uploaded job input.')
  })

  test('list_jobs clamps the limit and passes cursor and status (vector 5.1.10)', async () => {
    upstream.fixtures.jobs = { jobs: [{ job_id: 'job_1' }], next_cursor: '110' }
    const result = await call('list_jobs', { limit: 500, cursor: '10', status: 'completed' })
    assert.equal(onlyRequest().url, '/v1/mcp/jobs?limit=100&cursor=10&status=completed')
    assert.equal(text(result), 'Found 1 Jungle Grid job. next_cursor=110.')
  })

  test('list_jobs defaults to 10 and form-encodes the cursor', async () => {
    await call('list_jobs', { cursor: 'next cursor' })
    assert.equal(onlyRequest().url, '/v1/mcp/jobs?limit=10&cursor=next+cursor')
  })

  test('get_job normalises billing (vector 5.1.11)', async () => {
    upstream.fixtures.job = {
      job_id: 'job_123', status: 'pending', execution_phase: 'runtime_preparation',
      phase_started_at: '2026-06-04T10:00:00Z', phase_last_updated_at: '2026-06-04T10:06:30Z',
      wait_duration_seconds: 390, delayed_start: true,
      delay_reason: { code: 'RUNTIME_PREPARATION_DELAYED', message: 'The managed runtime has been preparing for more than 5 minutes. The workload command has not started yet.' },
      billing: { status: 'pending', total_spent_usd: 53.42525 },
    }
    const result = await call('get_job', { jobId: 'job_123' })
    assert.equal(onlyRequest().url, '/v1/mcp/jobs/job_123')
    const expected = { ...upstream.fixtures.job, billing: { status: 'pending' }, actual_cost_usd: null }
    assert.deepEqual(result.structuredContent.data, expected)
    assert.match(text(result), /phase_started_at=2026-06-04T10:00:00Z/)
    assert.match(text(result), /phase_last_updated_at=2026-06-04T10:06:30Z/)
    assert.match(text(result), /Delayed in current phase/)
  })

  test('get_job_events reads the public events route', async () => {
    const result = await call('get_job_events', { job_id: 'job_123' })
    assert.equal(onlyRequest().url, '/v1/jobs/job_123/events')
    assert.equal(text(result), 'Fetched 1 lifecycle event. Latest: Queued.')
  })

  test('get_job_logs clamps the limit (vector 5.1.9)', async () => {
    upstream.fixtures.logs = { items: [{ message: 'hello' }], next_cursor: 2 }
    const result = await call('get_job_logs', { jobId: 'job_123', limit: 5000, cursor: 'abc' })
    assert.equal(onlyRequest().url, '/v1/mcp/jobs/job_123/logs?limit=1000&cursor=abc')
    assert.equal(text(result), 'Fetched 1 log entry. next_cursor=2.')
  })

  test('cancel_job sends the default reason', async () => {
    const result = await call('cancel_job', { job_id: 'job_123' })
    const req = onlyRequest()
    assert.deepEqual([req.method, req.url], ['POST', '/v1/mcp/jobs/job_123/cancel'])
    assert.deepEqual(req.body, { reason: 'Cancelled via MCP' })
    assert.equal(text(result), 'Cancellation requested for job job_123. status=cancelled.')
  })

  test('list_artifacts', async () => {
    const result = await call('list_artifacts', { job_id: 'job_123' })
    assert.equal(onlyRequest().url, '/v1/mcp/jobs/job_123/artifacts')
    assert.equal(text(result), 'Found 1 artifact.')
  })

  test('get_artifact posts without a body and percent-encodes both ids', async () => {
    const result = await call('get_artifact', { jobId: 'job/123', artifactId: 'artifact/with space' })
    const req = onlyRequest()
    assert.equal(req.method, 'POST')
    assert.equal(req.url, '/v1/mcp/jobs/job%2F123/artifacts/artifact%2Fwith%20space/download')
    assert.equal(req.raw, '')
    assert.equal(text(result), 'Created a temporary download URL for output.txt.')
  })

  test('the {ok:true,data} envelope is unwrapped; other bodies pass whole', async () => {
    upstream.override('estimate', { body: { available: true } })
    const result = await call('estimate_job', { workload_type: 'batch' })
    assert.deepEqual(result.structuredContent.data, { available: true })
  })
})

describe('2026-07-28 (v2 client, stateless with per-request metadata)', () => {
  let v2
  before(async () => {
    v2 = await connectV2(upstream)
  })
  after(() => v2.close())

  test('negotiates 2026-07-28 via server/discover', () => {
    assert.equal(v2.client.getNegotiatedProtocolVersion(), '2026-07-28')
    assert.equal(v2.client.getProtocolEra(), 'modern')
  })

  test('lists the same tools', async () => {
    const { tools } = await v2.client.listTools()
    assert.deepEqual(tools.map((t) => t.name), [...SEED_TOOLS, 'wait_for_job'])
  })

  test('tool calls forward the same requests', async () => {
    const submitted = await v2.client.callTool({ name: 'submit_job', arguments: { name: 'n', workload_type: 'batch', image: 'i' } })
    assert.equal(text(submitted), 'Job submitted and real compute may start. id=job_123 status=queued.')
    const job = await v2.client.callTool({ name: 'get_job', arguments: { job_id: 'job_123' } })
    assert.equal(job.structuredContent.data.job_id, 'job_123')
    assert.deepEqual(upstream.apiRequests().map((r) => `${r.method} ${r.url}`), ['POST /v1/mcp/jobs', 'GET /v1/mcp/jobs/job_123'])
  })

  test('validation errors are tool results here too', async () => {
    const bad = await v2.client.callTool({ name: 'cancel_job', arguments: {} })
    assert.equal(bad.isError, true)
    assert.equal(text(bad), 'cancel_job failed: job_id is required.')
    assert.equal(upstream.apiRequests().length, 0)
  })
})
