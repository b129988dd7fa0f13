// The embedded simulator end to end: the bin with --sandbox and no API key, driven by the official
// MCP TypeScript SDK through the seed's whole production flow; startSandbox() from JS with the
// client library; and state that survives a restart with --sandbox-dir.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectV1, summaryLine, text } from './helpers/mcp.mjs'

const require = createRequire(import.meta.url)
const { startSandbox, JungleGridClient } = require('../lib/index.js')
const IMAGE = 'pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime'

/** The bin as a host starts it: no JUNGLE_GRID_API_KEY anywhere in its environment. */
const connect = (args = [], env = {}) => connectV1(null, { args, env: { JUNGLE_GRID_API_KEY: undefined, ...env } })

async function call(client, name, args) {
  return client.callTool({ name, arguments: args })
}

/** The data of a successful call (fails the test with the tool's text otherwise). */
async function data(client, name, args) {
  const result = await call(client, name, args)
  assert.ok(!result.isError, `${name}: ${text(result)}`)
  return result.structuredContent.data
}

describe('the production flow through the bin with --sandbox', () => {
  let mcp
  let tmp
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'jg-sandbox-e2e-'))
    mcp = await connect(['--sandbox', '--sandbox-time-scale', '200', '--allow-dir', tmp])
  })
  after(async () => {
    await mcp.close()
    rmSync(tmp, { recursive: true, force: true })
  })

  const state = {}

  test('initialize says it is the sandbox', () => {
    assert.equal(mcp.client.getServerVersion().name, 'junglegrid')
    assert.match(mcp.client.getInstructions() ?? '', /sandbox/i)
  })

  test('upload_job_input uploads a script and an input in one step', async () => {
    const script = await call(mcp.client, 'upload_job_input', {
      filename: 'transcribe.py',
      content_type: 'text/x-python',
      kind: 'script',
      content: "import sys\nprint(open(sys.argv[1]).read())\n",
    })
    assert.ok(!script.isError, text(script))
    assert.match(text(script), /sandbox/)
    assert.match(text(script), /input_id=inp_/)
    assert.equal(script.structuredContent.data.ready, true)
    assert.equal(script.structuredContent.data.mount_path, '/workspace/scripts/transcribe.py')
    state.script = script.structuredContent.data.input_id

    const input = await data(mcp.client, 'upload_job_input', {
      filename: 'audio.txt',
      kind: 'input',
      content: 'hello from the sandbox',
    })
    assert.equal(input.size_bytes, 22)
    assert.equal(input.status, 'uploaded')
    state.input = input.input_id

    const listed = await data(mcp.client, 'list_job_inputs', {})
    const byId = Object.fromEntries(listed.inputs.map((i) => [i.input_id, i]))
    assert.equal(byId[state.script].mount_path, '/workspace/scripts/transcribe.py')
    assert.equal(byId[state.input].mount_path, '/workspace/inputs/audio.txt')
    assert.ok(byId[state.input].ready)
  })

  test('estimate_job gives a GPU tier and a cost range', async () => {
    const result = await call(mcp.client, 'estimate_job', {
      workload_type: 'inference',
      model_size: 7,
      image: IMAGE,
      command: ['python', '/workspace/scripts/transcribe.py'],
      routing_mode: 'balanced',
    })
    assert.ok(!result.isError, text(result))
    const estimate = result.structuredContent.data
    assert.equal(estimate.available, true)
    assert.equal(estimate.can_submit, true)
    assert.equal(estimate.likely_gpu_type, 'L4')
    assert.ok(estimate.estimated_cost_usd.min > 0 && estimate.estimated_cost_usd.max >= estimate.estimated_cost_usd.min)
    assert.match(summaryLine(result), /^\[sandbox.*\] Estimate available\. Likely route: L4\. Estimated cost: \$\d+\.\d\d-\$\d+\.\d\d USD \(simulated: nothing is charged\)\.$/)

    const big = await data(mcp.client, 'estimate_job', { workload_type: 'training', model_size: 120 })
    assert.equal(big.available, false)
    assert.equal(big.can_submit, false)
    const bad = await call(mcp.client, 'estimate_job', { workload_type: 'gaming' })
    assert.equal(bad.isError, true)
  })

  test('submit_job with the uploaded files, then events, wait, status', async () => {
    const command = ['python', '/workspace/scripts/transcribe.py', '/workspace/inputs/audio.txt']
    const submitted = await call(mcp.client, 'submit_job', {
      name: 'mcp-file-backed-transcription',
      workload_type: 'inference',
      image: IMAGE,
      command,
      script_files: [{ input_id: state.script }],
      input_files: [{ input_id: state.input }],
      expected_artifacts: ['/workspace/artifacts/transcript.txt'],
    })
    assert.ok(!submitted.isError, text(submitted))
    const job = submitted.structuredContent.data
    assert.match(job.job_id, /^job_/)
    assert.equal(job.status, 'queued')
    assert.ok(job.submitted_at)
    assert.match(text(submitted), /sandbox.*Job submitted/)
    state.job = job.job_id
    state.command = command.join(' ')

    const events = await data(mcp.client, 'get_job_events', { job_id: state.job })
    assert.ok(events.items.length >= 1)
    assert.equal(events.items[0].type, 'job.queued')
    for (const key of ['id', 'type', 'phase', 'title', 'message', 'source', 'level', 'created_at', 'sequence']) {
      assert.ok(key in events.items[0], key)
    }

    const waited = await data(mcp.client, 'wait_for_job', { job_id: state.job, poll_interval_seconds: 0.1, timeout_seconds: 60 })
    assert.equal(waited.timed_out, false)
    assert.equal(waited.job.status, 'completed')

    const done = await call(mcp.client, 'get_job', { job_id: state.job })
    assert.ok(!done.isError, text(done))
    const status = done.structuredContent.data
    assert.equal(status.status, 'completed')
    assert.equal(status.artifacts_ready, true)
    assert.equal(status.billing.status, 'final')
    assert.equal(typeof status.actual_cost_usd, 'number')
    assert.ok(status.phase_started_at && status.phase_last_updated_at)
    assert.deepEqual(status.script_files.map((f) => f.mount_path), ['/workspace/scripts/transcribe.py'])
    assert.deepEqual(status.input_files.map((f) => f.mount_path), ['/workspace/inputs/audio.txt'])
    assert.match(text(done), new RegExp(`Job ${state.job} is completed`))

    const all = await data(mcp.client, 'get_job_events', { job_id: state.job })
    assert.equal(all.items.at(-1).type, 'job.completed')
  })

  test('get_job_logs echoes the command, paginated', async () => {
    const logs = await data(mcp.client, 'get_job_logs', { job_id: state.job })
    const messages = logs.items.map((l) => l.message)
    assert.ok(messages.includes(`$ ${state.command}`), messages.join('\n'))
    assert.ok(logs.items.some((l) => l.category === 'workload_stdout'))
    assert.ok(logs.items.some((l) => l.category === 'platform'))
    assert.equal(logs.has_more, false)
    assert.equal(logs.next_cursor, null)

    const pages = []
    let cursor
    for (;;) {
      const page = await data(mcp.client, 'get_job_logs', { job_id: state.job, limit: 4, ...(cursor ? { cursor } : {}) })
      pages.push(...page.items)
      if (!page.next_cursor) break
      cursor = page.next_cursor
    }
    assert.deepEqual(pages, logs.items)
  })

  test('list_artifacts and get_artifact serve the bytes', async () => {
    const listed = await data(mcp.client, 'list_artifacts', { job_id: state.job })
    assert.equal(listed.artifacts.length, 1)
    const [artifact] = listed.artifacts
    assert.equal(artifact.filename, 'transcript.txt')
    assert.equal(artifact.ready, true)
    const expected = `simulated output of ${state.job} for /workspace/artifacts/transcript.txt\n`
    assert.equal(artifact.size_bytes, Buffer.byteLength(expected))

    const info = await call(mcp.client, 'get_artifact', { job_id: state.job, artifact_id: artifact.artifact_id })
    assert.ok(!info.isError, text(info))
    const { download_url: url, expires_at: expires } = info.structuredContent.data
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/sandbox\/downloads\/\S+$/)
    assert.ok(Date.parse(expires) > Date.now())
    assert.match(text(info), /transcript\.txt/)
    const response = await fetch(url)
    assert.equal(response.status, 200)
    assert.equal(await response.text(), expected)

    const dest = join(tmp, 'transcript.txt')
    const saved = await data(mcp.client, 'get_artifact', { job_id: state.job, artifact_id: artifact.artifact_id, save_to: dest })
    assert.equal(saved.saved_to, dest)
    assert.equal(saved.bytes_written, Buffer.byteLength(expected))
    assert.equal(readFileSync(dest, 'utf8'), expected)

    const unknown = await call(mcp.client, 'get_artifact', { job_id: state.job, artifact_id: 'art_nope' })
    assert.equal(unknown.isError, true)
    assert.match(text(unknown), /NOT_FOUND/)
  })

  test('cancel_job on the completed job is a CONFLICT', async () => {
    const result = await call(mcp.client, 'cancel_job', { job_id: state.job, reason: 'too late' })
    assert.equal(result.isError, true)
    assert.equal(text(result), 'cancel_job failed: CONFLICT: Sandbox (simulated): job is already completed')
  })

  test('a command that exits 1 ends failed', async () => {
    const job = await data(mcp.client, 'submit_job', {
      name: 'will-fail',
      workload_type: 'batch',
      image: 'python:3.11-slim',
      command: ['bash', '-c', 'echo starting && exit 1'],
      expected_artifacts: ['/workspace/artifacts/never.txt'],
    })
    const waited = await data(mcp.client, 'wait_for_job', { job_id: job.job_id, poll_interval_seconds: 0.1, timeout_seconds: 60 })
    assert.equal(waited.job.status, 'failed')
    assert.equal(waited.job.failure.exit_code, 1)
    assert.ok(waited.logs.some((l) => l.category === 'workload_stderr'))
    const artifacts = await data(mcp.client, 'list_artifacts', { job_id: job.job_id })
    assert.deepEqual(artifacts.artifacts, [])
    const early = await call(mcp.client, 'get_artifact', { job_id: job.job_id, artifact_id: 'art_x' })
    assert.equal(early.isError, true)
  })

  test('submit with an unknown input id is JOB_INPUT_NOT_FOUND', async () => {
    const result = await call(mcp.client, 'submit_job', {
      name: 'missing-input',
      workload_type: 'batch',
      image: 'python:3.11-slim',
      input_files: [{ input_id: 'inp_does_not_exist' }],
    })
    assert.equal(result.isError, true)
    assert.match(text(result), /^submit_job failed: JOB_INPUT_NOT_FOUND: /)
  })

  test('list_jobs pages newest first', async () => {
    const first = await call(mcp.client, 'list_jobs', { limit: 1 })
    assert.ok(!first.isError, text(first))
    assert.equal(first.structuredContent.data.jobs[0].name, 'will-fail')
    assert.equal(first.structuredContent.data.has_more, true)
    const cursor = first.structuredContent.data.next_cursor
    assert.match(text(first), /Found 1 Jungle Grid job\. next_cursor=/)
    const second = await data(mcp.client, 'list_jobs', { limit: 1, cursor })
    assert.equal(second.jobs[0].job_id, state.job)
    assert.equal(second.next_cursor, null)
    const failed = await data(mcp.client, 'list_jobs', { status: 'failed' })
    assert.deepEqual(failed.jobs.map((j) => j.name), ['will-fail'])
  })

  test('get_job for an unknown id is NOT_FOUND', async () => {
    const result = await call(mcp.client, 'get_job', { job_id: 'job_unknown' })
    assert.equal(result.isError, true)
    assert.match(text(result), /^get_job failed: NOT_FOUND: /)
  })
})

