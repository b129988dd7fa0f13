// Drain (issue 22, item 3): on SIGTERM the hosted server, started as a user starts it (the bin with
// --http), stops taking connections (so readiness fails and a proxy retries elsewhere), lets the
// requests in flight finish within MCP_DRAIN_TIMEOUT_MS, and exits 0. A held wait_for_job in flight
// gets its whole answer; past the bound the request is cut, said on stderr, and the exit is 1.
import { afterEach, beforeEach, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { startFakeUpstream } from './helpers/fake-upstream.mjs'
import { activeToken, post, startHosted } from './helpers/http-server.mjs'
import { waitFor } from './helpers/mcp.mjs'

let api, hosted
beforeEach(async () => {
  api = await startFakeUpstream()
  api.introspection = () => activeToken('jobs:read')
  api.acceptToken = (h) => h === 'Bearer tok'
})
afterEach(async () => {
  await hosted?.stop()
  await api.stop()
})

const WAIT = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'wait_for_job', arguments: { job_id: 'job_1', timeout_seconds: 40, poll_interval_seconds: 0.2, log_lines: 0 } } }

/** The exit code, once the process has exited (listening before it can happen). */
const exited = (child) => (child.exitCode !== null ? Promise.resolve(child.exitCode) : once(child, 'exit').then(([code]) => code))

describe('SIGTERM during a held wait_for_job', () => {
  test('the wait finishes with its full answer, new connections are refused, the exit is 0', async () => {
    let status = 'running'
    api.jobResponder = (id) => ({ job_id: id, status, phase: status })
    hosted = await startHosted(api, { MCP_DRAIN_TIMEOUT_MS: '30000' })
    const ready = await fetch(`${hosted.url}/readyz`)
    assert.equal(ready.status, 200)
    assert.deepEqual(await ready.json(), { ready: true })
    const held = post(hosted.url, WAIT, { authorization: 'Bearer tok' })
    await waitFor(() => api.requestsTo('job').length >= 1, { what: 'the wait to be polling' })
    const exit = exited(hosted.child)
    hosted.child.kill('SIGTERM')
    await waitFor(() => hosted.stderr().includes('Stopping:'), { what: 'the drain to start' })
    assert.match(hosted.stderr(), /Stopping: \/readyz now answers 503 and no new connection is accepted; requests in flight have 30 s to finish \(MCP_DRAIN_TIMEOUT_MS\)/)
    // Readiness fails: the probe cannot even connect (a proxy retries a refused connection elsewhere).
    await assert.rejects(fetch(`${hosted.url}/readyz`), 'no new connection after SIGTERM')
    await assert.rejects(post(hosted.url, { jsonrpc: '2.0', id: 2, method: 'ping' }, { authorization: 'Bearer tok' }))
    // The held wait is still at work after the signal; then the job ends.
    const polls = api.requestsTo('job').length
    await waitFor(() => api.requestsTo('job').length > polls, { what: 'a poll after SIGTERM' })
    assert.equal(hosted.child.exitCode, null, 'still running while the wait is in flight')
    status = 'completed'
    const reply = await held
    assert.equal(reply.res.status, 200, reply.text)
    const data = reply.json.result.structuredContent.data
    assert.equal(data.job.status, 'completed')
    assert.equal(data.timed_out, false)
    assert.equal(await exit, 0, hosted.stderr())
    assert.match(hosted.stderr(), /Stopped: every request in flight was answered/)
  })

  test('past MCP_DRAIN_TIMEOUT_MS the wait is cut, said on stderr, and the exit is 1', async () => {
    api.jobResponder = (id) => ({ job_id: id, status: 'running' })
    hosted = await startHosted(api, { MCP_DRAIN_TIMEOUT_MS: '300' })
    // A drain bound under the longest held wait is named at start.
    assert.match(hosted.stderr(), /MCP_DRAIN_TIMEOUT_MS \(300 ms\) is not above the longest held wait \(JUNGLE_GRID_MAX_WAIT_SECONDS, 50 s\)/)
    const held = post(hosted.url, WAIT, { authorization: 'Bearer tok' }).then(() => 'answered', () => 'cut')
    await waitFor(() => api.requestsTo('job').length >= 1, { what: 'the wait to be polling' })
    const exit = exited(hosted.child)
    hosted.child.kill('SIGTERM')
    assert.equal(await exit, 1, hosted.stderr())
    assert.equal(await held, 'cut')
    assert.match(hosted.stderr(), /Stopped: 1 request\(s\) still in flight after 0\.3 s were cut \(raise MCP_DRAIN_TIMEOUT_MS/)
  })

  test('idle keep-alive connections do not hold the drain: exit 0 at once', async () => {
    hosted = await startHosted(api)
    // A few answered requests leave keep-alive connections open in this process's fetch pool.
    for (let i = 0; i < 3; i++) {
      const r = await post(hosted.url, { jsonrpc: '2.0', id: i, method: 'ping' }, { authorization: 'Bearer tok' })
      assert.equal(r.res.status, 200, r.text)
    }
    const exit = exited(hosted.child)
    hosted.child.kill('SIGTERM')
    assert.equal(await exit, 0, hosted.stderr())
    assert.match(hosted.stderr(), /Stopped: every request in flight was answered/)
  })
})
