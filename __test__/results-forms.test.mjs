// Every host's model can read every result (issue 10): through the official TS client, the text
// alone and structuredContent alone each carry every field an agent needs next, and no result of
// any tool exceeds the size budget in either form. Paging 3,000 log entries of 400 characters
// returns every entry exactly once.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { UPLOAD_TOKEN } from './helpers/fake-upstream.mjs'
import { connectV1, spawnRaw, stdioSuite, text } from './helpers/mcp.mjs'

const BUDGET = 100_000

/** The two forms an agent may be given: the text (summary line + JSON) and structuredContent. */
function forms(result) {
  const all = text(result)
  const newline = all.indexOf('\n')
  assert.ok(newline > 0, `the text carries data after the summary: ${all}`)
  return { summary: all.slice(0, newline), fromText: JSON.parse(all.slice(newline + 1)), fromStructured: result.structuredContent.data }
}

const at = (value, path) => path.split('.').reduce((v, k) => (v == null ? undefined : v[k]), value)

/** Asserts the size rule on both forms. */
function withinBudget(result, budget = BUDGET) {
  assert.ok(text(result).length <= budget, `text is ${text(result).length} characters`)
  const structured = JSON.stringify(result.structuredContent)
  assert.ok(structured.length <= budget, `structuredContent is ${structured.length} characters`)
}

describe('each tool: the text alone and structuredContent alone carry what the agent needs next', () => {
  let upstream
  let mcp
  stdioSuite({ reset: false }, (s) => ({ api: upstream, mcp } = s))

  const cases = (f) => [
    ['estimate_job', { workload_type: 'batch' }, 'Estimate available. Likely route: A100. Estimated cost: $0.10-$0.20 USD.', {
      available: true, can_submit: true, likely_gpu_type: 'A100', 'estimated_cost_usd.min': 0.1, 'estimated_cost_usd.max': 0.2,
    }],
    ['upload_job_input', { filename: 'audio.wav' }, 'Created upload slot for audio.wav. input_id=inp_123.', {
      'upload.input_id': 'inp_123', 'upload.upload_url': f.upload.upload.upload_url, 'upload.token': UPLOAD_TOKEN,
      'upload.complete_url': '/v1/job-inputs/inp_123/complete', 'upload.expires_at': '2026-05-30T00:15:00Z', 'upload.method': 'PUT',
    }],
    ['list_job_inputs', {}, 'Found 1 uploaded job input.', {
      'inputs.0.input_id': 'inp_123', 'inputs.0.ready': true, 'inputs.0.status': 'uploaded', 'inputs.0.mount_path': '/workspace/inputs/audio.wav',
    }],
    ['submit_job', { name: 'b', workload_type: 'batch', image: 'python:3.11' }, 'Job submitted and real compute may start. id=job_123 status=queued.', {
      job_id: 'job_123', status: 'queued',
    }],
    ['list_jobs', {}, 'Found 1 Jungle Grid job. next_cursor=null.', {
      'jobs.0.job_id': 'job_123', 'jobs.0.status': 'completed', 'jobs.0.name': 'batch-1', next_cursor: null, has_more: false,
    }],
    ['get_job', { job_id: 'job_123' }, 'Job job_123 is running (executing).', {
      job_id: 'job_123', status: 'running', phase: 'executing', actual_cost_usd: null, 'billing.status': 'pending',
    }],
    ['get_job_events', { job_id: 'job_123' }, 'Fetched 1 lifecycle event. Latest: Queued.', {
      'items.0.id': 'evt_1', 'items.0.title': 'Queued', 'items.0.message': 'Job queued', 'items.0.phase': 'workload_execution',
    }],
    ['get_job_logs', { job_id: 'job_123' }, 'Fetched 1 log entry. next_cursor=null.', {
      'items.0.message': 'started', 'items.0.level': 'info', next_cursor: null,
    }],
    ['cancel_job', { job_id: 'job_123' }, 'Cancellation requested for job job_123. status=cancelled.', {
      job_id: 'job_123', status: 'cancelled', cancelled: true,
    }],
    ['list_artifacts', { job_id: 'job_123' }, 'Found 1 artifact.', {
      'artifacts.0.artifact_id': 'art_1', 'artifacts.0.name': 'output.txt', 'artifacts.0.size_bytes': 12, 'artifacts.0.ready': true,
    }],
    ['get_artifact', { job_id: 'job_123', artifact_id: 'art_1' }, 'Created a temporary download URL for output.txt.', {
      artifact_id: 'art_1', download_url: f.download.download_url, expires_at: '2026-05-30T00:15:00Z', ready: true,
    }],
  ]

  test('all eleven API tools', async () => {
    for (const [tool, args, summary, fields] of cases(upstream.fixtures)) {
      const result = await mcp.client.callTool({ name: tool, arguments: args })
      assert.ok(!result.isError, `${tool}: ${text(result)}`)
      const { summary: line, fromText, fromStructured } = forms(result)
      assert.equal(line, summary, tool)
      for (const [path, expected] of Object.entries(fields)) {
        assert.deepEqual(at(fromText, path), expected, `${tool} text: ${path}`)
        assert.deepEqual(at(fromStructured, path), expected, `${tool} structuredContent: ${path}`)
      }
      assert.deepEqual(fromText, fromStructured, `${tool}: both forms hold the same data`)
      withinBudget(result)
    }
  })

  test('wait_for_job says how long it waited and whether it was capped, in both forms', async () => {
    upstream.jobResponder = (id) => ({ job_id: id, status: 'completed', phase: 'finished' })
    try {
      const result = await mcp.client.callTool({ name: 'wait_for_job', arguments: { job_id: 'job_123', timeout_seconds: 1000 } })
      assert.ok(!result.isError, text(result))
      const { summary, fromText, fromStructured } = forms(result)
      assert.match(summary, /^Job job_123 is completed after \d+s\. Last log: started$/)
      for (const data of [fromText, fromStructured]) {
        assert.equal(data.job.status, 'completed')
        assert.equal(data.timed_out, false)
        assert.equal(data.capped, true, 'the 1000 s asked for is over this client\'s limit')
        assert.equal(data.wait_limit_seconds, 3, 'a client the server does not know waits 3 s per call')
        assert.equal(typeof data.waited_seconds, 'number')
        assert.equal(data.logs[0].message, 'started')
      }
    } finally {
      upstream.jobResponder = null
    }
  })

  test('events with a type, many fields: every event is in the text', async () => {
    const items = Array.from({ length: 40 }, (_, i) => ({ id: `evt_${i}`, type: `job.step_${i}`, title: `Step ${i}`, message: `message ${i}` }))
    upstream.override('events', { body: { ok: true, data: { job_id: 'job_123', items } } })
    const result = await mcp.client.callTool({ name: 'get_job_events', arguments: { job_id: 'job_123' } })
    const { fromText } = forms(result)
    assert.deepEqual(fromText.items, items)
    for (const e of items) assert.ok(text(result).includes(`"type":"${e.type}"`))
  })

  test('a cursor the tool did not return is refused with a clear message, and the server goes on', async () => {
    for (const [tool, cursor] of [['get_job_events', 'abc'], ['list_artifacts', '5'], ['get_job_logs', 'jg1:x:1:'], ['list_jobs', 'jg1:0:1:']]) {
      const before = upstream.apiRequests().length
      const result = await mcp.client.callTool({ name: tool, arguments: { job_id: 'job_123', cursor } })
      assert.equal(result.isError, true, tool)
      assert.match(text(result), new RegExp(`^${tool} failed: cursor `), text(result))
      assert.equal(upstream.apiRequests().length, before, `${tool}: no request was sent`)
    }
    const ok = await mcp.client.callTool({ name: 'list_job_inputs', arguments: {} })
    assert.ok(!ok.isError)
  })
})