describe('JUNGLE_GRID_SANDBOX=1', () => {
  test('turns the sandbox on without the flag', async () => {
    const mcp = await connect([], { JUNGLE_GRID_SANDBOX: '1', JUNGLE_GRID_SANDBOX_TIME_SCALE: '200' })
    try {
      const estimate = await call(mcp.client, 'estimate_job', { workload_type: 'batch' })
      assert.ok(!estimate.isError, text(estimate))
      assert.match(text(estimate), /sandbox/)
    } finally {
      await mcp.close()
    }
  })
})

describe('startSandbox() with the client library', () => {
  let sandbox
  let tmp
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'jg-sandbox-lib-'))
    sandbox = await startSandbox({ timeScale: 500 })
  })
  after(async () => {
    await sandbox.stop()
    rmSync(tmp, { recursive: true, force: true })
  })

  test('gives a loopback base URL and the sandbox key', () => {
    assert.match(sandbox.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.match(sandbox.apiKey, /^jg_sandbox_[0-9a-f]{64}$/)
    assert.equal(typeof sandbox.stop, 'function')
  })

  test('estimate, upload a file, submit, wait, get, download', async () => {
    const client = new JungleGridClient({ apiKey: sandbox.apiKey, apiBase: sandbox.baseUrl })
    const estimate = await client.estimateJob({ workload_type: 'fine_tuning', model_size: 30 })
    assert.equal(estimate.likely_gpu_type, 'A100-40GB')

    const file = join(tmp, 'data.csv')
    writeFileSync(file, 'a,b\n1,2\n')
    const input = await client.uploadFile(file)
    assert.equal(input.ready, true)
    assert.equal(input.size_bytes, 8)
    assert.equal(input.filename, 'data.csv')
    assert.equal(input.content_type, 'text/csv')

    const job = await client.submitJob({
      name: 'lib-job',
      workload_type: 'batch',
      image: 'python:3.11-slim',
      command: ['python', '-c', 'print(1)'],
      input_files: [{ input_id: input.input_id }],
      expected_artifacts: ['/workspace/artifacts/result.json'],
    })
    assert.equal(job.status, 'queued')
    const done = await client.waitForJob(job.job_id, { pollIntervalMs: 20, timeoutMs: 30000 })
    assert.equal(done.status, 'completed')
    const status = await client.getJob({ job_id: job.job_id })
    assert.equal(status.input_files[0].mount_path, '/workspace/inputs/data.csv')

    const { artifacts } = await client.listArtifacts({ job_id: job.job_id })
    assert.equal(artifacts[0].content_type, 'application/json')
    const dest = join(tmp, 'result.json')
    const saved = await client.downloadArtifact(job.job_id, artifacts[0].artifact_id, dest)
    assert.equal(readFileSync(dest, 'utf8'), `simulated output of ${job.job_id} for /workspace/artifacts/result.json\n`)
    assert.equal(saved.bytes, readFileSync(dest).length)
  })

  test('any other key is refused, unknown routes are JSON 404s', async () => {
    const wrong = new JungleGridClient({ apiKey: 'jg_wrong', apiBase: sandbox.baseUrl })
    await assert.rejects(wrong.listJobs({}), (e) => e.code === 'UNAUTHORIZED' && e.status === 401)
    const response = await fetch(`${sandbox.baseUrl}/nope`)
    assert.equal(response.status, 404)
    assert.deepEqual(await response.json(), { ok: false, error: { code: 'NOT_FOUND', message: 'Sandbox (simulated): Not found.' } })
    const malformed = await fetch(`${sandbox.baseUrl}/v1/mcp/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sandbox.apiKey}`, 'content-type': 'application/json' },
      body: '{"name": ',
    })
    assert.equal(malformed.status, 400)
    assert.equal((await malformed.json()).error.code, 'INVALID_REQUEST')
  })

  test('stop() closes the port', async () => {
    const other = await startSandbox()
    const url = other.baseUrl
    await other.stop()
    await assert.rejects(fetch(`${url}/v1/mcp/jobs`))
    await other.stop() // a second stop is harmless
  })
})

