// Helpers for agents: wait_for_job (progress, cancellation), one-step files, read-only mode and
// tool subsets, MCP log notifications, doctor and config. Through the official MCP client.
import { after, afterEach, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CallToolResultSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import { API_KEY, UPLOAD_TOKEN, startFakeUpstream } from './helpers/fake-upstream.mjs'
import { BIN, connectV1, hostEnv, spawnRaw, summaryLine, text, waitFor } from './helpers/mcp.mjs'

let upstream
let mcp
let dir
before(async () => {
  upstream = await startFakeUpstream()
  dir = mkdtempSync(join(tmpdir(), 'jg-agent-'))
  mcp = await connectV1(upstream, { env: { JUNGLE_GRID_FILES_DIRS: dir, JUNGLE_GRID_ALLOW_OVERWRITE: '1' } })
})
after(async () => {
  await mcp.close()
  await upstream.stop()
  rmSync(dir, { recursive: true, force: true })
})
afterEach(() => upstream.reset())

const jobRequests = (id) => upstream.apiRequests().filter((r) => r.route === 'job' && (id === undefined || r.params[0] === id)).length

/**
 * Lets the server's own poll timer run: a wait_for_job on a fresh sentinel id that completes after
 * `polls` polls. Used to prove a cancelled wait stopped polling without sleeping on the wall clock:
 * while the sentinel polls `polls` times, a live poller at the same interval would poll too.
 */
let sentinels = 0
async function letServerPoll(callTool, polls) {
  const id = `sentinel_${++sentinels}`
  const previous = upstream.jobResponder
  upstream.jobResponder = (job) =>
    job === id ? { job_id: job, status: jobRequests(id) >= polls ? 'completed' : 'running' } : previous(job)
  const result = await callTool(id)
  upstream.jobResponder = previous
  return result
}

describe('wait_for_job', () => {
  test('waits to a terminal status, with progress notifications in order, and returns the last logs', async () => {
    const statuses = ['queued', 'provisioning', 'running', 'completed']
    let n = 0
    upstream.jobResponder = (id) => ({ job_id: id, status: statuses[Math.min(n++, 3)], execution_phase: 'executing' })
    upstream.fixtures.logs = { items: [{ message: 'step 1' }, { message: 'done\n' }], next_cursor: null }
    const progress = []
    const result = await mcp.client.callTool(
      { name: 'wait_for_job', arguments: { job_id: 'job_7', poll_interval_seconds: 0.05, timeout_seconds: 30 } },
      CallToolResultSchema,
      { onprogress: (p) => progress.push(p) },
    )
    assert.equal(result.isError, false)
    assert.match(summaryLine(result), /^Job job_7 is completed after \d+s\. Last log: done$/)
    const data = result.structuredContent.data
    assert.equal(data.job.status, 'completed')
    assert.equal(data.timed_out, false)
    assert.deepEqual(data.logs.map((l) => l.message), ['step 1', 'done\n'])
    // One notification per poll while the job runs; the terminal state is the result itself.
    assert.deepEqual(progress.map((p) => p.message.split(' ')[0]), ['status=queued', 'status=provisioning', 'status=running'])
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i].progress > progress[i - 1].progress, 'progress increases')
    // The wait's length is what this client allows (issue 19), at most the 30 s asked for.
    assert.ok(progress.every((p) => p.total === data.wait_limit_seconds))
  })

  test('times out as a normal result that says to call again', async () => {
    upstream.jobResponder = (id) => ({ job_id: id, status: 'running' })
    const result = await mcp.client.callTool({ name: 'wait_for_job', arguments: { job_id: 'job_8', timeout_seconds: 1, poll_interval_seconds: 0.1 } })
    assert.equal(result.isError, false)
    assert.equal(result.structuredContent.data.timed_out, true)
    assert.match(text(result), /still running after 1s; the wait timed out\. Call wait_for_job again/)
  })

  test('cancelling the request stops the wait promptly', async () => {
    upstream.jobResponder = (id) => ({ job_id: id, status: 'running' })
    const controller = new AbortController()
    const call = mcp.client.callTool({ name: 'wait_for_job', arguments: { job_id: 'job_9', poll_interval_seconds: 0.05 } }, CallToolResultSchema, { signal: controller.signal })
    await waitFor(() => jobRequests('job_9') >= 2, { what: 'two polls of job_9' })
    controller.abort()
    await assert.rejects(call)
    const sentinel = (id) => mcp.client.callTool({ name: 'wait_for_job', arguments: { job_id: id, poll_interval_seconds: 0.05 } })
    await letServerPoll(sentinel, 3) // a poll already in flight at the abort settles
    const afterCancel = jobRequests('job_9')
    await letServerPoll(sentinel, 6)
    assert.equal(jobRequests('job_9'), afterCancel, 'the server kept polling after the client cancelled')
    assert.ok(afterCancel >= 2)
  })
})

