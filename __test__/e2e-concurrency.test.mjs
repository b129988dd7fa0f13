// Many tool calls at once over one stdio session: every call gets its own answer (matched by id),
// and the fake API sees them overlap. Concurrency is proven by the fake API's max-in-flight counter,
// never by timing: the fake holds its answers until enough requests wait at once.
import { after, afterEach, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { okData, startFakeUpstream } from './helpers/fake-upstream.mjs'
import { connectV1, connectV2, text } from './helpers/mcp.mjs'

const N = 200

let api
before(async () => {
  api = await startFakeUpstream({ vectors: true })
})
after(async () => {
  await api?.stop()
})
afterEach(() => api.reset())

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
        assert.equal(text(result), `Job ${ids[i]} is running.`)
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
        calls.push(['get_job', { job_id: `job_${i}` }, (r) => assert.equal(text(r), `Job job_${i} is running.`)])
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
