// The JS client library (require('@jungle-grid/mcp')): every method against the fake API with the
// request asserted, the upload/download helpers, waitForJob, iterateLogs, errors, concurrency and
// the TypeScript types.
import { after, afterEach, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync, existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { API_KEY, SIGNATURE, UPLOAD_TOKEN, startFakeUpstream } from './helpers/fake-upstream.mjs'

const require = createRequire(import.meta.url)
const lib = require('@jungle-grid/mcp')
const { JungleGridClient, JungleGridError } = lib

let upstream
let jg
let dir
before(async () => {
  upstream = await startFakeUpstream()
  jg = new JungleGridClient({ apiKey: API_KEY, apiBase: upstream.base })
  dir = mkdtempSync(join(tmpdir(), 'jg-lib-'))
})
after(async () => {
  await upstream.stop()
  rmSync(dir, { recursive: true, force: true })
})
afterEach(() => upstream.reset())

const only = () => {
  const reqs = upstream.apiRequests()
  assert.equal(reqs.length, 1, JSON.stringify(reqs.map((r) => r.url)))
  assert.equal(reqs[0].headers.authorization, `Bearer ${API_KEY}`)
  return reqs[0]
}

describe('construction', () => {
  test('CommonJS and ESM give the same client', async () => {
    const esm = await import('@jungle-grid/mcp')
    assert.equal(esm.JungleGridClient, JungleGridClient)
    assert.equal(typeof esm.startStdioServer, 'function')
    assert.equal(esm.version, JSON.parse(readFileSync(new URL('../package.json', import.meta.url))).version)
  })

  test('no key anywhere is a clear error at construction', () => {
    const saved = process.env.JUNGLE_GRID_API_KEY
    delete process.env.JUNGLE_GRID_API_KEY
    try {
      assert.throws(() => new JungleGridClient({ apiBase: upstream.base }), (e) => {
        assert.ok(e instanceof JungleGridError)
        assert.equal(e.code, 'MISSING_API_KEY')
        assert.match(e.message, /JUNGLE_GRID_API_KEY is required: pass \{ apiKey \}/)
        return true
      })
    } finally {
      if (saved !== undefined) process.env.JUNGLE_GRID_API_KEY = saved
    }
  })

  test('options default to the environment variables', () => {
    const saved = { ...process.env }
    Object.assign(process.env, { JUNGLE_GRID_API_KEY: 'jg_env', JUNGLEGRID_API_BASE: 'http://127.0.0.1:1/' })
    try {
      assert.equal(new JungleGridClient().apiBase, 'http://127.0.0.1:1')
    } finally {
      for (const k of ['JUNGLE_GRID_API_KEY', 'JUNGLEGRID_API_BASE']) {
        if (saved[k] === undefined) delete process.env[k]
        else process.env[k] = saved[k]
      }
    }
  })

  test('bad options are refused', () => {
    assert.throws(() => new JungleGridClient({ apiKey: 'k', timeoutMs: -1 }), { code: 'INVALID_ARGUMENT' })
    assert.throws(() => new JungleGridClient({ apiKey: 5 }), { code: 'INVALID_ARGUMENT', message: 'apiKey must be a string.' })
    assert.throws(() => new JungleGridClient({ apiKey: 'k', apiBase: 'ftp://x' }), { code: 'INVALID_ARGUMENT' })
  })
})

describe('one method per tool, same validation and mapping as the MCP tools', () => {
  const cases = [
    ['estimateJob', { workload_type: 'fine_tuning', model_size: 7 }, 'POST', '/v1/mcp/jobs/estimate', { workload_type: 'fine-tuning', model_size_gb: 7 }, 'estimate'],
    ['submitJob', { name: 'n', workload: 'batch', image: 'i', env: { A: '1' } }, 'POST', '/v1/mcp/jobs', { name: 'n', workload_type: 'batch', image: 'i', environment: { A: '1' } }, 'submit'],
    ['uploadJobInput', { filename: 'a.wav', kind: 'input' }, 'POST', '/v1/job-inputs', { filename: 'a.wav', kind: 'input' }, 'upload'],
    ['listJobInputs', undefined, 'GET', '/v1/job-inputs', undefined, 'inputs'],
    ['listJobs', { limit: 500, status: 'running' }, 'GET', '/v1/mcp/jobs?limit=100&status=running', undefined, 'jobs'],
    ['getJobEvents', { job_id: 'job 1' }, 'GET', '/v1/jobs/job%201/events', undefined, 'events'],
    ['getJobLogs', { job_id: 'job_123', limit: 5 }, 'GET', '/v1/mcp/jobs/job_123/logs?limit=5', undefined, 'logs'],
    ['cancelJob', { jobId: 'job_123' }, 'POST', '/v1/mcp/jobs/job_123/cancel', { reason: 'Cancelled via MCP' }, 'cancel'],
    ['listArtifacts', { job_id: 'job_123' }, 'GET', '/v1/mcp/jobs/job_123/artifacts', undefined, 'artifacts'],
    ['getArtifact', { job_id: 'job_123', artifact_id: 'art_1' }, 'POST', '/v1/mcp/jobs/job_123/artifacts/art_1/download', undefined, 'download'],
  ]
  for (const [method, args, verb, url, body, fixture] of cases) {
    test(method, async () => {
      const data = await jg[method](args)
      const req = only()
      assert.deepEqual([req.method, req.url], [verb, url])
      assert.deepEqual(req.body, body)
      assert.deepEqual(data, upstream.fixtures[fixture])
    })
  }

  test('getJob returns the normalised job', async () => {
    const job = await jg.getJob({ job_id: 'job_123' })
    assert.equal(only().url, '/v1/mcp/jobs/job_123')
    assert.deepEqual(job.billing, { status: 'pending' })
    assert.equal(job.actual_cost_usd, null)
  })
})

describe('errors carry .code and .status', () => {
  test('invalid arguments: INVALID_ARGUMENT, no request', async () => {
    await assert.rejects(jg.getJob({}), (e) => e instanceof JungleGridError && e.code === 'INVALID_ARGUMENT' && e.status === undefined && e.message === 'job_id is required.')
    await assert.rejects(jg.getJob('job_1'), { code: 'INVALID_ARGUMENT', message: 'arguments must be an object.' })
    assert.equal(upstream.apiRequests().length, 0)
  })

  test('API errors: the API code and the HTTP status', async () => {
    upstream.override('cancel', { status: 409, body: { ok: false, error: { code: 'CONFLICT', message: 'job is already completed' } } })
    await assert.rejects(jg.cancelJob({ job_id: 'job_123' }), { code: 'CONFLICT', status: 409, message: 'job is already completed' })
    upstream.override('job', { status: 401 })
    await assert.rejects(jg.getJob({ job_id: 'j' }), { code: 'UNAUTHORIZED', status: 401 })
  })

  test('network and timeout errors', async () => {
    const dead = new JungleGridClient({ apiKey: 'k', apiBase: 'http://127.0.0.1:9' })
    await assert.rejects(dead.getJob({ job_id: 'j' }), { code: 'NETWORK' })
    const slow = new JungleGridClient({ apiKey: API_KEY, apiBase: upstream.base, timeoutMs: 200 })
    upstream.override('submit', { delayMs: 1000, body: {} })
    await assert.rejects(slow.submitJob({ name: 'n', workload_type: 'batch', image: 'i' }), { code: 'TIMEOUT' })
  })
})

describe('uploadFile', () => {
  test('creates the slot, PUTs the bytes to the signed URL, completes with token and size', async () => {
    const path = join(dir, 'train.py')
    writeFileSync(path, 'print("hello")\n')
    const input = await jg.uploadFile(path, { kind: 'script' })
    assert.equal(input.input_id, 'inp_123')
    assert.equal(input.ready, true)
    const [create, put, complete] = upstream.requests
    assert.deepEqual([create.method, create.url], ['POST', '/v1/job-inputs'])
    assert.deepEqual(create.body, { filename: 'train.py', content_type: 'text/x-python', kind: 'script' })
    assert.equal(put.method, 'PUT')
    assert.equal(put.url, `/storage/inp_123?${SIGNATURE}`)
    assert.equal(put.headers.authorization, undefined, 'the API key must not go to storage')
    assert.equal(put.headers['content-type'], 'text/x-python')
    assert.equal(upstream.stored.get('inp_123').toString(), 'print("hello")\n')
    assert.deepEqual([complete.method, complete.url], ['POST', '/v1/job-inputs/inp_123/complete'])
    assert.equal(complete.headers.authorization, `Bearer ${API_KEY}`)
    assert.deepEqual(complete.body, { token: UPLOAD_TOKEN, filename: 'train.py', content_type: 'text/x-python', size_bytes: 15, etag: 'etag-123' })
  })

  test('uploads a Buffer with a filename', async () => {
    await jg.uploadFile(Buffer.from('a,b\n1,2\n'), { filename: 'data.csv' })
    assert.equal(upstream.stored.get('inp_123').toString(), 'a,b\n1,2\n')
    assert.equal(upstream.requests[2].body.content_type, 'text/csv')
    await assert.rejects(jg.uploadFile(Buffer.from('x')), { code: 'INVALID_ARGUMENT', message: 'filename is required when uploading a buffer.' })
  })

  test('a missing file fails before any slot is created', async () => {
    await assert.rejects(jg.uploadFile(join(dir, 'nope.bin')), { code: 'INVALID_ARGUMENT' })
    assert.equal(upstream.requests.length, 0)
  })

  test('a complete_url on another host is refused (the key never leaves the API origin)', async () => {
    const slot = structuredClone(upstream.fixtures.upload)
    slot.upload.complete_url = 'https://evil.example.com/v1/job-inputs/inp_123/complete'
    upstream.override('upload', { body: { ok: true, data: slot } })
    await assert.rejects(jg.uploadFile(Buffer.from('x'), { filename: 'x.txt' }), /Refusing to send the API key to evil\.example\.com/)
  })

  test('storage refusing the bytes is UPLOAD_FAILED without the signed URL', async () => {
    const slot = structuredClone(upstream.fixtures.upload)
    slot.upload.upload_url = `${upstream.base}/storage/inp_123?bad=1`
    upstream.override('upload', { body: { ok: true, data: slot } })
    await assert.rejects(jg.uploadFile(Buffer.from('x'), { filename: 'x.txt' }), (e) => e.code === 'UPLOAD_FAILED' && e.status === 403 && !e.message.includes('bad=1'))
  })

  test('a 50 MB file streams with RSS growth well under its size', () => {
    const big = join(dir, 'big.bin')
    const fd = openSync(big, 'w')
    const chunk = Buffer.alloc(1024 * 1024, 7)
    for (let i = 0; i < 50; i++) writeSync(fd, chunk)
    closeSync(fd)
    // A fresh process, so other tests' allocations do not blur the measurement.
    const script = `
      const { JungleGridClient } = require(${JSON.stringify(require.resolve('@jungle-grid/mcp'))})
      const jg = new JungleGridClient({ apiKey: ${JSON.stringify(API_KEY)}, apiBase: ${JSON.stringify(upstream.base)} })
      const before = process.memoryUsage().rss
      let peak = before
      const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 5)
      jg.uploadFile(${JSON.stringify(big)}).then((input) => {
        clearInterval(timer)
        peak = Math.max(peak, process.memoryUsage().rss)
        console.log(JSON.stringify({ growth: peak - before, input }))
      }, (e) => { console.error(e); process.exit(1) })`
    return new Promise((resolve, reject) => {
      import('node:child_process').then(({ execFile }) => {
        execFile(process.execPath, ['-e', script], { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
          if (err) return reject(new Error(stderr || err.message))
          try {
            const { growth, input } = JSON.parse(stdout)
            assert.equal(input.input_id, 'inp_123')
            assert.equal(upstream.stored.get('inp_123').length, 50 * 1024 * 1024)
            assert.equal(upstream.requests.at(-1).body.size_bytes, 50 * 1024 * 1024)
            assert.ok(growth < 20 * 1024 * 1024, `RSS grew by ${(growth / 1048576).toFixed(1)} MB for a 50 MB upload`)
            resolve()
          } catch (e) {
            reject(e)
          }
        })
      })
    })
  })
})

describe('downloadArtifact', () => {
  test('streams the signed URL to disk without the API key', async () => {
    upstream.stored.set('art_1', Buffer.from('the output\n'))
    const dest = join(dir, 'output.txt')
    const result = await jg.downloadArtifact('job_123', 'art_1', dest)
    assert.equal(readFileSync(dest, 'utf8'), 'the output\n')
    assert.equal(result.bytes, 11)
    assert.equal(result.path, dest)
    const get = upstream.requests.find((r) => r.route === 'storage')
    assert.equal(get.headers.authorization, undefined)
  })

  test('a failed download leaves no file behind', async () => {
    const fixture = structuredClone(upstream.fixtures.download)
    fixture.download_url = `${upstream.base}/storage/art_1?unsigned`
    upstream.override('download', { body: { ok: true, data: fixture } })
    const dest = join(dir, 'never.txt')
    await assert.rejects(jg.downloadArtifact('job_123', 'art_1', dest), { code: 'DOWNLOAD_FAILED', status: 403 })
    assert.equal(existsSync(dest), false)
  })
})

describe('waitForJob', () => {
  test('resolves at a terminal status and reports each change', async () => {
    const statuses = ['queued', 'queued', 'running', 'completed']
    let n = 0
    upstream.jobResponder = (id) => ({ job_id: id, status: statuses[Math.min(n++, statuses.length - 1)] })
    const seen = []
    const job = await jg.waitForJob('job_1', { pollIntervalMs: 10, onUpdate: (j) => seen.push(j.status) })
    assert.equal(job.status, 'completed')
    assert.deepEqual(seen, ['queued', 'running', 'completed'])
    assert.equal(upstream.apiRequests().length, 4)
  })

  test('rejects with TIMEOUT', async () => {
    upstream.jobResponder = (id) => ({ job_id: id, status: 'running' })
    await assert.rejects(jg.waitForJob('job_1', { timeoutMs: 100, pollIntervalMs: 20 }), { code: 'TIMEOUT' })
  })

  test('rejects with ABORTED when the signal aborts', async () => {
    upstream.jobResponder = (id) => ({ job_id: id, status: 'running' })
    const controller = new AbortController()
    const waiting = jg.waitForJob('job_1', { pollIntervalMs: 60_000, signal: controller.signal })
    // Abort once the first poll has reached the API (a state, not a time).
    await upstream.waitForRequests(1)
    controller.abort()
    await assert.rejects(waiting, { code: 'ABORTED' })
  })
})

describe('iterateLogs', () => {
  test('walks every page until next_cursor is null', async () => {
    upstream.override('logs', { body: { ok: true, data: { items: [{ message: 'a' }], next_cursor: 'c2', has_more: true } } })
    upstream.override('logs', { body: { ok: true, data: { items: [{ message: 'b' }], next_cursor: 3, has_more: true } } })
    upstream.override('logs', { body: { ok: true, data: { items: [{ message: 'c' }], next_cursor: null, has_more: false } } })
    const messages = []
    for await (const page of jg.iterateLogs('job_1', { limit: 1 })) messages.push(...page.items.map((i) => i.message))
    assert.deepEqual(messages, ['a', 'b', 'c'])
    assert.deepEqual(upstream.apiRequests().map((r) => r.url), [
      '/v1/mcp/jobs/job_1/logs?limit=1', '/v1/mcp/jobs/job_1/logs?limit=1&cursor=c2', '/v1/mcp/jobs/job_1/logs?limit=1&cursor=3',
    ])
  })
})

describe('concurrency', () => {
  test('1000 concurrent calls complete without error', async () => {
    upstream.jobResponder = (id) => ({ job_id: id, status: 'running' })
    const jobs = await Promise.all(Array.from({ length: 1000 }, (_, i) => jg.getJob({ job_id: `job_${i}` })))
    jobs.forEach((j, i) => assert.equal(j.job_id, `job_${i}`))
    assert.equal(upstream.apiRequests().length, 1000)
  })
})

describe('TypeScript types', () => {
  test('a file using the client type-checks with tsc --noEmit', () => {
    const tsc = require.resolve('typescript/bin/tsc')
    execFileSync(process.execPath, [tsc, '-p', new URL('./types/tsconfig.json', import.meta.url).pathname], { stdio: 'pipe' })
  })

  test('and a wrong use does not', () => {
    const tsc = require.resolve('typescript/bin/tsc')
    const bad = join(new URL('./types', import.meta.url).pathname, 'wrong.ts')
    writeFileSync(bad, "import { JungleGridClient } from '@jungle-grid/mcp'\nnew JungleGridClient().getJob({ jobid: 5 })\n")
    try {
      const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--types', 'node', bad], { encoding: 'utf8' })
      assert.notEqual(r.status, 0)
      assert.match(r.stdout, /jobid/)
    } finally {
      rmSync(bad, { force: true })
    }
  })
})