describe('--sandbox-dir keeps state across restarts', () => {
  let dir
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'jg-sandbox-dir-'))
  })
  after(() => rmSync(dir, { recursive: true, force: true }))
  const args = () => ['--sandbox', '--sandbox-time-scale', '200', '--sandbox-dir', dir]

  test('a job and an upload are still there after a restart', async () => {
    const first = await connect(args())
    let jobId
    let inputId
    try {
      const input = await data(first.client, 'upload_job_input', { filename: 'notes.txt', content: 'kept on disk' })
      inputId = input.input_id
      const job = await data(first.client, 'submit_job', {
        name: 'survivor',
        workload_type: 'batch',
        image: 'python:3.11-slim',
        input_files: [{ input_id: inputId }],
      })
      jobId = job.job_id
    } finally {
      await first.close()
    }
    assert.ok(existsSync(join(dir, 'state.json')))
    assert.equal(readFileSync(join(dir, 'uploads', inputId), 'utf8'), 'kept on disk')

    const second = await connect(args())
    try {
      const job = await data(second.client, 'get_job', { job_id: jobId })
      assert.equal(job.name, 'survivor')
      assert.equal(job.input_files[0].input_id, inputId)
      // Its clock kept running while the host was down: it finishes in the restarted host.
      const waited = await data(second.client, 'wait_for_job', { job_id: jobId, poll_interval_seconds: 0.1 })
      assert.equal(waited.job.status, 'completed')
      const jobs = await data(second.client, 'list_jobs', {})
      assert.deepEqual(jobs.jobs.map((j) => j.job_id), [jobId])
      const inputs = await data(second.client, 'list_job_inputs', {})
      assert.deepEqual(inputs.inputs.map((i) => i.input_id), [inputId])
    } finally {
      await second.close()
    }
  })

  test('a state file cut short is moved aside and the sandbox starts empty', async () => {
    const path = join(dir, 'state.json')
    const full = readFileSync(path)
    writeFileSync(path, full.subarray(0, Math.floor(full.length / 2)))
    const mcp = await connect(args())
    try {
      const jobs = await data(mcp.client, 'list_jobs', {})
      assert.deepEqual(jobs.jobs, [])
      assert.ok(readdirSync(dir).some((n) => n.startsWith('state.json.corrupt-')), readdirSync(dir).join(', '))
      assert.match(mcp.stderr(), /unreadable/)
    } finally {
      await mcp.close()
    }
  })
})
