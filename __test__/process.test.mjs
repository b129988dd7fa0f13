// The server as a process, spawned as a host spawns it: stdout carries only JSON-RPC even with debug
// logging; no secret (API key, upload token, signed URL query) ever reaches stderr, even at trace;
// clean exits on stdin close, SIGTERM and SIGINT; the seed's missing-key message; --version, --help
// and unknown flags; and the API base / timeout configuration (contract Part A 4, Part B 5.3).
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { API_KEY, closedPort, SIGNATURE, UPLOAD_TOKEN } from './helpers/fake-upstream.mjs'
import { connectV1, hostEnv, PACKAGE, runBin, spawnRaw, stdioSuite, text } from './helpers/mcp.mjs'

describe('the server as a process (TS test vectors)', () => {
  let api
  stdioSuite({ vectors: true, client: null }, (s) => ({ api } = s))

  /** Every stdout line is one JSON-RPC 2.0 message. */
  function assertAllJsonRpc(lines) {
    assert.ok(lines.length > 0, 'some stdout')
    for (const line of lines) {
      let msg
      assert.doesNotThrow(() => (msg = JSON.parse(line)), `stdout line is not JSON: ${line.slice(0, 200)}`)
      assert.equal(msg.jsonrpc, '2.0', line.slice(0, 200))
      const isResponse = ('result' in msg || 'error' in msg) && 'id' in msg
      const isRequestOrNotification = typeof msg.method === 'string'
      assert.ok(isResponse || isRequestOrNotification, `not a JSON-RPC message: ${line.slice(0, 200)}`)
    }
  }

  /** A session that exercises every path that might log: successes, secrets in results, errors, retries. */
  async function busySession(raw) {
    await raw.initialize()
    await raw.request('logging/setLevel', { level: 'debug' })
    const calls = [
      ['upload_job_input', { filename: 'audio.wav', content_type: 'audio/wav', kind: 'input' }],
      ['get_artifact', { job_id: 'job_123', artifact_id: 'artifact_1' }],
      ['list_jobs', { cursor: 'secret cursor', status: 'running' }],
      ['get_job_logs', { job_id: 'job_123', cursor: 'abc' }],
      ['get_job', { job_id: 'job_123' }],
      ['get_job', {}],
      ['estimate_job', { workload_type: 'batch' }],
      ['submit_job', { name: 'n', workload_type: 'batch', image: 'i', env: { HF_TOKEN: 'hf_SECRET_env_value' } }],
    ]
    api.override('job', { status: 503, json: { ok: false, error: { code: 'MAINTENANCE_ACTIVE', message: 'back soon' } } })
    api.override('estimate', { status: 500, raw: 'stack trace at db.internal' })
    const results = []
    for (const [name, args] of calls) results.push(await raw.request('tools/call', { name, arguments: args }))
    await raw.request('tools/call', { name: 'nope', arguments: {} })
    await raw.send('not json')
    await raw.next((m) => m.error?.code === -32700)
    return results
  }

  describe('stdout is the protocol channel; stderr never holds a secret', () => {
    for (const level of ['debug', 'trace']) {
      test(`JUNGLE_GRID_LOG=${level}: stdout is only JSON-RPC, stderr has logs but no secret`, async () => {
        const raw = spawnRaw(api, { env: { JUNGLE_GRID_LOG: level } })
        let results
        try {
          results = await busySession(raw)
        } finally {
          const status = await raw.end()
          assert.equal(status.code, 0)
        }
        assertAllJsonRpc(raw.lines)
        const stdout = raw.lines.join('\n')
        // The secrets really went through the process: the tool results carry them (by design).
        assert.ok(stdout.includes(UPLOAD_TOKEN), 'upload token is in the tool result')
        assert.ok(stdout.includes(SIGNATURE), 'signed URL is in the tool result')
        assert.equal(results[0].result.structuredContent.data.upload.token, UPLOAD_TOKEN)
        const stderr = raw.stderr()
        assert.ok(stderr.length > 0, `${level} logging wrote nothing to stderr`)
        assert.match(stderr, /DEBUG/, 'debug lines present')
        for (const secret of [API_KEY, UPLOAD_TOKEN, SIGNATURE, 'SECRET', 'SIGSECRET', 'X-Amz-Signature', 'hf_SECRET_env_value', 'secret+cursor', 'secret cursor']) {
          assert.ok(!stderr.includes(secret), `stderr at ${level} contains ${secret}:\n${stderr.split('\n').filter((l) => l.includes(secret)).join('\n')}`)
        }
        assert.ok(!stderr.includes('db.internal'), 'a non-JSON upstream body is not logged')
      })
    }

    test('--log-level trace on the command line: same guarantees', async () => {
      const raw = spawnRaw(api, { args: ['--log-level', 'trace'] })
      try {
        await busySession(raw)
      } finally {
        await raw.end()
      }
      assertAllJsonRpc(raw.lines)
      assert.match(raw.stderr(), /DEBUG|TRACE/)
      for (const secret of [API_KEY, UPLOAD_TOKEN, SIGNATURE]) assert.ok(!raw.stderr().includes(secret), secret)
    })

    test('with the default level, a normal session writes nothing to stdout but JSON-RPC', async () => {
      const raw = spawnRaw(api)
      try {
        await busySession(raw)
      } finally {
        await raw.end()
      }
      assertAllJsonRpc(raw.lines)
      for (const secret of [API_KEY, UPLOAD_TOKEN, SIGNATURE]) assert.ok(!raw.stderr().includes(secret), secret)
    })

    test('the key is not on stderr when the API rejects it', async () => {
      const raw = spawnRaw(api, { env: { JUNGLE_GRID_API_KEY: 'jg_test_WRONG_key_777', JUNGLE_GRID_LOG: 'trace' } })
      try {
        await raw.initialize()
        const reply = await raw.request('tools/call', { name: 'get_job', arguments: { job_id: 'job_123' } })
        assert.equal(reply.result.content[0].text, 'get_job failed: UNAUTHORIZED: invalid or revoked api key')
      } finally {
        await raw.end()
      }
      assert.ok(!raw.stderr().includes('jg_test_WRONG_key_777'))
    })
  })

  describe('lifecycle', () => {
    test('exits with code 0 when stdin closes after a session', async () => {
      const raw = spawnRaw(api)
      await raw.initialize()
      await raw.request('tools/list', {})
      const status = await raw.end(10_000)
      assert.deepEqual(status, { code: 0, signal: null })
    })

    test('exits with code 0 when stdin closes before initialize', async () => {
      const raw = spawnRaw(api)
      const status = await raw.end(10_000)
      assert.deepEqual(status, { code: 0, signal: null })
      assert.deepEqual(raw.lines, [])
    })

    test('exits with code 0 when stdin closes while a call is in flight', async () => {
      api.delay(60_000, 'job')
      const raw = spawnRaw(api)
      await raw.initialize()
      await raw.send({ jsonrpc: '2.0', id: 'slow', method: 'tools/call', params: { name: 'get_job', arguments: { job_id: 'j' } } })
      await api.waitForRequests(1)
      const status = await raw.end(10_000)
      assert.equal(status.code, 0)
      assertAllJsonRpc(raw.lines)
    })

    for (const signal of ['SIGTERM', 'SIGINT']) {
      test(`exits promptly on ${signal}`, async () => {
        const raw = spawnRaw(api)
        await raw.initialize()
        raw.child.kill(signal)
        const status = await raw.waitExit(10_000)
        assert.ok(status.code !== null || status.signal !== null)
        assert.ok(status.code === 0 || status.signal === signal, `exit ${status.code} ${status.signal}`)
        assert.notEqual(status.signal, 'SIGKILL')
        assertAllJsonRpc(raw.lines)
      })

      test(`exits promptly on ${signal} while a call is in flight`, async () => {
        api.delay(60_000, 'job')
        const raw = spawnRaw(api)
        try {
          await raw.initialize()
          await raw.send({ jsonrpc: '2.0', id: 'slow', method: 'tools/call', params: { name: 'get_job', arguments: { job_id: 'j' } } })
          await api.waitForRequests(1)
          raw.child.kill(signal)
          const status = await raw.waitExit(5_000)
          assert.ok(status.code !== null || status.signal !== null)
        } finally {
          raw.kill()
        }
      })
    }

    test('the SDK client closes the session cleanly (exit code 0)', async () => {
      const mcp = await connectV1(api, { listTools: true })
      const pid = mcp.pid
      assert.ok(pid > 0)
      const exited = new Promise((resolve) => mcp.transport._process.once('exit', (code, signal) => resolve({ code, signal })))
      await mcp.close()
      const status = await exited
      assert.deepEqual(status, { code: 0, signal: null })
    })
  })

  describe('start-up configuration', () => {
    for (const [label, value] of [['missing', undefined], ['blank', '   '], ['empty', '']]) {
      test(`${label} JUNGLE_GRID_API_KEY: stderr "JUNGLE_GRID_API_KEY is required" + one hint line, exit 1`, async () => {
        const { code, stdout, stderr } = await runBin([], hostEnv(api, { JUNGLE_GRID_API_KEY: value }))
        assert.equal(code, 1)
        assert.equal(stdout, '', 'nothing on stdout')
        const lines = stderr.trimEnd().split('\n')
        assert.equal(lines[0], 'JUNGLE_GRID_API_KEY is required')
        assert.equal(lines.length, 2, `exactly one hint line:\n${stderr}`)
        assert.match(lines[1], /JUNGLE_GRID_API_KEY/)
        assert.match(lines[1], /env/)
      })
    }

    test('--version prints the package version', async () => {
      const { code, stdout } = await runBin(['--version'], hostEnv(api))
      assert.equal(code, 0)
      assert.equal(stdout, `${PACKAGE.version}\n`)
    })

    test('--version works without a key', async () => {
      const { code, stdout } = await runBin(['--version'], { PATH: process.env.PATH })
      assert.equal(code, 0)
      assert.equal(stdout.trim(), PACKAGE.version)
    })

    test('--help exits 0 and documents the flags and the key', async () => {
      const { code, stdout } = await runBin(['--help'], { PATH: process.env.PATH })
      assert.equal(code, 0)
      for (const flag of ['--api-base', '--timeout-ms', '--log-level', '--help', '--version', 'JUNGLE_GRID_API_KEY', 'JUNGLEGRID_API_BASE']) {
        assert.ok(stdout.includes(flag), `--help mentions ${flag}`)
      }
    })

    test('an unknown flag exits 2 naming it, with nothing on stdout', async () => {
      const { code, stdout, stderr } = await runBin(['--bogus-flag'], hostEnv(api))
      assert.equal(code, 2)
      assert.equal(stdout, '')
      assert.match(stderr, /--bogus-flag/)
    })

    test('an invalid log level fails at start-up', async () => {
      const { code, stderr } = await runBin(['--log-level', 'loud'], hostEnv(api))
      assert.equal(code, 1)
      assert.match(stderr, /log level/i)
    })

    test('an invalid timeout fails at start-up naming the variable', async () => {
      const { code, stderr } = await runBin([], hostEnv(api, { JUNGLE_GRID_TIMEOUT_MS: 'soon' }))
      assert.equal(code, 1)
      assert.match(stderr, /JUNGLE_GRID_TIMEOUT_MS/)
    })

    test('an invalid API base fails at start-up naming the variable', async () => {
      const { code, stderr } = await runBin([], hostEnv(api, { JUNGLEGRID_API_BASE: 'not a url' }))
      assert.equal(code, 1)
      assert.match(stderr, /JUNGLEGRID_API_BASE/)
    })

    test('JUNGLEGRID_API_BASE wins over the legacy JUNGLE_GRID_API_URL; trailing slashes removed (5.3.2)', async () => {
      const dead = await closedPort()
      const mcp = await connectV1(null, { listTools: true, env: { JUNGLEGRID_API_BASE: `${api.base}/`, JUNGLE_GRID_API_URL: `http://127.0.0.1:${dead}` } })
      try {
        const result = await mcp.call('get_job', { job_id: 'job_123' })
        assert.notEqual(result.isError, true, text(result))
        assert.equal(api.requests[0].url, '/v1/mcp/jobs/job_123')
      } finally {
        await mcp.close()
      }
    })

    test('only the legacy JUNGLE_GRID_API_URL (with a trailing slash) is used (5.3.3)', async () => {
      const mcp = await connectV1(null, { listTools: true, env: { JUNGLE_GRID_API_URL: `${api.base}//` } })
      try {
        const result = await mcp.call('list_jobs', {})
        assert.notEqual(result.isError, true, text(result))
        assert.equal(api.requests[0].url, '/v1/mcp/jobs?limit=10')
      } finally {
        await mcp.close()
      }
    })

    test('a base URL with a path prefix keeps the prefix', async () => {
      const mcp = await connectV1(null, { listTools: true, env: { JUNGLEGRID_API_BASE: `${api.base}/gateway/` } })
      try {
        await mcp.call('get_job', { job_id: 'job_123' })
        assert.equal(api.requests[0].url, '/gateway/v1/mcp/jobs/job_123')
      } finally {
        await mcp.close()
      }
    })

    test('--api-base and --timeout-ms override the environment', async () => {
      const dead = await closedPort()
      api.delay(60_000, 'job') // never answers within the 250 ms timeout
      const mcp = await connectV1(null, {
        listTools: true,
        env: { JUNGLEGRID_API_BASE: `http://127.0.0.1:${dead}`, JUNGLE_GRID_TIMEOUT_MS: '60000' },
        args: ['--api-base', api.base, '--timeout-ms', '250'],
      })
      try {
        const result = await mcp.call('get_job', { job_id: 'job_123' })
        assert.equal(result.isError, true)
        assert.match(text(result), new RegExp(`127\\.0\\.0\\.1:${api.port}.*250 ms.*timed out`))
        assert.equal(api.requests.length, 1)
      } finally {
        await mcp.close()
      }
    })
  })
})
