// The first minute, part two: `doctor` checks the key's scopes (and names the tools a key cannot
// use) without starting anything; client-side events are one readable stderr line each (Rust Debug
// dumps only at debug level); a dead or refusing proxy is named (never its password) instead of the
// API host; and everything the sandbox says is marked simulated.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { API_KEY, ESTIMATE_ONLY_KEY, READ_ONLY_KEY, closedPort } from './helpers/fake-upstream.mjs'
import { connectV1, runBin, spawnRaw, stdioSuite, text, waitFor } from './helpers/mcp.mjs'
import { startRefusingProxy } from './helpers/refusing-proxy.mjs'

const PROBE_ID = 'jg-doctor-scope-probe-no-such-job'
const notFound = () => ({ status: 404, json: { ok: false, error: { code: 'NOT_FOUND', message: 'job not found' } } })

describe('doctor checks the key scopes without starting anything', () => {
  let api
  stdioSuite({ client: null }, (s) => ({ api } = s))

  const doctor = async (key, args = []) => {
    api.reset()
    // As the real API: a job that does not exist is 404 once the scope check has passed.
    api.handle('cancel', notFound).handle('logs', notFound)
    return runBin(['doctor', ...args], { PATH: process.env.PATH, JUNGLE_GRID_API_KEY: key, JUNGLEGRID_API_BASE: api.base }, { timeoutMs: 30_000 })
  }

  /** The probes doctor sent: one per scope class, none that creates anything. */
  const assertHarmless = () => {
    const sent = api.apiRequests().map((r) => `${r.method} ${r.path}`)
    assert.ok(!sent.includes('POST /v1/mcp/jobs'), `doctor submitted: ${sent}`)
    assert.ok(!sent.some((s) => s.includes('/v1/job-inputs')), `doctor touched uploads: ${sent}`)
    assert.deepEqual(sent.sort(), [
      'GET /v1/mcp/jobs',
      `GET /v1/mcp/jobs/${PROBE_ID}/logs`,
      `POST /v1/mcp/jobs/${PROBE_ID}/cancel`,
      'POST /v1/mcp/jobs/estimate',
    ].sort())
    assert.equal(api.requestsTo('jobs')[0].query, '?limit=1')
    assert.deepEqual(api.requestsTo('estimate')[0].body, { workload_type: 'inference' })
  }

  test('a key with every scope: reading and estimating proved, the submit scope not verified (a 404 proves nothing)', async () => {
    const r = await doctor(API_KEY)
    assert.equal(r.code, 0, r.stdout)
    assert.match(r.stdout, /\[warn\] scopes: verified: the key can use estimate_job, list_job_inputs, list_jobs, get_job, get_job_events, get_job_logs, list_artifacts, get_artifact, wait_for_job; not verified: submit_job, upload_job_input, cancel_job \(needs jobs:submit or jobs:write\)/)
    assert.doesNotMatch(r.stdout, /every offered tool/)
    assert.match(r.stdout, /Checks passed with warnings/)
    assertHarmless()
  })

  test('a read-only key: a warning naming the tools it cannot use, and no "All checks passed"', async () => {
    const r = await doctor(READ_ONLY_KEY)
    assert.equal(r.code, 0, r.stdout)
    assert.match(r.stdout, /\[ok {2}\] api: reachable, and the key is accepted/)
    assert.match(r.stdout, /\[warn\] scopes: the key cannot use submit_job, upload_job_input, cancel_job \(it has none of jobs:submit, jobs:write\)/)
    assert.match(r.stdout, /fix: Give the key the jobs:submit scope .* or start the server with --read-only/)
    assert.doesNotMatch(r.stdout, /All checks passed/)
    assert.match(r.stdout, /Checks passed with warnings/)
    assert.ok(!(r.stdout + r.stderr).includes(READ_ONLY_KEY))
    assertHarmless()
    // The API refused exactly the write probe.
    assert.equal(api.requestsTo('cancel')[0].headers.authorization, `Bearer ${READ_ONLY_KEY}`)
  })

  test('a read-only key on an API that looks the job up before the scope: "not verified", never "every offered tool"', async () => {
    api.reset()
    // A legitimate design: the made-up job is not found before the key's scopes are looked at, so
    // the cancel probe gets 404 whatever the key may do (the override answers before the key check).
    api.override('cancel', notFound()).override('logs', notFound())
    const r = await runBin(['doctor'], { PATH: process.env.PATH, JUNGLE_GRID_API_KEY: READ_ONLY_KEY, JUNGLEGRID_API_BASE: api.base }, { timeoutMs: 30_000 })
    assert.equal(r.code, 0, r.stdout)
    const line = r.stdout.split('\n').find((l) => l.includes('scopes:'))
    assert.match(line, /\[warn\] scopes: verified: the key can use estimate_job, .*; not verified: submit_job, upload_job_input, cancel_job \(needs jobs:submit or jobs:write\): the API answered 404 NOT_FOUND to the cancel_job probe about a job that does not exist/)
    assert.doesNotMatch(r.stdout, /every offered tool|All checks passed/)
    assert.match(r.stdout, /fix: Nothing to do if the key was given those scopes .* --read-only/)
    assert.equal(api.requestsTo('cancel').length, 1)
    assert.ok(!api.apiRequests().some((q) => q.route === 'submit' || q.route === 'upload'), 'nothing was submitted')
  })

  test('a read-only key with --read-only: the blocked tools are not offered, so nothing to warn about', async () => {
    const r = await doctor(READ_ONLY_KEY, ['--read-only'])
    assert.equal(r.code, 0, r.stdout)
    assert.match(r.stdout, /\[ok {2}\] scopes: the key cannot use submit_job, upload_job_input, cancel_job, which this configuration does not offer anyway/)
    assert.match(r.stdout, /All checks passed/)
  })

  test('an estimate-only key: every tool but estimate_job is named', async () => {
    const r = await doctor(ESTIMATE_ONLY_KEY)
    assert.equal(r.code, 0, r.stdout)
    assert.match(r.stdout, /\[warn\] api: reachable and the key is valid, but it cannot read jobs: FORBIDDEN/)
    const line = r.stdout.split('\n').find((l) => l.includes('scopes:'))
    assert.match(line, /\[warn\] scopes: the key cannot use submit_job, upload_job_input, list_job_inputs, list_jobs, get_job, get_job_events, get_job_logs, cancel_job, list_artifacts, get_artifact, wait_for_job \(/)
    assert.doesNotMatch(line, /estimate_job/)
    assertHarmless()
  })

  test('doctor --sandbox still passes, scopes included, even behind a (dead) company proxy', async () => {
    const dead = `http://127.0.0.1:${await closedPort()}`
    const r = await runBin(['doctor', '--sandbox'], { PATH: process.env.PATH, HTTP_PROXY: dead, ALL_PROXY: dead }, { timeoutMs: 30_000 })
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /\[ok {2}\] scopes: the key can use every offered tool/)
    assert.match(r.stdout, /All checks passed/)
  })
})

