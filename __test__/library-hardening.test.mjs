// Issue 14 item 6: the JS library cannot be polluted and always fails with JungleGridError:
// API keys like __proto__ stay data, options are read as own properties only, bad arguments are
// INVALID_ARGUMENT naming the argument, and a signal stops the request in flight.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { API_KEY } from './helpers/fake-upstream.mjs'
import { fakeApis, waitFor } from './helpers/mcp.mjs'

const require = createRequire(import.meta.url)
const { JungleGridClient, JungleGridError, startSandbox } = require('../lib/index.js')

function invalidArgument(pattern) {
  return (e) => {
    assert.ok(e instanceof JungleGridError, `not a JungleGridError: ${e && e.stack}`)
    assert.equal(e.code, 'INVALID_ARGUMENT')
    assert.match(e.message, pattern)
    return true
  }
}

describe('the JS library against a hostile API and hostile inputs', () => {
  let upstream
  let evil
  let client
  fakeApis(2, ([a, b]) => {
    upstream = a
    evil = b
    client = new JungleGridClient({ apiKey: API_KEY, apiBase: upstream.base })
  })

  test('an API answer with a __proto__ key is plain data', async () => {
    upstream.override('job', {
      body: '{"ok":true,"data":{"job_id":"job_123","status":"running","__proto__":{"isAdmin":true,"status":"completed"},"nested":{"constructor":{"prototype":{"x":1}},"__proto__":{"y":2}}}}',
    })
    const job = await client.getJob({ job_id: 'job_123' })
    assert.equal(Object.getPrototypeOf(job), Object.prototype)
    assert.equal(job.isAdmin, undefined)
    assert.equal(job.status, 'running')
    assert.ok(Object.hasOwn(job, '__proto__'))
    assert.deepEqual(Object.getOwnPropertyDescriptor(job, '__proto__').value, { isAdmin: true, status: 'completed' })
    assert.equal(job.nested.y, undefined)
    assert.ok(Object.hasOwn(job.nested, '__proto__'))
    assert.equal({}.isAdmin, undefined)
    assert.equal({}.y, undefined)
  })

  test('a polluted Object.prototype.apiBase does not send the key elsewhere', async () => {
    const saved = process.env.JUNGLEGRID_API_BASE
    process.env.JUNGLEGRID_API_BASE = upstream.base
    Object.prototype.apiBase = evil.base
    Object.prototype.apiKey = 'jg_attacker_key'
    try {
      const polluted = new JungleGridClient({ apiKey: API_KEY })
      assert.equal(polluted.apiBase, upstream.base)
      await polluted.getJob({ job_id: 'job_123' })
    } finally {
      delete Object.prototype.apiBase
      delete Object.prototype.apiKey
      if (saved === undefined) delete process.env.JUNGLEGRID_API_BASE
      else process.env.JUNGLEGRID_API_BASE = saved
    }
    assert.equal(evil.requests.length, 0, 'the attacker host got a request')
    assert.equal(upstream.apiRequests()[0].headers.authorization, `Bearer ${API_KEY}`)
  })

  test('arguments that inherit fields are refused, not read through their prototype', async () => {
    const args = Object.create({ env: { STOLEN: 'x' } })
    args.job_id = 'job_123'
    await assert.rejects(client.getJob(args), invalidArgument(/^arguments must be a plain object/))
    assert.equal(upstream.apiRequests().length, 0)
  })

  test('every non-JSON argument is an INVALID_ARGUMENT naming it', async () => {
    const cycle = { name: 'c', workload_type: 'batch', image: 'x' }
    cycle.metadata = { self: cycle }
    const cases = [
      [{ job_id: 10n }, /arguments\.job_id is a BigInt/],
      [{ job_id: () => 'job_123' }, /arguments\.job_id is a function/],
      [{ job_id: Symbol('x') }, /arguments\.job_id is a symbol/],
      [{ job_id: 'job_123', extra: [1, Number.NaN] }, /arguments\.extra\[1\] must be a finite number/],
      [{ job_id: new Map() }, /arguments\.job_id must be a plain object/],
    ]
    for (const [args, pattern] of cases) {
      await assert.rejects(client.getJob(args), invalidArgument(pattern))
    }
    await assert.rejects(client.submitJob(cycle), invalidArgument(/arguments\.metadata\.self refers back to itself/))
    for (const bad of ['job_123', 42, true, [], 5n]) {
      await assert.rejects(client.getJob(bad), invalidArgument(/arguments must be an object/))
    }
    await assert.rejects(client.getJob({ job_id: 'job_123' }, { signal: 'soon' }), invalidArgument(/signal must be an AbortSignal/))
    await assert.rejects(client.waitForJob('job_123', { timeoutMs: 10n }), invalidArgument(/timeoutMs must be a positive number/))
    await assert.rejects(client.uploadFile(Buffer.from('x'), { filename: 7 }), invalidArgument(/filename must be a string/))
    await assert.rejects(client.downloadArtifact(1n, 'art_1', '/tmp/x'), invalidArgument(/jobId must be a string/))
    assert.throws(() => new JungleGridClient({ apiKey: API_KEY, apiBase: 5n }), invalidArgument(/apiBase must be a string/))
    assert.throws(() => new JungleGridClient('key'), invalidArgument(/options must be an object/))
    await assert.rejects(startSandbox({ timeScale: 2n }), invalidArgument(/timeScale must be a positive number/))
    await assert.rejects(startSandbox({ dir: 7 }), invalidArgument(/dir must be a string/))
    assert.equal(upstream.apiRequests().length, 0, 'a bad argument reached the API')
  })

  test('abort stops getJob in flight', async () => {
    // The answer is held back (a gate that needs two requests while only one comes).
    upstream.gate(2, 'job')
    const controller = new AbortController()
    const pending = client.getJob({ job_id: 'job_123' }, { signal: controller.signal })
    await upstream.waitForRequests(1)
    assert.equal(upstream.inFlight, 1)
    controller.abort()
    await assert.rejects(pending, (e) => {
      assert.ok(e instanceof JungleGridError)
      assert.equal(e.code, 'ABORTED')
      return true
    })
    // The native request itself was dropped: the API saw the client go away, unanswered.
    await waitFor(() => upstream.inFlight === 0, { what: 'the client to close the connection' })
  })

  test('abort stops waitForJob while its request is in flight', async () => {
    upstream.gate(2, 'job')
    const controller = new AbortController()
    const waiting = client.waitForJob('job_123', { signal: controller.signal, pollIntervalMs: 1000 })
    await upstream.waitForRequests(1)
    assert.equal(upstream.inFlight, 1)
    controller.abort(new Error('user gave up'))
    await assert.rejects(waiting, (e) => {
      assert.ok(e instanceof JungleGridError)
      assert.equal(e.code, 'ABORTED')
      assert.equal(e.message, 'user gave up')
      return true
    })
    await waitFor(() => upstream.inFlight === 0, { what: 'the poll request to be dropped' })
    assert.equal(upstream.apiRequests().length, 1)
  })

  test('an already aborted signal makes no request', async () => {
    const controller = new AbortController()
    controller.abort()
    await assert.rejects(client.listJobs({}, { signal: controller.signal }), (e) => e instanceof JungleGridError && e.code === 'ABORTED')
    assert.equal(upstream.apiRequests().length, 0)
  })

  test('a signal that never fires changes nothing', async () => {
    const controller = new AbortController()
    const job = await client.getJob({ job_id: 'job_123' }, { signal: controller.signal })
    assert.equal(job.job_id, 'job_123')
    controller.abort() // after the call: harmless
  })

  test('errors from the addon itself are JungleGridError too', async () => {
    await assert.rejects(startSandbox({ dir: '/proc/version/not-a-dir' }), (e) => {
      assert.ok(e instanceof JungleGridError, String(e))
      assert.equal(e.code, 'SANDBOX_START_FAILED')
      return true
    })
  })
})
