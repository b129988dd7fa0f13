// Every tool's happy path through the official TypeScript SDK clients (v1, 2025 revisions; v2 pinned to
// 2026-07-28), spawned as a host does, asserting the exact request the fake API received (method, raw
// path and query, headers, exact JSON body) and the result: the summary text (contract Part B 3.3),
// structuredContent.data, and the SDK's own outputSchema validation. Also many calls in flight at
// once over one session (proven by the fake API's in-flight high-water mark, never by timing).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { API_KEY, okData } from './helpers/fake-upstream.mjs'
import { connectV1, connectV2, SEED_TOOLS, stdioSuite, summaryLine, text } from './helpers/mcp.mjs'

describe('default fixtures', () => {
  let upstream
  let mcp
  stdioSuite({}, (s) => ({ api: upstream, mcp } = s))

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
      assert.equal(summaryLine(result), 'Estimate available. Likely route: A100. Estimated cost: $0.10-$0.20 USD.')
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
      assert.equal(summaryLine(result), 'Job submitted and real compute may start. id=job_123 status=queued.')
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
      assert.equal(summaryLine(result), 'Created upload slot for audio.wav. input_id=inp_123.')
      assert.equal(result.structuredContent.data.upload.complete_url, '/v1/job-inputs/inp_123/complete')
    })

    test('list_job_inputs', async () => {
      const result = await call('list_job_inputs', {})
      assert.deepEqual([onlyRequest().method, onlyRequest().url], ['GET', '/v1/job-inputs'])
      assert.equal(summaryLine(result), 'Found 1 uploaded job input.')
    })

    test('list_jobs clamps the limit and passes cursor and status (vector 5.1.10)', async () => {
      upstream.fixtures.jobs = { jobs: [{ job_id: 'job_1' }], next_cursor: '110' }
      const result = await call('list_jobs', { limit: 500, cursor: '10', status: 'completed' })
      assert.equal(onlyRequest().url, '/v1/mcp/jobs?limit=100&cursor=10&status=completed')
      assert.equal(summaryLine(result), 'Found 1 Jungle Grid job. next_cursor=110.')
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
      assert.equal(summaryLine(result), 'Fetched 1 lifecycle event. Latest: Queued.')
    })

    test('get_job_logs clamps the limit (vector 5.1.9)', async () => {
      upstream.fixtures.logs = { items: [{ message: 'hello' }], next_cursor: 2 }
      const result = await call('get_job_logs', { jobId: 'job_123', limit: 5000, cursor: 'abc' })
      assert.equal(onlyRequest().url, '/v1/mcp/jobs/job_123/logs?limit=1000&cursor=abc')
      assert.equal(summaryLine(result), 'Fetched 1 log entry. next_cursor=2.')
    })

    test('cancel_job sends the default reason', async () => {
      const result = await call('cancel_job', { job_id: 'job_123' })
      const req = onlyRequest()
      assert.deepEqual([req.method, req.url], ['POST', '/v1/mcp/jobs/job_123/cancel'])
      assert.deepEqual(req.body, { reason: 'Cancelled via MCP' })
      assert.equal(summaryLine(result), 'Cancellation requested for job job_123. status=cancelled.')
    })

    test('list_artifacts', async () => {
      const result = await call('list_artifacts', { job_id: 'job_123' })
      assert.equal(onlyRequest().url, '/v1/mcp/jobs/job_123/artifacts')
      assert.equal(summaryLine(result), 'Found 1 artifact.')
    })

    test('get_artifact posts without a body and percent-encodes both ids', async () => {
      const result = await call('get_artifact', { jobId: 'job/123', artifactId: 'artifact/with space' })
      const req = onlyRequest()
      assert.equal(req.method, 'POST')
      assert.equal(req.url, '/v1/mcp/jobs/job%2F123/artifacts/artifact%2Fwith%20space/download')
      assert.equal(req.raw, '')
      assert.equal(summaryLine(result), 'Created a temporary download URL for output.txt.')
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
      assert.equal(summaryLine(submitted), 'Job submitted and real compute may start. id=job_123 status=queued.')
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
})