describe('wait_for_job as a task (2026-07-28 Tasks extension)', () => {
  // Per-request metadata of 2026-07-28, declaring the Tasks extension (no SDK client speaks it yet).
  const meta = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': { name: 'tasks-test', version: '1' },
    'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } },
  }
  let raw
  let nextId = 1
  const request = async (method, params) => {
    const id = nextId++
    raw.send({ jsonrpc: '2.0', id, method, params: { _meta: meta, ...params } })
    return raw.next((m) => m.id === id)
  }
  before(async () => {
    raw = spawnRaw(upstream)
    const discover = await request('server/discover', {})
    assert.ok(discover.result.capabilities.extensions['io.modelcontextprotocol/tasks'])
  })
  after(() => raw.close())

  test('a long wait becomes a task the client polls to its result', async () => {
    let n = 0
    upstream.jobResponder = (id) => ({ job_id: id, status: n++ < 3 ? 'running' : 'completed' })
    const created = await request('tools/call', { name: 'wait_for_job', arguments: { job_id: 'job_t1', poll_interval_seconds: 0.05 } })
    assert.equal(created.result.resultType, 'task')
    assert.equal(created.result.status, 'working')
    const task = await waitFor(async () => {
      const state = (await request('tasks/get', { taskId: created.result.taskId })).result
      return state.status !== 'working' && state
    }, { what: 'the task to leave working' })
    assert.equal(task.status, 'completed')
    assert.match(task.result.content[0].text, /^Job job_t1 is completed after/)
    assert.equal(task.result.structuredContent.data.job.status, 'completed')
  })

  test('tasks/cancel stops the wait', async () => {
    upstream.jobResponder = (id) => ({ job_id: id, status: 'running' })
    const created = await request('tools/call', { name: 'wait_for_job', arguments: { job_id: 'job_t2', poll_interval_seconds: 0.05 } })
    await waitFor(() => jobRequests('job_t2') >= 2, { what: 'two polls of job_t2' })
    await request('tasks/cancel', { taskId: created.result.taskId })
    const task = await waitFor(async () => {
      const state = (await request('tasks/get', { taskId: created.result.taskId })).result
      return state.status !== 'working' && state
    }, { what: 'the task to leave working' })
    assert.equal(task.status, 'cancelled')
    const sentinel = async (id) => {
      const other = await request('tools/call', { name: 'wait_for_job', arguments: { job_id: id, poll_interval_seconds: 0.05 } })
      if (other.result.resultType !== 'task') return other.result
      return waitFor(async () => {
        const state = (await request('tasks/get', { taskId: other.result.taskId })).result
        return state.status !== 'working' && state
      }, { what: `task ${id} to finish` })
    }
    await letServerPoll(sentinel, 3) // a poll already in flight at the cancel settles
    const polls = jobRequests('job_t2')
    await letServerPoll(sentinel, 6)
    assert.equal(jobRequests('job_t2'), polls, 'the cancelled task kept polling')
  })

  test('other tools answer directly, even for task-capable clients', async () => {
    const result = await request('tools/call', { name: 'get_job', arguments: { job_id: 'job_123' } })
    assert.equal(result.result.resultType, 'complete')
    assert.equal(result.result.structuredContent.data.job_id, 'job_123')
  })
})