describe('client-side events are one readable line each', () => {
  /** Drives a session through initialize, the client notifications and an unknown method. */
  const session = async (level) => {
    const mcp = spawnRaw(null, { env: { JUNGLEGRID_API_BASE: 'http://127.0.0.1:9', JUNGLE_GRID_LOG: level } })
    await mcp.initialize()
    await mcp.notify('notifications/roots/list_changed')
    await mcp.notify('notifications/cancelled', { requestId: 99, reason: 'user gave up' })
    await mcp.notify('notifications/progress', { progressToken: 'p1', progress: 1 })
    await mcp.notify('notifications/whatever', { x: 1 })
    const reply = await mcp.request('foo/bar', {})
    assert.equal(reply.error.code, -32601)
    return mcp
  }

  test('default level: the unknown method is one readable warning, no Debug dump', async () => {
    const mcp = await session(undefined)
    await waitFor(() => mcp.stderr().includes('client: unknown method foo/bar'), { what: 'the unknown-method line' })
    await mcp.end()
    const err = mcp.stderr()
    assert.match(err, /WARN client: unknown method foo\/bar; answered method not found \(-32601\)/)
    assert.ok(!err.includes('{'), `a Debug dump at the default level:\n${err}`)
    assert.ok(!err.includes('ErrorData'), err)
  })

  test('info level: a line per event, still no Debug dump', async () => {
    const mcp = await session('info')
    await waitFor(() => mcp.stderr().includes('client: unknown notification'), { what: 'the client lines' })
    await mcp.end()
    const err = mcp.stderr()
    for (const line of [
      'client: initialized (raw 1, protocol 2025-06-18)',
      'client: roots changed',
      'client: cancelled request 99 (user gave up)',
      'client: progress 1 ignored',
      'client: unknown notification notifications/whatever ignored',
      'client: unknown method foo/bar',
    ]) assert.ok(err.includes(line), `missing "${line}" in:\n${err}`)
    assert.ok(!err.includes('{'), `a Debug dump at info level:\n${err}`)
    assert.doesNotMatch(err, /Notification\(|NotificationNoParam|peer_info=/)
  })

  test('debug level: the Debug dumps are there for whoever asked', async () => {
    const mcp = await session('debug')
    await waitFor(() => mcp.stderr().includes('RootsListChangedNotification'), { what: 'the rmcp dump' })
    await mcp.end()
    assert.match(mcp.stderr(), /client: roots changed/)
  })
})

describe('a dead or refusing proxy is named, never its password', () => {
  const SECRET = 'proxyPASSWORD_s3cret'
  const base = 'https://api.junglegrid.dev'
  const check = (out) => {
    assert.ok(!out.includes(SECRET), `the proxy password leaked:\n${out}`)
    assert.ok(!out.includes('alice:'), `the proxy user info leaked:\n${out}`)
  }

  test('HTTPS_PROXY on a closed port: the tool error and doctor name the proxy and the variable', async () => {
    const port = await closedPort()
    const env = { JUNGLEGRID_API_BASE: base, HTTPS_PROXY: `http://alice:${SECRET}@127.0.0.1:${port}` }
    const mcp = await connectV1(null, { env })
    try {
      const result = await mcp.call('get_job', { job_id: 'job_1' })
      assert.equal(result.isError, true)
      assert.equal(
        text(result),
        `get_job failed: Could not connect to the proxy http://127.0.0.1:${port} (set by HTTPS_PROXY) on the way to the Jungle Grid API at api.junglegrid.dev: connection refused. Check that the proxy is running, or unset HTTPS_PROXY if you need no proxy.`,
      )
      check(text(result) + mcp.stderr())
    } finally {
      await mcp.close()
    }
    const r = await runBin(['doctor'], { PATH: process.env.PATH, JUNGLE_GRID_API_KEY: API_KEY, ...env }, { timeoutMs: 30_000 })
    assert.equal(r.code, 1, r.stdout)
    assert.match(r.stdout, new RegExp(`\\[FAIL\\] api: Could not connect to the proxy http://127\\.0\\.0\\.1:${port} \\(set by HTTPS_PROXY\\)`))
    assert.match(r.stdout, new RegExp(`fix: Check the proxy http://127\\.0\\.0\\.1:${port} \\(set by HTTPS_PROXY\\)`))
    check(r.stdout + r.stderr)
  })

  test('a proxy answering CONNECT with 407: "requires authentication", naming the proxy', async () => {
    const proxy = await startRefusingProxy({ status: 407 })
    const mcp = await connectV1(null, { env: { JUNGLEGRID_API_BASE: base, HTTPS_PROXY: `http://alice:${SECRET}@127.0.0.1:${proxy.port}` } })
    try {
      const result = await mcp.call('list_jobs', {})
      assert.equal(result.isError, true)
      assert.match(text(result), new RegExp(`^list_jobs failed: The proxy http://127\\.0\\.0\\.1:${proxy.port} \\(set by HTTPS_PROXY\\) refused to connect to the Jungle Grid API at api\\.junglegrid\\.dev: it requires authentication \\(407\\)`))
      check(text(result) + mcp.stderr())
      // It was a real CONNECT to the API host, with the credentials from the URL.
      assert.deepEqual(proxy.seen[0], { method: 'CONNECT', target: 'api.junglegrid.dev:443', proxyAuthorization: true })
    } finally {
      await mcp.close()
      await proxy.close()
    }
  })

  test('a proxy answering CONNECT with 502: the proxy would not open the connection', async () => {
    const proxy = await startRefusingProxy({ status: 502 })
    const mcp = await connectV1(null, { env: { JUNGLEGRID_API_BASE: base, https_proxy: `http://127.0.0.1:${proxy.port}` } })
    try {
      const result = await mcp.call('get_job', { job_id: 'job_1' })
      assert.match(text(result), new RegExp(`^get_job failed: The proxy http://127\\.0\\.0\\.1:${proxy.port} \\(set by https_proxy\\) would not open a connection to the Jungle Grid API at api\\.junglegrid\\.dev`))
    } finally {
      await mcp.close()
      await proxy.close()
    }
  })

  test('an http base through HTTP_PROXY answered 407 by the proxy is the proxy, not the API', async () => {
    const proxy = await startRefusingProxy({ status: 407 })
    const mcp = await connectV1(null, { env: { JUNGLEGRID_API_BASE: 'http://api.junglegrid.dev', HTTP_PROXY: `http://alice:${SECRET}@127.0.0.1:${proxy.port}` } })
    try {
      const result = await mcp.call('get_job', { job_id: 'job_1' })
      assert.match(text(result), new RegExp(`^get_job failed: The proxy http://127\\.0\\.0\\.1:${proxy.port} \\(set by HTTP_PROXY\\) refused the request .* requires authentication \\(407\\)`))
      assert.equal(proxy.seen[0].target, 'http://api.junglegrid.dev/v1/mcp/jobs/job_1')
      check(text(result) + mcp.stderr())
    } finally {
      await mcp.close()
      await proxy.close()
    }
  })

  test('NO_PROXY covering the API host: no proxy is named', async () => {
    const port = await closedPort()
    const mcp = await connectV1(null, {
      env: { JUNGLEGRID_API_BASE: `http://127.0.0.1:${await closedPort()}`, HTTP_PROXY: `http://127.0.0.1:${port}`, NO_PROXY: '127.0.0.1' },
    })
    try {
      const result = await mcp.call('get_job', { job_id: 'job_1' })
      assert.match(text(result), /^get_job failed: Could not connect to the Jungle Grid API at 127\.0\.0\.1:\d+: connection refused/)
    } finally {
      await mcp.close()
    }
  })
})

describe('the sandbox says "simulated" in everything it answers', () => {
  let mcp
  let dir
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jg-firstminute-'))
    // A company proxy in the environment (here a dead one) must not carry the in-process simulator's
    // loopback requests: the sandbox is reached directly.
    const dead = `http://127.0.0.1:${await closedPort()}`
    mcp = await connectV1(null, {
      args: ['--sandbox', '--sandbox-time-scale', '500', '--allow-dir', dir],
      env: { JUNGLE_GRID_API_KEY: undefined, HTTP_PROXY: dead, ALL_PROXY: dead },
    })
  })
  after(async () => {
    await mcp.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const REAL_MONEY = /real compute may start|can incur|incur (usage )?charges|paid Jungle Grid job|will be charged/i

  test('every summary of the production flow is marked, none promises real compute or cost', async () => {
    const texts = []
    const ok = async (name, args) => {
      const result = await mcp.call(name, args)
      assert.ok(!result.isError, `${name}: ${text(result)}`)
      texts.push([name, text(result).split('\n')[0]])
      return result.structuredContent.data
    }
    const upload = await ok('upload_job_input', { filename: 'run.py', kind: 'script', content: 'print(1)\n' })
    await ok('list_job_inputs', {})
    await ok('estimate_job', { workload_type: 'inference', model_size: 7 })
    const job = await ok('submit_job', {
      name: 'fm', workload_type: 'inference', image: 'python:3.12', command: ['python', '/workspace/scripts/run.py'],
      script_files: [upload.input_id], expected_artifacts: ['/workspace/artifacts/out.txt'],
    })
    const jobId = job.job_id ?? job.job?.job_id
    await ok('wait_for_job', { job_id: jobId, timeout_seconds: 40 })
    await ok('get_job', { job_id: jobId })
    await ok('get_job_events', { job_id: jobId })
    await ok('get_job_logs', { job_id: jobId })
    await ok('list_jobs', {})
    const artifacts = await ok('list_artifacts', { job_id: jobId })
    const artifact = artifacts.artifacts[0]
    await ok('get_artifact', { job_id: jobId, artifact_id: artifact.artifact_id, save_to: join(dir, 'out.txt') })
    for (const [name, line] of texts) {
      assert.ok(line.startsWith('[sandbox: simulated jobs, no real compute, no cost]'), `${name}: ${line}`)
      assert.doesNotMatch(line, REAL_MONEY, `${name}: ${line}`)
    }
    const estimate = texts.find(([n]) => n === 'estimate_job')[1]
    assert.match(estimate, /Estimated cost: \$[\d.]+(-\$[\d.]+)? USD \(simulated: nothing is charged\)\./)
    assert.match(texts.find(([n]) => n === 'submit_job')[1], /simulated: no real compute, no cost/)
  })

  test('every error of the sandbox says sandbox', async () => {
    const errors = []
    const fail = async (name, args) => {
      const result = await mcp.call(name, args)
      assert.equal(result.isError, true, `${name} should fail: ${text(result)}`)
      errors.push([name, text(result)])
    }
    await fail('get_job', { job_id: 'job_nope' })
    await fail('get_job_logs', { job_id: 'job_nope' })
    await fail('cancel_job', { job_id: 'job_nope' })
    await fail('get_artifact', { job_id: 'job_nope', artifact_id: 'art_nope' })
    await fail('submit_job', { name: 'x', workload_type: 'inference', image: 'python:3.12', input_files: ['inp_nope'] })
    await fail('get_job', { job_id: '..' }) // refused before any request: still marked
    for (const [name, message] of errors) {
      assert.match(message, new RegExp(`^${name} failed: `))
      assert.match(message, /sandbox/i, `${name}: ${message}`)
      assert.doesNotMatch(message, REAL_MONEY, `${name}: ${message}`)
    }
    assert.match(errors[0][1], /^get_job failed: NOT_FOUND: Sandbox \(simulated\): job job_nope was not found$/)
    assert.match(errors[5][1], /\(sandbox: simulated, nothing real was affected\)$/)
  })
})

test('a library client of startSandbox() reaches it directly, not through HTTP_PROXY', async () => {
  // In a child Node process whose environment names a refusing company proxy: the library's
  // startSandbox() + new JungleGridClient({ apiBase }) must still work, and the proxy hears nothing.
  const proxy = await startRefusingProxy({ status: 502 })
  try {
    const lib = new URL('../lib/index.js', import.meta.url).pathname
    const script = `
      const { JungleGridClient, startSandbox } = require(${JSON.stringify(lib)})
      ;(async () => {
        const sandbox = await startSandbox({ timeScale: 100 })
        try {
          const jg = new JungleGridClient({ apiKey: sandbox.apiKey, apiBase: sandbox.baseUrl })
          const list = await jg.listJobs({ limit: 1 })
          const estimate = await jg.estimateJob({ workload_type: 'inference', model_size: 7 })
          console.log(JSON.stringify({ jobs: Array.isArray(list.items ?? list.jobs), estimate: typeof estimate }))
        } finally {
          await sandbox.stop()
        }
      })().catch((e) => { console.error(e.code, e.message); process.exit(1) })`
    const env = { ...process.env, HTTP_PROXY: `http://127.0.0.1:${proxy.port}`, http_proxy: `http://127.0.0.1:${proxy.port}`, ALL_PROXY: `http://127.0.0.1:${proxy.port}` }
    delete env.NO_PROXY
    delete env.no_proxy
    const { execFile } = await import('node:child_process')
    const out = await new Promise((resolve) => execFile(process.execPath, ['-e', script], { env, timeout: 30000 }, (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr })))
    assert.equal(out.code, 0, out.stderr)
    assert.deepEqual(JSON.parse(out.stdout), { jobs: true, estimate: 'object' })
    assert.deepEqual(proxy.seen, [])
  } finally {
    await proxy.close()
  }
})

describe('the spending guard in the sandbox asks about a simulated job', () => {
  test('the refusal (no elicitation) marks the estimate simulated', async () => {
    const mcp = await connectV1(null, { args: ['--sandbox', '--confirm-submit'], env: { JUNGLE_GRID_API_KEY: undefined } })
    try {
      const result = await mcp.call('submit_job', { name: 'guarded', workload_type: 'inference', image: 'python:3.12' })
      assert.equal(result.isError, true)
      assert.match(text(result), /^submit_job failed: APPROVAL_REQUIRED: Not submitted: "guarded" is estimated at \$[\d.-]+(\$[\d.]+)? USD, simulated and every submit needs approval/)
      assert.match(text(result), /sandbox/)
    } finally {
      await mcp.close()
    }
  })
})