describe('TS test vectors (5.1, 5.2), results validated by the SDK', () => {
  let api
  let mcp
  stdioSuite({ vectors: true, listTools: true }, (s) => ({ api, mcp } = s))

  /** The single request the fake API got, with the headers every request must carry (1.1). */
  function onlyRequest() {
    assert.equal(api.requests.length, 1, `expected exactly one API request, got ${JSON.stringify(api.requests.map((r) => `${r.method} ${r.url}`))}`)
    const [req] = api.requests
    assert.equal(req.headers.authorization, `Bearer ${API_KEY}`, 'Authorization')
    assert.equal(req.headers.accept, 'application/json', 'Accept')
    assert.equal(req.headers['content-type'], 'application/json', 'Content-Type')
    return req
  }

  /** A successful result: no isError, the summary, and structuredContent exactly {data}. */
  function assertOk(result, summary, data) {
    assert.notEqual(result.isError, true, `unexpected error: ${text(result)}`)
    assert.equal(result.content.length, 1)
    assert.equal(result.content[0].type, 'text')
    assert.equal(summaryLine(result), summary)
    assert.deepEqual(JSON.parse(text(result).slice(summary.length + 1)), data, 'the text carries the same data')
    assert.deepEqual(result.structuredContent, { data })
  }

  describe('output validation is live', () => {
    test('the SDK holds an outputSchema validator for every tool; it accepts {data} and rejects a result without data', () => {
      for (const name of ['estimate_job', 'submit_job', 'upload_job_input', 'list_job_inputs', 'list_jobs', 'get_job',
        'get_job_events', 'get_job_logs', 'cancel_job', 'list_artifacts', 'get_artifact']) {
        const validate = mcp.client.getToolOutputValidator(name)
        assert.equal(typeof validate, 'function', `${name} has a validator`)
        assert.equal(validate({ data: null }).valid, true, `${name} accepts data: null`)
        assert.equal(validate({}).valid, false, `${name} rejects a result without data`)
      }
    })
  })

  describe('estimate_job', () => {
    test('minimal call: POST /v1/mcp/jobs/estimate with exactly {"workload_type":"batch"} (5.2.1, 5.1.4)', async () => {
      const result = await mcp.call('estimate_job', { workload_type: 'batch' })
      const req = onlyRequest()
      assert.equal(req.method, 'POST')
      assert.equal(req.url, '/v1/mcp/jobs/estimate')
      assert.equal(req.raw, '{"workload_type":"batch"}')
      assertOk(result, 'Estimate available. Likely route: best available route. Estimated cost: $0.10-$0.20 USD.', api.fixtures.estimate)
      assert.ok(!text(result).includes('[object Object]'))
    })

    test('seed names map to API fields (5.1.6): fine_tuning -> fine-tuning, model_size -> model_size_gb, routing_mode -> optimize_for', async () => {
      await mcp.call('estimate_job', {
        workload_type: 'fine_tuning', model_size: 7, image: 'pytorch/pytorch:2.2.0-cuda12.1-cudnn8-runtime',
        command: ['python', 'train.py'], routing_mode: 'cost', template: 'lora', notes: 'cheap route',
      })
      const req = onlyRequest()
      assert.deepEqual(req.body, {
        workload_type: 'fine-tuning', model_size_gb: 7, image: 'pytorch/pytorch:2.2.0-cuda12.1-cudnn8-runtime',
        command: ['python', 'train.py'], optimize_for: 'cost', template: 'lora', notes: 'cheap route',
      })
      // Keys in the order of the mapping table (1.4).
      assert.deepEqual(Object.keys(req.body), ['workload_type', 'model_size_gb', 'image', 'command', 'optimize_for', 'template', 'notes'])
    })

    test('an integer model_size is forwarded as given: "model_size_gb":7, not 7.0 (1.4 "passed as is")', async () => {
      await mcp.call('estimate_job', { workload_type: 'batch', model_size: 7 })
      assert.equal(onlyRequest().raw, '{"workload_type":"batch","model_size_gb":7}')
      api.reset()
      await mcp.call('estimate_job', { workload_type: 'batch', model_size: 6.5 })
      assert.equal(onlyRequest().raw, '{"workload_type":"batch","model_size_gb":6.5}')
    })

    test('legacy workload alias, fine-tuning spelling, string command and args (4.1, 5.1.6 V3/V4 variant)', async () => {
      await mcp.call('estimate_job', { workload: 'fine-tuning', command: '  python  ', args: ['train.py', ' --epochs=3'], image: '  img  ' })
      const req = onlyRequest()
      assert.deepEqual(req.body, { workload_type: 'fine-tuning', image: 'img', command: 'python', args: ['train.py', ' --epochs=3'] })
    })

    test('blank optional strings are dropped, not sent', async () => {
      await mcp.call('estimate_job', { workload_type: 'inference', image: '   ', template: '', notes: null })
      assert.equal(onlyRequest().raw, '{"workload_type":"inference"}')
    })

    test('cost is printed as numbers with the GPU route; unavailable estimates say so', async () => {
      api.fixtures.estimate = { available: true, likely_gpu_type: 'A100', estimated_cost_usd: { min: 0.1, max: 0.2 } }
      let result = await mcp.call('estimate_job', { workload_type: 'batch' })
      assert.equal(summaryLine(result), 'Estimate available. Likely route: A100. Estimated cost: $0.10-$0.20 USD.')
      api.reset()
      api.fixtures.estimate = { available: false, routed_gpu_tier: 'datacenter', estimated_cost_min_usd: 0.5, estimated_cost_max_usd: 1.25 }
      result = await mcp.call('estimate_job', { workload_type: 'batch' })
      assert.equal(summaryLine(result), 'Estimate not currently available. Likely route: datacenter. Estimated cost: $0.50-$1.25 USD.')
      assert.deepEqual(result.structuredContent.data, api.fixtures.estimate)
      api.reset()
      api.fixtures.estimate = { available: true }
      result = await mcp.call('estimate_job', { workload_type: 'batch' })
      assert.equal(summaryLine(result), 'Estimate available. Likely route: best available route. Estimated cost: unknown USD.')
    })

    test('a body without the envelope is returned whole (5.2.1)', async () => {
      api.override('estimate', { json: { available: true } })
      const result = await mcp.call('estimate_job', { workload_type: 'batch' })
      assert.deepEqual(result.structuredContent, { data: { available: true } })
    })
  })

  describe('submit_job', () => {
    test('full mapping (5.1.7): env -> environment, {input_id} files, routing_mode -> optimize_for', async () => {
      const result = await mcp.call('submit_job', {
        name: 'mnist-train', workload_type: 'training', image: 'pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime',
        command: ['python', 'train.py'], env: { EPOCHS: '3' }, input_files: [{ input_id: 'inp_audio' }],
        script_files: [{ input_id: 'inp_script' }], expected_artifacts: ['/workspace/artifacts/transcript.txt'],
        routing_mode: 'balanced', metadata: { source: 'mcp' },
      })
      const req = onlyRequest()
      assert.equal(req.method, 'POST')
      assert.equal(req.url, '/v1/mcp/jobs')
      assert.deepEqual(req.body, {
        name: 'mnist-train', workload_type: 'training', image: 'pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime',
        command: ['python', 'train.py'], environment: { EPOCHS: '3' }, input_files: [{ input_id: 'inp_audio' }],
        script_files: [{ input_id: 'inp_script' }], expected_artifacts: ['/workspace/artifacts/transcript.txt'],
        optimize_for: 'balanced', metadata: { source: 'mcp' },
      })
      assert.deepEqual(Object.keys(req.body), [
        'name', 'workload_type', 'image', 'command', 'environment', 'input_files', 'script_files',
        'expected_artifacts', 'optimize_for', 'metadata',
      ])
      assertOk(result, 'Job submitted and real compute may start. id=job_123 status=queued.', api.fixtures.submit)
    })

    test('legacy args {name, workload, image} give exactly the three fields (5.1.8)', async () => {
      const result = await mcp.call('submit_job', { name: 'batch-1', workload: 'batch', image: 'python:3.11-slim' })
      assert.equal(onlyRequest().raw, '{"name":"batch-1","workload_type":"batch","image":"python:3.11-slim"}')
      assert.match(text(result), /real compute may start/)
    })

    test('string input ids become {input_id}; extra item keys dropped; ids, name and image trimmed', async () => {
      await mcp.call('submit_job', {
        name: '  job-a ', workload_type: 'fine_tuning', image: ' img:1 ',
        input_files: ['inp_audio', { input_id: ' inp_b ', extra: 1 }], script_files: [' inp_script '],
        script_file: ' inp_legacy ', model_size: 13, template: ' lora ',
      })
      const req = onlyRequest()
      assert.deepEqual(req.body, {
        name: 'job-a', workload_type: 'fine-tuning', image: 'img:1',
        input_files: [{ input_id: 'inp_audio' }, { input_id: 'inp_b' }], script_files: [{ input_id: 'inp_script' }],
        script_file: 'inp_legacy', template: 'lora', model_size_gb: 13,
      })
    })

    test('summary falls back to id and "submitted" when the API omits job_id and status', async () => {
      api.fixtures.submit = { id: 'job_alt' }
      const result = await mcp.call('submit_job', { name: 'n', workload_type: 'batch', image: 'i' })
      assertOk(result, 'Job submitted and real compute may start. id=job_alt status=submitted.', { id: 'job_alt' })
    })
  })

  describe('upload_job_input and list_job_inputs', () => {
    test('upload_job_input: POST /v1/job-inputs with the exact body, slot returned whole (1.5)', async () => {
      const result = await mcp.call('upload_job_input', { filename: 'audio.wav', content_type: 'audio/wav', kind: 'input' })
      const req = onlyRequest()
      assert.equal(req.method, 'POST')
      assert.equal(req.url, '/v1/job-inputs')
      assert.equal(req.raw, '{"filename":"audio.wav","content_type":"audio/wav","kind":"input"}')
      assertOk(result, 'Created upload slot for audio.wav. input_id=inp_123.', api.fixtures.upload)
      assert.equal(result.structuredContent.data.upload.complete_url, '/v1/job-inputs/inp_123/complete')
    })

    test('upload body drops absent keys and trims (5.7 Flowise)', async () => {
      await mcp.call('upload_job_input', { filename: ' script.py ', kind: 'script' })
      assert.equal(onlyRequest().raw, '{"filename":"script.py","kind":"script"}')
    })

    test('list_job_inputs: GET /v1/job-inputs, no query, no body', async () => {
      const result = await mcp.call('list_job_inputs', {})
      const req = onlyRequest()
      assert.equal(req.method, 'GET')
      assert.equal(req.url, '/v1/job-inputs')
      assert.equal(req.raw, '')
      assertOk(result, 'Found 1 uploaded job input.', api.fixtures.inputs)
    })

    test('list_job_inputs plural and empty', async () => {
      api.fixtures.inputs = { inputs: [] }
      const result = await mcp.call('list_job_inputs', {})
      assertOk(result, 'Found 0 uploaded job inputs.', { inputs: [] })
    })
  })

  describe('list_jobs', () => {
    test('{limit: 10}: GET /v1/mcp/jobs?limit=10 (5.1.4)', async () => {
      const result = await mcp.call('list_jobs', { limit: 10 })
      const req = onlyRequest()
      assert.equal(req.method, 'GET')
      assert.equal(req.url, '/v1/mcp/jobs?limit=10')
      assert.equal(req.raw, '')
      assertOk(result, 'Found 1 Jungle Grid job. next_cursor=null.', api.fixtures.jobs)
    })

    test('limit 500 is clamped to 100 with cursor and status (5.1.10)', async () => {
      api.fixtures.jobs = { jobs: [{ job_id: 'job_1', status: 'completed' }], next_cursor: '110' }
      const result = await mcp.call('list_jobs', { limit: 500, cursor: '10', status: 'completed' })
      assert.equal(onlyRequest().url, '/v1/mcp/jobs?limit=100&cursor=10&status=completed')
      assertOk(result, 'Found 1 Jungle Grid job. next_cursor=110.', api.fixtures.jobs)
    })

    test('query order and encoding (5.2.3, 5.7): default limit 10, form-encoded cursor, blank values dropped', async () => {
      await mcp.call('list_jobs', { limit: 10, cursor: '20', status: 'running' })
      assert.equal(onlyRequest().url, '/v1/mcp/jobs?limit=10&cursor=20&status=running')
      api.reset()
      await mcp.call('list_jobs', { cursor: 'next cursor', status: ' starting ' })
      assert.equal(onlyRequest().url, '/v1/mcp/jobs?limit=10&cursor=next+cursor&status=starting')
      api.reset()
      await mcp.call('list_jobs', { cursor: '   ', status: '' })
      assert.equal(onlyRequest().url, '/v1/mcp/jobs?limit=10')
    })

    test('a fractional limit is floored; several jobs are plural', async () => {
      api.fixtures.jobs = { jobs: [{ job_id: 'a' }, { job_id: 'b' }], next_cursor: 'c2', has_more: true }
      const result = await mcp.call('list_jobs', { limit: 25.9 })
      assert.equal(onlyRequest().url, '/v1/mcp/jobs?limit=25')
      assert.equal(summaryLine(result), 'Found 2 Jungle Grid jobs. next_cursor=c2.')
    })
  })

  describe('get_job', () => {
    test('GET /v1/mcp/jobs/{id}: data as returned when already normal (5.1.4)', async () => {
      const result = await mcp.call('get_job', { job_id: 'job_123' })
      const req = onlyRequest()
      assert.equal(req.method, 'GET')
      assert.equal(req.url, '/v1/mcp/jobs/job_123')
      assert.equal(req.raw, '')
      assertOk(result, 'Job job_123 is running (executing).', api.fixtures.job)
      assert.equal(result.structuredContent.data.account_billing.lifetime_total_spent_usd, 12.5)
    })

    test('billing normalisation and timing summary (5.1.11), with the legacy jobId alias', async () => {
      const body = {
        job_id: 'job_123', status: 'pending', execution_phase: 'runtime_preparation',
        phase_started_at: '2026-06-04T10:00:00Z', phase_last_updated_at: '2026-06-04T10:06:30Z',
        wait_duration_seconds: 390, delayed_start: true,
        delay_reason: {
          code: 'RUNTIME_PREPARATION_DELAYED',
          message: 'The managed runtime has been preparing for more than 5 minutes. The workload command has not started yet.',
        },
        billing: { status: 'pending', total_spent_usd: 53.42525 },
      }
      api.fixtures.job = body
      const result = await mcp.call('get_job', { jobId: 'job_123' })
      assert.equal(onlyRequest().url, '/v1/mcp/jobs/job_123')
      const { billing, ...rest } = body
      assert.deepEqual(result.structuredContent.data, { ...rest, billing: { status: 'pending' }, actual_cost_usd: null })
      const summary = summaryLine(result)
      assert.match(summary, /phase_started_at=2026-06-04T10:00:00Z/)
      assert.match(summary, /phase_last_updated_at=2026-06-04T10:06:30Z/)
      assert.match(summary, /Delayed in current phase/)
      assert.equal(summary, 'Job job_123 is pending (runtime_preparation). phase_started_at=2026-06-04T10:00:00Z ' +
        'phase_last_updated_at=2026-06-04T10:06:30Z Delayed in current phase: The managed runtime has been preparing ' +
        'for more than 5 minutes. The workload command has not started yet.')
      assert.ok(!JSON.stringify(result.structuredContent).includes('53.42525'), 'account total removed from the job')
    })

    test('billing fallbacks (3.4): final_cost_usd becomes actual_cost_usd; cost_usd and totals removed', async () => {
      api.fixtures.job = {
        job_id: 'job_9', status: 'completed', total_spent_usd: 99,
        billing: { status: 'final', final_cost_usd: 1.25, cost_usd: 9, total_spent_usd: 99 },
      }
      const result = await mcp.call('get_job', { job_id: 'job_9' })
      assert.deepEqual(result.structuredContent.data, {
        job_id: 'job_9', status: 'completed', billing: { status: 'final', final_cost_usd: 1.25, actual_cost_usd: 1.25 }, actual_cost_usd: 1.25,
      })
      assert.equal(summaryLine(result), 'Job job_9 is completed.')
    })

    test('the 5.2.4 envelope is unwrapped exactly', async () => {
      api.override('job', { json: { ok: true, data: { job_id: 'job-1', status: 'queued' } } })
      const result = await mcp.call('get_job', { job_id: 'job-1' })
      assertOk(result, 'Job job-1 is queued.', { job_id: 'job-1', status: 'queued', actual_cost_usd: null })
    })
  })

  describe('get_job_events', () => {
    test('GET /v1/jobs/{id}/events (public family, no /mcp)', async () => {
      const result = await mcp.call('get_job_events', { job_id: 'job_123' })
      const req = onlyRequest()
      assert.equal(req.method, 'GET')
      assert.equal(req.url, '/v1/jobs/job_123/events')
      assertOk(result, 'Fetched 1 lifecycle event. Latest: Workload started.', api.fixtures.events)
    })

    test('plural, latest is the last item, legacy jobId', async () => {
      api.fixtures.events = { items: [{ id: 'e1', title: 'Queued' }, { id: 'e2', title: 'Scheduled' }, { id: 'e3', title: 'Provisioning' }] }
      const result = await mcp.call('get_job_events', { jobId: 'job_7' })
      assert.equal(onlyRequest().url, '/v1/jobs/job_7/events')
      assert.equal(summaryLine(result), 'Fetched 3 lifecycle events. Latest: Provisioning.')
    })
  })

  describe('get_job_logs', () => {
    test('defaults: limit=100; legacy logs[] are not counted (5.1.4)', async () => {
      const result = await mcp.call('get_job_logs', { job_id: 'job_123' })
      const req = onlyRequest()
      assert.equal(req.method, 'GET')
      assert.equal(req.url, '/v1/mcp/jobs/job_123/logs?limit=100')
      assertOk(result, 'Fetched 0 log entries. next_cursor=null.', api.fixtures.logs)
    })

    test('limit 5000 -> 1000, cursor passed; text exactly "Fetched 1 log entry. next_cursor=2." (5.1.9)', async () => {
      api.fixtures.logs = { items: [{ message: 'hello' }], next_cursor: 2 }
      const result = await mcp.call('get_job_logs', { jobId: 'job_123', limit: 5000, cursor: 'abc' })
      assert.equal(onlyRequest().url, '/v1/mcp/jobs/job_123/logs?limit=1000&cursor=abc')
      assertOk(result, 'Fetched 1 log entry. next_cursor=2.', api.fixtures.logs)
    })

    test('percent-encoded id and query (5.2.2), numeric cursor, usage hint appended', async () => {
      api.fixtures.logs = {
        items: [{ message: 'a', category: 'platform' }, { message: 'b', category: 'workload_stdout' }],
        next_cursor: null, usage_hint: 'Call get_job_events while the job is starting.',
      }
      const result = await mcp.call('get_job_logs', { job_id: 'job 1', limit: 50, cursor: 'cursor-1' })
      assert.equal(onlyRequest().url, '/v1/mcp/jobs/job%201/logs?limit=50&cursor=cursor-1')
      assert.equal(summaryLine(result), 'Fetched 2 log entries. next_cursor=null. Call get_job_events while the job is starting.')
      api.reset()
      await mcp.call('get_job_logs', { job_id: 'job_1', cursor: 2 })
      assert.equal(onlyRequest().url, '/v1/mcp/jobs/job_1/logs?limit=100&cursor=2')
    })
  })

  describe('cancel_job', () => {
    test('POST /v1/mcp/jobs/{id}/cancel with the default reason "Cancelled via MCP"', async () => {
      const result = await mcp.call('cancel_job', { job_id: 'job_123' })
      const req = onlyRequest()
      assert.equal(req.method, 'POST')
      assert.equal(req.url, '/v1/mcp/jobs/job_123/cancel')
      assert.equal(req.raw, '{"reason":"Cancelled via MCP"}')
      assertOk(result, 'Cancellation requested for job job_123. status=cancelled.', api.fixtures.cancel)
    })

    test('the reason is trimmed; a blank reason gets the default; legacy jobId', async () => {
      await mcp.call('cancel_job', { jobId: ' job_123 ', reason: ' user requested ' })
      let req = onlyRequest()
      assert.equal(req.url, '/v1/mcp/jobs/job_123/cancel')
      assert.equal(req.raw, '{"reason":"user requested"}')
      api.reset()
      await mcp.call('cancel_job', { job_id: 'job_123', reason: '   ' })
      req = onlyRequest()
      assert.deepEqual(req.body, { reason: 'Cancelled via MCP' })
    })

    test('no status in the answer: no status suffix', async () => {
      api.fixtures.cancel = { cancelled: true }
      const result = await mcp.call('cancel_job', { job_id: 'job_5' })
      assertOk(result, 'Cancellation requested for job job_5.', { cancelled: true })
    })
  })

  describe('list_artifacts and get_artifact', () => {
    test('list_artifacts: GET /v1/mcp/jobs/{id}/artifacts', async () => {
      const result = await mcp.call('list_artifacts', { job_id: 'job_123' })
      const req = onlyRequest()
      assert.equal(req.method, 'GET')
      assert.equal(req.url, '/v1/mcp/jobs/job_123/artifacts')
      assertOk(result, 'Found 1 artifact.', api.fixtures.artifacts)
    })

    test('list_artifacts plural', async () => {
      api.fixtures.artifacts = { artifacts: [{ name: 'a' }, { name: 'b' }] }
      const result = await mcp.call('list_artifacts', { jobId: 'job_123' })
      assert.equal(summaryLine(result), 'Found 2 artifacts.')
    })

    test('get_artifact: POST .../artifacts/{aid}/download with no body, legacy jobId/artifactId (5.1.4)', async () => {
      const result = await mcp.call('get_artifact', { jobId: 'job_123', artifactId: 'artifact_1' })
      const req = onlyRequest()
      assert.equal(req.method, 'POST')
      assert.equal(req.url, '/v1/mcp/jobs/job_123/artifacts/artifact_1/download')
      assert.equal(req.raw, '')
      assertOk(result, 'Created a temporary download URL for output.txt.', api.fixtures.download)
    })

    test('get_artifact with seed names; both ids percent-encoded (5.7 Langflow)', async () => {
      await mcp.call('get_artifact', { job_id: 'job/123', artifact_id: 'artifact/with space' })
      assert.equal(onlyRequest().url, '/v1/mcp/jobs/job%2F123/artifacts/artifact%2Fwith%20space/download')
    })

    test('summary reads the nested artifact.filename first (3.3)', async () => {
      api.fixtures.download = { artifact_name: 'listed-name.txt', artifact: { filename: 'nested.txt' }, download_url: 'https://x/y' }
      const result = await mcp.call('get_artifact', { job_id: 'j', artifact_id: 'a' })
      assert.equal(summaryLine(result), 'Created a temporary download URL for nested.txt.')
    })
  })
})