describe('one-step files (local stdio server)', () => {
  test('upload_job_input with content uploads the bytes and completes the upload', async () => {
    const result = await mcp.client.callTool({ name: 'upload_job_input', arguments: { filename: 'transcribe.py', kind: 'script', content: 'print("hi")\n' } })
    assert.equal(result.isError, false, text(result))
    assert.match(text(result), /^Uploaded and completed transcribe\.py \(12 bytes\)\. input_id=inp_123\./)
    assert.equal(upstream.stored.get('inp_123').toString(), 'print("hi")\n')
    const complete = upstream.requests.find((r) => r.route === 'complete')
    assert.deepEqual(complete.body, { token: UPLOAD_TOKEN, filename: 'transcribe.py', content_type: 'text/x-python', size_bytes: 12, etag: 'etag-123' })
    assert.equal(complete.headers.authorization, `Bearer ${API_KEY}`)
  })

  test('upload_job_input with path streams the file', async () => {
    const path = join(dir, 'audio.ogg')
    writeFileSync(path, Buffer.from([0, 1, 2, 3, 255]))
    const result = await mcp.client.callTool({ name: 'upload_job_input', arguments: { filename: 'audio.ogg', path } })
    assert.equal(result.isError, false, text(result))
    assert.deepEqual([...upstream.stored.get('inp_123')], [0, 1, 2, 3, 255])
    assert.equal(upstream.requests.find((r) => r.route === 'upload').body.content_type, 'audio/ogg')
  })

  test('a missing local file is a clear error before any request', async () => {
    const result = await mcp.client.callTool({ name: 'upload_job_input', arguments: { filename: 'x.bin', path: join(dir, 'missing.bin') } })
    assert.equal(result.isError, true)
    assert.match(text(result), /^upload_job_input failed: Cannot read .*missing\.bin/)
    assert.equal(upstream.requests.length, 0)
  })

  test('get_artifact with save_to writes the exact bytes and will not overwrite silently', async () => {
    const bytes = Buffer.from('artifact \u00e9 bytes\n')
    upstream.stored.set('art_1', bytes)
    const dest = join(dir, 'output.txt')
    const result = await mcp.client.callTool({ name: 'get_artifact', arguments: { job_id: 'job_123', artifact_id: 'art_1', save_to: dest } })
    assert.equal(result.isError, false, text(result))
    assert.deepEqual(readFileSync(dest), bytes)
    assert.equal(result.structuredContent.data.saved_to, dest)
    assert.equal(result.structuredContent.data.bytes_written, bytes.length)
    const again = await mcp.client.callTool({ name: 'get_artifact', arguments: { job_id: 'job_123', artifact_id: 'art_1', save_to: dest } })
    assert.equal(again.isError, true)
    assert.match(text(again), /already exists; pass overwrite: true/)
    upstream.stored.set('art_1', Buffer.from('new'))
    const forced = await mcp.client.callTool({ name: 'get_artifact', arguments: { job_id: 'job_123', artifact_id: 'art_1', save_to: dest, overwrite: true } })
    assert.equal(forced.isError, false)
    assert.equal(readFileSync(dest, 'utf8'), 'new')
  })
})

describe('read-only mode and tool subsets', () => {
  test('--read-only lists and allows only read-only tools', async () => {
    const s = await connectV1(upstream, { args: ['--read-only'] })
    try {
      const { tools } = await s.client.listTools()
      assert.deepEqual(tools.map((t) => t.name), ['estimate_job', 'list_job_inputs', 'list_jobs', 'get_job', 'get_job_events', 'get_job_logs', 'list_artifacts', 'get_artifact', 'wait_for_job'])
      assert.ok(tools.every((t) => t.annotations.readOnlyHint))
      await assert.rejects(s.client.callTool({ name: 'submit_job', arguments: { name: 'n', workload_type: 'batch', image: 'i' } }), /not available.*read-only/)
      assert.equal(upstream.apiRequests().length, 0)
    } finally {
      await s.close()
    }
  })

  test('JUNGLE_GRID_READ_ONLY=1 does the same', async () => {
    const s = await connectV1(upstream, { env: { JUNGLE_GRID_READ_ONLY: '1' } })
    try {
      const { tools } = await s.client.listTools()
      assert.ok(!tools.some((t) => ['submit_job', 'cancel_job', 'upload_job_input'].includes(t.name)))
    } finally {
      await s.close()
    }
  })

  test('--tools offers a chosen subset; unknown names stop the start', async () => {
    const s = await connectV1(upstream, { args: ['--tools', 'get_job,list_jobs'] })
    try {
      const { tools } = await s.client.listTools()
      assert.deepEqual(tools.map((t) => t.name), ['list_jobs', 'get_job'])
    } finally {
      await s.close()
    }
    const r = spawnSync(process.execPath, [BIN], { env: hostEnv(upstream, { JUNGLE_GRID_TOOLS: 'get_job,launch_rocket' }), encoding: 'utf8' })
    assert.equal(r.status, 1)
    assert.match(r.stderr, /^Fatal: JUNGLE_GRID_TOOLS names unknown tools: launch_rocket\. Known tools: estimate_job, /)
  })
})

