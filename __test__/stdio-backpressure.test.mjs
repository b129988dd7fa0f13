// The stdio transport under a hostile or vanished host (issue 14, item 4): when stdout closes the
// server exits cleanly at once (no error line per message), and a flood of pipelined calls is
// answered completely with at most 64 calls in flight (the rest wait unread in the pipe), so
// memory stays flat. Slow upstream calls are held by the fake and released by the test, never
// by a clock.
import { after, afterEach, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { startFakeUpstream } from './helpers/fake-upstream.mjs'
import { spawnRaw, waitFor } from './helpers/mcp.mjs'

const MAX_IN_FLIGHT = 64

let upstream
before(async () => {
  upstream = await startFakeUpstream()
})
after(() => upstream.stop())
afterEach(() => upstream.reset())

const getJob = (id, jobId = 'job_1') => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'get_job', arguments: { job_id: jobId } } })

test('the server exits cleanly and promptly when the host closes its stdout', async () => {
  const raw = spawnRaw(upstream)
  await raw.initialize()
  raw.child.stdout.destroy()
  // Every answer now hits a closed pipe (EPIPE).
  for (let i = 0; i < 50; i++) raw.send({ jsonrpc: '2.0', id: i, method: 'ping' })
  const { code, signal } = await raw.waitExit() // a hang guard: the server must not keep running
  assert.equal(signal, null)
  assert.equal(code, 0, raw.stderr())
  const errorLines = raw.stderr().split('\n').filter((l) => /error|fail/i.test(l))
  assert.deepEqual(errorLines, [], 'no error line per message')
})

test('a flood of pipelined calls: every answer arrives, never more than 64 in flight', async () => {
  const raw = spawnRaw(upstream)
  await raw.initialize()
  const COUNT = 3000
  // The API holds its answers until 64 calls wait at once (the bound is reached), then answers all.
  upstream.gate(MAX_IN_FLIGHT, 'job')
  const lines = []
  for (let i = 0; i < COUNT; i++) lines.push(JSON.stringify(getJob(i)))
  raw.child.stdin.write(lines.join('\n') + '\n')
  const answers = new Map()
  await raw.next((m) => {
    if (typeof m.id === 'number') answers.set(m.id, m)
    return answers.size === COUNT
  }, 120_000)
  assert.equal(answers.size, COUNT)
  for (const m of answers.values()) assert.equal(m.result && m.result.isError, false, JSON.stringify(m))
  // Exactly the bound: the gate opened at 64 waiting calls, and never more were in flight.
  assert.equal(upstream.maxInFlight, MAX_IN_FLIGHT)
  assert.equal(upstream.requestsTo('job').length, COUNT)
  assert.equal(await raw.close(), 0)
})

test('cancelled calls free their slots: a full server still answers new calls', async () => {
  const raw = spawnRaw(upstream)
  await raw.initialize()
  let release
  const stuck = new Promise((resolve) => (release = resolve))
  upstream.handle('job', async (record) => {
    if (record.params[0] === 'stuck') await stuck
    return { json: { ok: true, data: { job_id: record.params[0], status: 'running' } } }
  })
  for (let i = 0; i < MAX_IN_FLIGHT; i++) raw.send(getJob(`stuck-${i}`, 'stuck'))
  await waitFor(() => upstream.inFlight === MAX_IN_FLIGHT, { what: '64 calls in flight' })
  for (let i = 0; i < MAX_IN_FLIGHT; i++) {
    raw.notify('notifications/cancelled', { requestId: `stuck-${i}`, reason: 'test' })
  }
  const answer = await raw.request('tools/call', { name: 'get_job', arguments: { job_id: 'job_2' } }, 'after')
  assert.equal(answer.result.isError, false, JSON.stringify(answer))
  assert.equal(answer.result.structuredContent.data.job_id, 'job_2')
  release()
  assert.equal(await raw.close(), 0)
})
