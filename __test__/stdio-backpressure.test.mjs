// The stdio transport under a hostile or vanished host (issue 14, item 4): when stdout closes the
// server exits cleanly at once (no error line per message), and a flood of pipelined calls is
// answered completely with at most 64 calls in flight (the rest wait unread in the pipe), so
// memory stays flat. Slow upstream calls are held by the fake and released by the test, never
// by a clock.
import { after, afterEach, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { startFakeUpstream } from './helpers/fake-upstream.mjs'
import { spawnRaw } from './helpers/mcp.mjs'

const MAX_IN_FLIGHT = 64

let upstream
before(async () => {
  upstream = await startFakeUpstream()
})
after(() => upstream.stop())
afterEach(() => upstream.reset())

const getJob = (id, jobId = 'job_1') => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'get_job', arguments: { job_id: jobId } } })

/** Resolves once `predicate()` holds (a state, polled; no deadline of its own). */
function until(predicate) {
  return new Promise((resolve) => {
    const check = () => (predicate() ? resolve() : setTimeout(check, 5))
    check()
  })
}

test('the server exits cleanly and promptly when the host closes its stdout', async () => {
  const raw = spawnRaw(upstream)
  await raw.initialize()
  raw.child.stdout.destroy()
  // Every answer now hits a closed pipe (EPIPE).
  for (let i = 0; i < 50; i++) raw.send({ jsonrpc: '2.0', id: i, method: 'ping' })
  const [code, signal] = await raw.exited // would hang here (test timeout) if the server kept running
  assert.equal(signal, null)
  assert.equal(code, 0)
  const errorLines = raw.stderr().split('\n').filter((l) => /error|fail/i.test(l))
  assert.deepEqual(errorLines, [], 'no error line per message')
})

test('a flood of pipelined calls: every answer arrives, never more than 64 in flight', async () => {
  const raw = spawnRaw(upstream)
  await raw.initialize()
  const COUNT = 3000
  const lines = []
  for (let i = 0; i < COUNT; i++) lines.push(JSON.stringify(getJob(i)))
  // Hold the API's answers until the server has filled its slots, then let everything through.
  let release
  const gate = new Promise((resolve) => (release = resolve))
  upstream.hold = () => gate
  raw.child.stdin.write(lines.join('\n') + '\n')
  await until(() => upstream.inFlight >= MAX_IN_FLIGHT)
  assert.equal(upstream.inFlight, MAX_IN_FLIGHT, 'exactly the bound is in flight while the API is stalled')
  release()
  const ids = new Set()
  await raw.next((m) => {
    if (typeof m.id === 'number') {
      assert.equal(m.result && m.result.isError, false, JSON.stringify(m))
      ids.add(m.id)
    }
    return ids.size === COUNT
  }, 120000)
  assert.equal(ids.size, COUNT)
  assert.ok(upstream.maxInFlight <= MAX_IN_FLIGHT, `max in flight ${upstream.maxInFlight}`)
  assert.equal(upstream.requests.filter((r) => r.route === 'job').length, COUNT)
  assert.equal(await raw.close(), 0)
})

test('cancelled calls free their slots: a full server still answers new calls', async () => {
  const raw = spawnRaw(upstream)
  await raw.initialize()
  let release
  const gate = new Promise((resolve) => (release = resolve))
  upstream.hold = (route, url) => (url.pathname.endsWith('/stuck') ? gate : null)
  for (let i = 0; i < MAX_IN_FLIGHT; i++) raw.send(getJob(`stuck-${i}`, 'stuck'))
  await until(() => upstream.inFlight === MAX_IN_FLIGHT)
  for (let i = 0; i < MAX_IN_FLIGHT; i++) {
    raw.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: `stuck-${i}`, reason: 'test' } })
  }
  raw.send(getJob('after', 'job_2'))
  const answer = await raw.next((m) => m.id === 'after')
  assert.equal(answer.result.isError, false, JSON.stringify(answer))
  release()
  assert.equal(await raw.close(), 0)
})
