// Issue 19, the server's side of the agent frameworks: waits that fit each client (by the
// clientInfo name it sends, and what its cancelled waits teach), through raw JSON-RPC and the
// official Python SDK as openai-agents uses it; and a --sandbox that survives a process per call
// (LangChain's default, llama-index's BasicMCPClient): a job submitted by one process is found by
// the next, finishes in simulated time, and its artifact's bytes outlive the process.
// The frameworks' own integrations are driven in __test__/frameworks/ (fw-tests).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { needsSetup } from './helpers/setup.mjs'
import { API_KEY, startFakeUpstream } from './helpers/fake-upstream.mjs'
import { BIN, connectV2, spawnRaw, waitFor } from './helpers/mcp.mjs'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))
const pydeps = here('./peers/.pydeps')

/** A raw stdio session that introduced itself as `name`. */
async function as(upstream, name, args = []) {
  const server = spawnRaw(upstream, { args })
  await server.initialize('2025-06-18', { name, version: '1.0.0' })
  return server
}

async function call(server, name, args, id) {
  const reply = await server.request('tools/call', { name, arguments: args }, id)
  assert.ok(reply.result, JSON.stringify(reply))
  return reply.result
}

describe('wait_for_job fits the client that calls it', () => {
  let upstream
  before(async () => {
    upstream = await startFakeUpstream()
    // Finished jobs answer at once, so each wait shows its limit without taking it.
    upstream.jobResponder = (id) => ({ job_id: id, status: id === 'job_forever' ? 'running' : 'completed' })
  })
  after(() => upstream.stop())

  for (const [name, limit, who] of [
    ['mcp', 3, 'the Python SDK default name (openai-agents: 5 s)'],
    ['some-agent', 3, 'a client the server does not know'],
    ['fast-agent-mcp', 50, 'fast-agent (no request timeout)'],
    ['mcp-use', 50, 'mcp-use (no request timeout)'],
    ['claude-code', 48, 'a host with the TS SDK\'s 60 s'],
  ]) {
    test(`${who}: a wait lasts at most ${limit} s`, async () => {
      const server = await as(upstream, name)
      try {
        const asked = await call(server, 'wait_for_job', { job_id: 'job_done', timeout_seconds: 1000 })
        assert.equal(asked.structuredContent.data.wait_limit_seconds, limit)
        assert.equal(asked.structuredContent.data.capped, true)
        const plain = await call(server, 'wait_for_job', { job_id: 'job_done' })
        assert.equal(plain.structuredContent.data.wait_limit_seconds, Math.min(limit, 45))
        assert.equal(plain.structuredContent.data.capped, false, 'a default fitted to the client is not capped')
      } finally {
        await server.close()
      }
    })
  }

  test('a 2026-07-28 client is known by the clientInfo it sends with each request', async () => {
    const v2 = await connectV2(upstream, { clientName: 'claude-code' })
    try {
      const result = await v2.client.callTool({ name: 'wait_for_job', arguments: { job_id: 'job_done', timeout_seconds: 1000 } })
      assert.equal(result.structuredContent.data.wait_limit_seconds, 48)
    } finally {
      await v2.close()
    }
  })

  test('a short client on a running job gets "call again", as a normal result', async () => {
    const server = await as(upstream, 'mcp')
    try {
      const result = await call(server, 'wait_for_job', { job_id: 'job_forever', poll_interval_seconds: 0.5 })
      assert.notEqual(result.isError, true)
      assert.equal(result.structuredContent.data.timed_out, true)
      assert.match(result.content[0].text, /Call wait_for_job again to keep waiting\./)
    } finally {
      await server.close()
    }
  })

  test('a client that gave up on a wait gets shorter waits after it', async () => {
    const server = await as(upstream, 'fast-agent-mcp')
    try {
      const seen = upstream.requestsTo('job').length
      await server.send({ jsonrpc: '2.0', id: 'w1', method: 'tools/call', params: { name: 'wait_for_job', arguments: { job_id: 'job_forever' } } })
      await waitFor(() => upstream.requestsTo('job').length > seen, { what: 'the wait polling the job' })
      // What the Python SDK 2.x sends when its read timeout fires.
      await server.notify('notifications/cancelled', { requestId: 'w1', reason: 'timed out after 20.0s' })
      const after = await call(server, 'wait_for_job', { job_id: 'job_done', timeout_seconds: 1000 })
      assert.equal(after.structuredContent.data.wait_limit_seconds, 16, '20 s less a fifth')
      // A cancellation of some other request teaches nothing.
      await server.notify('notifications/cancelled', { requestId: 'nope', reason: 'timed out after 2s' })
      const still = await call(server, 'wait_for_job', { job_id: 'job_done', timeout_seconds: 1000 })
      assert.equal(still.structuredContent.data.wait_limit_seconds, 16)
    } finally {
      await server.close()
    }
  })

  test('--max-wait-seconds set by the user holds for every client (a raised framework timeout)', async () => {
    const server = await as(upstream, 'mcp', ['--max-wait-seconds', '100'])
    try {
      const result = await call(server, 'wait_for_job', { job_id: 'job_done', timeout_seconds: 1000 })
      assert.equal(result.structuredContent.data.wait_limit_seconds, 100)
    } finally {
      await server.close()
    }
  })

  test('the Python SDK with a short read timeout: a wait that outlives it teaches the server, the next one fits', { skip: needsSetup(!existsSync(pydeps) && 'the Python MCP SDK is not installed: run `npm run test:setup`') }, async () => {
    const r = await new Promise((resolve) => {
      execFile('python3', [here('./peers/python_waits.py'), BIN, upstream.base, API_KEY, '2.5'], { env: { ...process.env, PYTHONPATH: pydeps }, timeout: 60_000 }, (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }))
    })
    assert.equal(r.code, 0, r.stderr.slice(-2000))
    const { outcomes } = JSON.parse(r.stdout)
    // 2.5 s is below the 3 s every 'mcp' client gets: the first wait times out in the SDK ...
    assert.match(outcomes[0].error ?? '', /time/i, JSON.stringify(outcomes[0]))
    // ... which cancels it with its timeout; the second wait ends before it, as a normal result.
    assert.equal(outcomes[1].isError, false, JSON.stringify(outcomes[1]))
    assert.equal(outcomes[1].data.timed_out, true)
    assert.equal(outcomes[1].data.wait_limit_seconds, 1)
  })
})