describe('MCP log notifications', () => {
  test('retries reach the client at the level it set', async () => {
    const messages = []
    mcp.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => messages.push(n.params))
    await mcp.client.setLoggingLevel('warning')
    upstream.override('job', { status: 503 })
    const r = await mcp.client.callTool({ name: 'get_job', arguments: { job_id: 'job_1' } })
    assert.equal(r.isError, false)
    await mcp.client.ping() // ordered channel: every notification the call sent has arrived
    assert.equal(messages.length, 1)
    assert.equal(messages[0].level, 'warning')
    assert.equal(messages[0].logger, 'junglegrid')
    assert.match(messages[0].data, /^Jungle Grid API call failed \(UPSTREAM_ERROR: .*\); retrying in \d+ ms\.$/)

    messages.length = 0
    await mcp.client.setLoggingLevel('error')
    upstream.override('job', { status: 503 })
    await mcp.client.callTool({ name: 'get_job', arguments: { job_id: 'job_1' } })
    await mcp.client.ping()
    assert.equal(messages.length, 0, 'warnings are not sent below the chosen level')
  })
})

describe('doctor and config', () => {
  // Asynchronous: the fake API runs in this process and must keep answering while doctor runs.
  const doctor = (env) =>
    new Promise((resolve) => {
      execFile(process.execPath, [BIN, 'doctor'], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' }, (error, stdout, stderr) => {
        resolve({ status: error ? error.code : 0, stdout, stderr })
      })
    })

  test('a working setup passes', async () => {
    const r = await doctor({ JUNGLE_GRID_API_KEY: API_KEY, JUNGLEGRID_API_BASE: upstream.base })
    assert.equal(r.status, 0, r.stdout)
    assert.match(r.stdout, /\[ok  \] api: reachable, and the key is accepted/)
    assert.match(r.stdout, /All checks passed/)
    assert.ok(!r.stdout.includes(API_KEY))
  })

  const broken = [
    ['no key', {}, /\[FAIL\] api key: JUNGLE_GRID_API_KEY is not set/],
    ['a rejected key', { JUNGLE_GRID_API_KEY: 'jg_wrong' }, /\[FAIL\] api: reachable, but the key was rejected: UNAUTHORIZED/],
    ['an invalid base URL', { JUNGLE_GRID_API_KEY: API_KEY, JUNGLEGRID_API_BASE: 'api.example.com' }, /\[FAIL\] configuration: JUNGLEGRID_API_BASE must be an absolute http\(s\) URL/],
    ['an unreachable API', { JUNGLE_GRID_API_KEY: API_KEY, JUNGLEGRID_API_BASE: 'http://127.0.0.1:9' }, /\[FAIL\] api: Could not connect .* connection refused/],
  ]
  for (const [name, env, expected] of broken) {
    test(`reports ${name}`, async () => {
      const r = await doctor({ JUNGLEGRID_API_BASE: upstream.base, ...env })
      assert.equal(r.status, 1)
      assert.match(r.stdout, expected)
      assert.match(r.stdout, /fix: /)
    })
  }

  test('a key without read scope is a warning with a fix', async () => {
    upstream.override('jobs', { status: 403, body: { error: { code: 'FORBIDDEN', message: 'api key missing jobs:read scope' } } })
    const r = await doctor({ JUNGLE_GRID_API_KEY: API_KEY, JUNGLEGRID_API_BASE: upstream.base })
    assert.equal(r.status, 0)
    assert.match(r.stdout, /\[warn\] api: reachable and the key is valid, but it cannot read jobs: FORBIDDEN/)
  })

  test('config prints each host snippet with a placeholder key', () => {
    for (const host of ['claude', 'cursor', 'windsurf']) {
      const r = spawnSync(process.execPath, [BIN, 'config', host], { encoding: 'utf8' })
      assert.equal(r.status, 0)
      const snippet = JSON.parse(r.stdout)
      assert.deepEqual(snippet.mcpServers.junglegrid, { command: 'npx', args: ['-y', '@jungle-grid/mcp'], env: { JUNGLE_GRID_API_KEY: 'jg_placeholder' } })
    }
    const bad = spawnSync(process.execPath, [BIN, 'config', 'emacs'], { encoding: 'utf8' })
    assert.equal(bad.status, 2)
    assert.ok(!existsSync(join(dir, 'nothing')))
  })
})
