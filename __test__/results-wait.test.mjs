// wait_for_job fits the host (issue 10): with default arguments and default settings, a wait on a
// job that never finishes comes back as a normal result inside the official TS client's default
// 60 s request timeout (a -32001 would fail the call), saying how long it waited and to call again.
// No elapsed time is asserted: the client's own timeout is the bound.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { startFakeUpstream } from './helpers/fake-upstream.mjs'
import { connectV1, text } from './helpers/mcp.mjs'

describe('wait_for_job on a job that never finishes', () => {
  let upstream
  before(async () => {
    upstream = await startFakeUpstream()
    upstream.jobResponder = (id) => ({ job_id: id, status: 'running', phase: 'executing' })
  })
  after(() => upstream.stop())

  test('default arguments: a normal result before the client gives up, saying to call again', async () => {
    // A host known to allow long requests (issue 19: the wait fits the client, see
    // frameworks-server.test.mjs for the short ones).
    const mcp = await connectV1(upstream, { clientName: 'claude-code' })
    try {
      const result = await mcp.client.callTool({ name: 'wait_for_job', arguments: { job_id: 'job_forever' } })
      assert.ok(!result.isError, text(result))
      assert.match(text(result), /^Job job_forever is still running after \d+s; the wait timed out\. Call wait_for_job again to keep waiting\.\n/)
      const data = result.structuredContent.data
      assert.equal(data.timed_out, true)
      assert.equal(data.capped, false)
      assert.equal(data.wait_limit_seconds, 45)
      assert.equal(typeof data.waited_seconds, 'number')
      assert.equal(data.job.status, 'running')
    } finally {
      await mcp.close()
    }
  })

  test('a longer wait than the server allows is capped, and the result says so', async () => {
    const mcp = await connectV1(upstream, { env: { JUNGLE_GRID_MAX_WAIT_SECONDS: '1' } })
    try {
      const result = await mcp.client.callTool({ name: 'wait_for_job', arguments: { job_id: 'job_forever', timeout_seconds: 600, poll_interval_seconds: 0.2 } })
      assert.ok(!result.isError, text(result))
      assert.match(text(result), /^Job job_forever is still running after \d+s; the wait timed out \(capped at this server's limit of 1s per call\)\. Call wait_for_job again to keep waiting\.\n/)
      const data = result.structuredContent.data
      assert.equal(data.capped, true)
      assert.equal(data.wait_limit_seconds, 1)
      assert.equal(data.timed_out, true)
    } finally {
      await mcp.close()
    }
  })
})