describe('size budget', () => {
  let upstream
  let mcp
  stdioSuite({ reset: false }, (s) => ({ api: upstream, mcp } = s))

  /** A job's logs as the API pages them: numeric cursors, `limit` entries per page. */
  function serveLogs(entries) {
    upstream.handle('logs', (record) => {
      const query = new URLSearchParams(record.query)
      const limit = Number(query.get('limit'))
      const start = Number(query.get('cursor') ?? 0)
      const items = entries.slice(start, start + limit)
      const end = start + items.length
      const more = end < entries.length
      return { json: { ok: true, data: { job_id: 'job_big', items, next_cursor: more ? end : null, has_more: more } } }
    })
  }

  test('3,000 log entries of 400 characters: every entry exactly once, no result over budget', async () => {
    const entries = Array.from({ length: 3000 }, (_, i) => ({
      entry_id: `log_${i}`, category: 'workload_stdout', created_at: '2026-05-30T00:00:00Z',
      message: `${String(i).padStart(5, '0')} ${'x'.repeat(394)}`,
    }))
    serveLogs(entries)
    const seen = []
    let cursor
    let calls = 0
    let cutPages = 0
    for (;;) {
      const result = await mcp.client.callTool({ name: 'get_job_logs', arguments: { job_id: 'job_big', limit: 1000, ...(cursor != null ? { cursor } : {}) } })
      calls++
      assert.ok(!result.isError, text(result))
      withinBudget(result)
      const { summary, fromText, fromStructured } = forms(result)
      assert.deepEqual(fromText, fromStructured)
      seen.push(...fromText.items.map((e) => e.entry_id))
      for (const e of fromText.items) assert.equal(e.message, entries[Number(e.entry_id.slice(4))].message, 'whole entries')
      if (typeof fromText.next_cursor === 'string' && fromText.next_cursor.startsWith('jg1:')) {
        cutPages++
        assert.match(summary, /did not fit the size limit: call get_job_logs again with cursor set to next_cursor/)
        assert.equal(fromText.has_more, true)
      }
      if (fromText.next_cursor == null) break
      cursor = fromText.next_cursor
      assert.ok(calls < 100, 'paging ends')
    }
    assert.equal(seen.length, 3000)
    assert.equal(new Set(seen).size, 3000)
    assert.deepEqual(seen, entries.map((e) => e.entry_id))
    assert.ok(cutPages > 3, `pages were cut to fit (${cutPages})`)
    // Each API page of 1000 was asked for again until it was returned in full.
    const limits = new Set(upstream.apiRequests().filter((r) => r.route === 'logs').map((r) => new URLSearchParams(r.query).get('limit')))
    assert.deepEqual([...limits], ['1000'])
  })

  test('a log entry too big alone is cut, marked, and the page goes on', async () => {
    const entries = [
      { entry_id: 'a', message: 'before' },
      { entry_id: 'huge', message: 'y'.repeat(300_000) },
      { entry_id: 'b', message: 'after' },
    ]
    serveLogs(entries)
    const seen = []
    let cursor
    for (let i = 0; i < 10; i++) {
      const result = await mcp.client.callTool({ name: 'get_job_logs', arguments: { job_id: 'job_big', ...(cursor != null ? { cursor } : {}) } })
      withinBudget(result)
      const { summary, fromText } = forms(result)
      for (const e of fromText.items) {
        seen.push(e.entry_id)
        if (e.entry_id === 'huge') {
          assert.equal(e.truncated, true)
          assert.equal(e.original_length, 300_000)
          assert.match(e.message, /^y+…\[truncated: 300000 chars\]$/)
          assert.match(summary, /cut and marked truncated: true/)
        }
      }
      if (fromText.next_cursor == null) break
      cursor = fromText.next_cursor
    }
    assert.deepEqual(seen, ['a', 'huge', 'b'])
  })

  test('get_job with a huge field is cut in both forms and the summary says so', async () => {
    upstream.jobResponder = (id) => ({ job_id: id, status: 'failed', failure: { message: 'z'.repeat(500_000) } })
    try {
      const result = await mcp.client.callTool({ name: 'get_job', arguments: { job_id: 'job_123' } })
      withinBudget(result)
      const { summary, fromText, fromStructured } = forms(result)
      assert.match(summary, /^Job job_123 is failed\. This result was cut to fit the 100000-character limit/)
      for (const data of [fromText, fromStructured]) {
        assert.equal(data.job_id, 'job_123')
        assert.equal(data.status, 'failed')
        assert.match(data.failure.message, /…\[truncated: 500000 chars\]$/)
      }
    } finally {
      upstream.jobResponder = null
    }
  })

  test('list_artifacts with many artifacts pages under a small budget', async () => {
    const small = await connectV1(upstream, { env: { JUNGLE_GRID_MAX_RESULT_CHARS: '10000' } })
    try {
      const artifacts = Array.from({ length: 200 }, (_, i) => ({ artifact_id: `art_${i}`, name: `file-${i}-${'n'.repeat(100)}.txt`, ready: true, size_bytes: i }))
      const seen = []
      let cursor
      for (let i = 0; i < 50; i++) {
        upstream.override('artifacts', { body: { ok: true, data: { job_id: 'job_123', artifacts } } })
        const result = await small.client.callTool({ name: 'list_artifacts', arguments: { job_id: 'job_123', ...(cursor ? { cursor } : {}) } })
        assert.ok(!result.isError, text(result))
        withinBudget(result, 10_000)
        const { fromText } = forms(result)
        seen.push(...fromText.artifacts.map((a) => a.artifact_id))
        if (!fromText.next_cursor) break
        cursor = fromText.next_cursor
      }
      assert.deepEqual(seen, artifacts.map((a) => a.artifact_id))
    } finally {
      await small.close()
    }
  })

  test('a bad --max-result-chars stops the server at start with a message naming it', async () => {
    const child = spawnRaw(upstream, { env: { JUNGLE_GRID_MAX_RESULT_CHARS: 'lots' } })
    const [code] = await child.exited
    assert.equal(code, 1)
    assert.match(child.stderr(), /JUNGLE_GRID_MAX_RESULT_CHARS must be a whole number of characters between 10000 and 10000000, got "lots"/)
  })
})