describe('concurrency, TS test vectors', () => {
  const N = 200

  let api
  stdioSuite({ vectors: true, client: null }, (s) => ({ api } = s))

  /** get_job answers with the id it was asked for, once `overlap` requests are in flight at once. */
  function echoJobs(overlap) {
    api.gate(overlap, 'job')
    api.handle('job', (req) => okData({ job_id: decodeURIComponent(req.params[0]), status: 'running', seq: Number(req.params[0].split('_')[1]) }))
  }

  describe('concurrent tool calls', () => {
    test(`${N} concurrent get_job calls (v1 client) all succeed with their own data, overlapping upstream`, async () => {
      echoJobs(50)
      const mcp = await connectV1(api, { listTools: true })
      try {
        const ids = Array.from({ length: N }, (_, i) => `job_${i}`)
        const results = await Promise.all(ids.map((id) => mcp.call('get_job', { job_id: id })))
        results.forEach((result, i) => {
          assert.notEqual(result.isError, true, `${ids[i]}: ${text(result)}`)
          assert.equal(summaryLine(result), `Job ${ids[i]} is running.`)
          assert.deepEqual(result.structuredContent.data, { job_id: ids[i], status: 'running', seq: i, actual_cost_usd: null })
        })
        assert.equal(api.requests.length, N, 'one API request per call, none retried')
        assert.deepEqual(new Set(api.requests.map((r) => r.url)), new Set(ids.map((id) => `/v1/mcp/jobs/${id}`)))
        assert.ok(api.maxInFlight >= 50, `max requests in flight at the fake API: ${api.maxInFlight}`)
      } finally {
        await mcp.close()
      }
    })

    test('a mix of tools in parallel, with failures among them, keeps every answer with its request', async () => {
      echoJobs(2)
      api.handle('cancel', (req) => ({ status: 409, json: { ok: false, error: { code: 'CONFLICT', message: `job ${decodeURIComponent(req.params[0])} is already completed` } } }))
      const mcp = await connectV1(api, { listTools: true })
      try {
        const calls = []
        for (let i = 0; i < 60; i++) {
          calls.push(['get_job', { job_id: `job_${i}` }, (r) => assert.equal(summaryLine(r), `Job job_${i} is running.`)])
          calls.push(['cancel_job', { job_id: `job_${i}` }, (r) => assert.equal(text(r), `cancel_job failed: CONFLICT: job job_${i} is already completed`)])
          calls.push(['get_job', { job_id: '..' }, (r) => assert.equal(text(r), 'get_job failed: job_id is not a valid id.')])
        }
        const results = await Promise.all(calls.map(([name, args]) => mcp.call(name, args)))
        results.forEach((r, i) => calls[i][2](r))
        assert.equal(api.requests.length, 120)
        assert.ok(api.maxInFlight > 1, `max in flight ${api.maxInFlight}`)
      } finally {
        await mcp.close()
      }
    })

    test('the 2026-07-28 client gets the same concurrency', async () => {
      echoJobs(25)
      const v2 = await connectV2(api, { listTools: true })
      try {
        const ids = Array.from({ length: 100 }, (_, i) => `job_${i}`)
        const results = await Promise.all(ids.map((id) => v2.call('get_job', { job_id: id })))
        results.forEach((r, i) => assert.equal(r.structuredContent.data.job_id, ids[i]))
        assert.ok(api.maxInFlight >= 25, `max in flight ${api.maxInFlight}`)
      } finally {
        await v2.close()
      }
    })
  })
})

describe('concurrency, default fixtures', () => {
  let upstream
  let mcp
  stdioSuite({}, (s) => ({ api: upstream, mcp } = s))

  const call = (name, args) => mcp.client.callTool({ name, arguments: args })

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
})