describe('--sandbox with a process per call', () => {
  let home
  before(() => {
    home = mkdtempSync(join(tmpdir(), 'jg-home-'))
  })
  after(() => rmSync(home, { recursive: true, force: true }))

  /** One tool call in its own server process, as LangChain's get_tools() does by default. */
  async function once(name, args) {
    // The default directory (no --sandbox-dir): under this HOME.
    const server = spawnRaw(null, { args: ['--sandbox', '--sandbox-time-scale', '500'], env: { JUNGLE_GRID_API_KEY: undefined, JUNGLE_GRID_SANDBOX_DIR: undefined, HOME: home } })
    try {
      await server.initialize('2025-06-18', { name: 'mcp', version: '0.1.0' })
      return await call(server, name, args)
    } finally {
      assert.equal(await server.close(), 0)
    }
  }

  test('submit, wait, logs, artifacts and the bytes, each call in a new process', async () => {
    const submitted = await once('submit_job', {
      name: 'per-call', workload_type: 'batch', image: 'python:3.11-slim', command: ['echo', 'hi'],
      expected_artifacts: ['/workspace/artifacts/out.txt'],
    })
    const jobId = submitted.structuredContent.data.job_id
    let waited
    for (let i = 0; i < 20; i++) {
      waited = await once('wait_for_job', { job_id: jobId, poll_interval_seconds: 0.1 })
      assert.ok(!waited.isError, waited.content[0].text)
      if (!waited.structuredContent.data.timed_out) break
    }
    assert.equal(waited.structuredContent.data.job.status, 'completed')
    const logs = await once('get_job_logs', { job_id: jobId })
    assert.ok(!logs.isError, logs.content[0].text)
    const listed = await once('list_artifacts', { job_id: jobId })
    const artifactId = listed.structuredContent.data.artifacts[0].artifact_id
    const got = await once('get_artifact', { job_id: jobId, artifact_id: artifactId })
    const local = got.structuredContent.data.local_path
    assert.ok(local.startsWith(join(home, '.jungle-grid', 'sandbox')), local)
    // The process that answered is gone; the bytes are not.
    assert.ok(readFileSync(local, 'utf8').length > 0)
    assert.match(got.content[0].text, /local_path/)
  })
})
