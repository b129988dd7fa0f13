// Errors and faults: every bad argument is refused before any API call with `isError: true` and
// `<tool> failed: <message naming the field>`; ids stay inside one percent-encoded path segment; API
// error envelopes, status defaults (contract Part B 1.2), HTML / broken JSON / empty / 204 bodies,
// dropped and refused connections, timeouts, retries of safe calls only and an unknown key all give
// clear errors, never echo non-JSON bodies, and the same server process keeps answering.
import { after, afterEach, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { closedPort } from './helpers/fake-upstream.mjs'
import { connectV1, stdioSuite, summaryLine, text } from './helpers/mcp.mjs'

describe('bad input, default fixtures', () => {
  let upstream
  let mcp
  stdioSuite({}, (s) => ({ api: upstream, mcp } = s))

  const call = (name, args) => mcp.client.callTool({ name, arguments: args })

  async function assertRefused(name, args, message) {
    const result = await call(name, args)
    assert.equal(result.isError, true, `${name} ${JSON.stringify(args)} should fail`)
    assert.equal(text(result), `${name} failed: ${message}`)
    assert.equal(result.structuredContent, undefined)
    assert.equal(upstream.apiRequests().length, 0, 'no API call for invalid arguments')
  }

  describe('invalid arguments are refused before any API call, naming the field', () => {
    const cases = [
      ['estimate_job', {}, 'workload_type is required.'],
      ['estimate_job', { workload_type: 'gaming' }, 'workload_type must be one of: inference, training, fine_tuning, batch.'],
      ['estimate_job', { workload_type: 'batch', routing_mode: 'fastest' }, 'routing_mode must be one of: cost, speed, balanced.'],
      ['estimate_job', { workload_type: 'batch', model_size: 'big' }, 'model_size must be a finite number.'],
      ['estimate_job', { workload_type: 'batch', command: { run: 'x' } }, 'command must be an array of strings (or a single string).'],
      ['estimate_job', { workload_type: 'batch', command: ['python', 3] }, 'command must contain only strings.'],
      ['estimate_job', { workload_type: 'batch', args: 'x' }, 'args must be an array of strings.'],
      ['submit_job', {}, 'workload_type is required.'],
      ['submit_job', { workload_type: 'batch' }, 'name is required.'],
      ['submit_job', { workload_type: 'batch', name: '  ' }, 'name is required.'],
      ['submit_job', { workload_type: 'batch', name: 'n' }, 'image is required.'],
      ['submit_job', { workload_type: 'batch', name: 'n', image: 5 }, 'image must be a string.'],
      ['submit_job', { workload_type: 'batch', name: 'n', image: 'i', env: { A: 1 } }, 'env.A must be a string.'],
      ['submit_job', { workload_type: 'batch', name: 'n', image: 'i', env: ['A=1'] }, 'env[0] must be a { name, value } object.'],
      ['submit_job', { workload_type: 'batch', name: 'n', image: 'i', input_files: [42] }, 'input_files must be an array of { input_id } objects.'],
      ['submit_job', { workload_type: 'batch', name: 'n', image: 'i', script_files: [{}] }, 'script_files items must include input_id.'],
      ['submit_job', { workload_type: 'batch', name: 'n', image: 'i', metadata: 'x' }, 'metadata must be an object or a list of { name, value } objects.'],
      ['upload_job_input', {}, 'filename is required.'],
      ['upload_job_input', { filename: 'a.py', path: 'relative/a.py' }, 'path must be an absolute path, got "relative/a.py".'],
      ['list_jobs', { limit: 0 }, 'limit must be greater than 0.'],
      ['list_jobs', { limit: -5 }, 'limit must be greater than 0.'],
      ['list_jobs', { limit: 'ten' }, 'limit must be a finite number.'],
      ['list_jobs', { status: 7 }, 'status must be a string.'],
      ['get_job', {}, 'job_id is required.'],
      ['get_job', { job_id: '' }, 'job_id is required.'],
      ['get_job', { jobId: 42 }, 'jobId must be a string.'],
      ['get_job', { job_id: '..' }, 'job_id is not a valid id.'],
      ['get_job', { job_id: '.' }, 'job_id is not a valid id.'],
      ['get_job_events', { job_id: null }, 'job_id is required.'],
      ['get_job_logs', { job_id: 'j', limit: 0 }, 'limit must be greater than 0.'],
      ['get_job_logs', { job_id: 'j', cursor: [1] }, 'cursor must be a string.'],
      ['cancel_job', { reason: 'x' }, 'job_id is required.'],
      ['list_artifacts', { job_id: ['a'] }, 'job_id must be a string.'],
      ['get_artifact', { job_id: 'j' }, 'artifact_id is required.'],
      ['get_artifact', { job_id: 'j', artifact_id: '..' }, 'artifact_id is not a valid id.'],
      ['get_artifact', { job_id: 'j', artifact_id: 'a', save_to: 'out.txt' }, 'save_to must be an absolute path, got "out.txt".'],
      ['wait_for_job', { job_id: 'j', timeout_seconds: 0 }, 'timeout_seconds must be greater than 0.'],
    ]
    for (const [name, args, message] of cases) {
      test(`${name} ${JSON.stringify(args)}`, () => assertRefused(name, args, message))
    }
  })

  describe('path injection: ids stay inside one percent-encoded segment', () => {
    const cases = [
      ['job/123', '/v1/mcp/jobs/job%2F123'],
      ['job 1', '/v1/mcp/jobs/job%201'],
      ['a?b#c', '/v1/mcp/jobs/a%3Fb%23c'],
      ['../x', '/v1/mcp/jobs/..%2Fx'],
      ['%2e%2e', '/v1/mcp/jobs/%252e%252e'],
    ]
    for (const [id, path] of cases) {
      test(JSON.stringify(id), async () => {
        const result = await call('get_job', { job_id: id })
        assert.equal(result.isError, false)
        const [req] = upstream.apiRequests()
        assert.equal(req.url, path)
      })
    }
  })
})

describe('bad input, every tool (TS test vectors)', () => {
  let api
  let mcp
  stdioSuite({ vectors: true, listTools: true }, (s) => ({ api, mcp } = s))

  const SUBMIT_OK = { name: 'n', workload_type: 'batch', image: 'python:3.11-slim' }

  const WORKLOAD_ENUM = 'inference, training, fine_tuning, batch'

  // [tool, arguments, exact message after "<tool> failed: "] (contract Part B 3.3 rules, seed names).
  const CASES = [
    // estimate_job
    ['estimate_job', {}, 'workload_type is required.'],
    ['estimate_job', { workload_type: '   ' }, 'workload_type is required.'],
    ['estimate_job', { workload_type: 'gaming' }, `workload_type must be one of: ${WORKLOAD_ENUM}.`],
    ['estimate_job', { workload_type: 3 }, `workload_type must be one of: ${WORKLOAD_ENUM}.`],
    ['estimate_job', { workload: 'gaming' }, `workload must be one of: ${WORKLOAD_ENUM}.`],
    ['estimate_job', { workload_type: 'batch', routing_mode: 'fastest' }, 'routing_mode must be one of: cost, speed, balanced.'],
    ['estimate_job', { workload_type: 'batch', routing_mode: 1 }, 'routing_mode must be one of: cost, speed, balanced.'],
    ['estimate_job', { workload_type: 'batch', model_size: 'big' }, 'model_size must be a finite number.'],
    ['estimate_job', { workload_type: 'batch', model_size: { gb: 7 } }, 'model_size must be a finite number.'],
    ['estimate_job', { workload_type: 'batch', image: 42 }, 'image must be a string.'],
    ['estimate_job', { workload_type: 'batch', command: ['python', 3] }, 'command must contain only strings.'],
    ['estimate_job', { workload_type: 'batch', args: 'train.py' }, 'args must be an array of strings.'],
    ['estimate_job', { workload_type: 'batch', args: [1] }, 'args must contain only strings.'],
    ['estimate_job', { workload_type: 'batch', template: ['lora'] }, 'template must be a string.'],
    ['estimate_job', { workload_type: 'batch', notes: false }, 'notes must be a string.'],
    // submit_job: workload, name, image, then the rest (3.3 validation order)
    ['submit_job', {}, 'workload_type is required.'],
    ['submit_job', { name: 'n', image: 'i' }, 'workload_type is required.'],
    ['submit_job', { workload_type: 'batch' }, 'name is required.'],
    ['submit_job', { workload_type: 'batch', name: '  ', image: 'i' }, 'name is required.'],
    ['submit_job', { workload_type: 'batch', name: 42, image: 'i' }, 'name must be a string.'],
    ['submit_job', { workload_type: 'batch', name: 'n' }, 'image is required.'],
    ['submit_job', { workload_type: 'batch', name: 'n', image: 5 }, 'image must be a string.'],
    ['submit_job', { ...SUBMIT_OK, workload_type: 'gaming' }, `workload_type must be one of: ${WORKLOAD_ENUM}.`],
    ['submit_job', { ...SUBMIT_OK, routing_mode: 'fast' }, 'routing_mode must be one of: cost, speed, balanced.'],
    ['submit_job', { ...SUBMIT_OK, env: { A: '1', B: 2 } }, 'env.B must be a string.'],
    ['submit_job', { ...SUBMIT_OK, env: { A: null } }, 'env.A must be a string.'],
    ['submit_job', { ...SUBMIT_OK, env: ['A=1'] }, 'env[0] must be a { name, value } object.'],
    ['submit_job', { ...SUBMIT_OK, env: 'A=1' }, 'env must be an object with string values or a list of { name, value } objects.'],
    ['submit_job', { ...SUBMIT_OK, env: [{ name: 'A', value: 1 }] }, 'env[0].value must be a string.'],
    ['submit_job', { ...SUBMIT_OK, env: [{ name: 'A', value: '1' }, { name: 'A', value: '2' }] }, 'env names A twice.'],
    ['submit_job', { ...SUBMIT_OK, input_files: [42] }, 'input_files must be an array of { input_id } objects.'],
    ['submit_job', { ...SUBMIT_OK, input_files: [true] }, 'input_files must be an array of { input_id } objects.'],
    ['submit_job', { ...SUBMIT_OK, input_files: 'inp_1' }, 'input_files must be an array of { input_id } objects.'],
    ['submit_job', { ...SUBMIT_OK, input_files: [{}] }, 'input_files items must include input_id.'],
    ['submit_job', { ...SUBMIT_OK, input_files: [{ input_id: '  ' }] }, 'input_files items must include input_id.'],
    ['submit_job', { ...SUBMIT_OK, script_files: [['inp_1']] }, 'script_files must be an array of { input_id } objects.'],
    ['submit_job', { ...SUBMIT_OK, script_files: [{}] }, 'script_files items must include input_id.'],
    ['submit_job', { ...SUBMIT_OK, expected_artifacts: '/workspace/artifacts/a' }, 'expected_artifacts must be an array of strings.'],
    ['submit_job', { ...SUBMIT_OK, expected_artifacts: [1] }, 'expected_artifacts must contain only strings.'],
    ['submit_job', { ...SUBMIT_OK, metadata: 'x' }, 'metadata must be an object or a list of { name, value } objects.'],
    ['submit_job', { ...SUBMIT_OK, metadata: [1] }, 'metadata[0] must be a { name, value } object.'],
    ['submit_job', { ...SUBMIT_OK, command: ['python', {}] }, 'command must contain only strings.'],
    ['submit_job', { ...SUBMIT_OK, model_size: 'xl' }, 'model_size must be a finite number.'],
    ['submit_job', { ...SUBMIT_OK, script_file: 7 }, 'script_file must be a string.'],
    // upload_job_input
    ['upload_job_input', {}, 'filename is required.'],
    ['upload_job_input', { filename: '' }, 'filename is required.'],
    ['upload_job_input', { filename: 5 }, 'filename must be a string.'],
    ['upload_job_input', { filename: 'a.wav', content_type: 5 }, 'content_type must be a string.'],
    ['upload_job_input', { filename: 'a.wav', kind: ['input'] }, 'kind must be a string.'],
    // list_jobs
    ['list_jobs', { limit: 0 }, 'limit must be greater than 0.'],
    ['list_jobs', { limit: -5 }, 'limit must be greater than 0.'],
    ['list_jobs', { limit: 'ten' }, 'limit must be a finite number.'],
    ['list_jobs', { limit: true }, 'limit must be a finite number.'],
    ['list_jobs', { limit: [10] }, 'limit must be a finite number.'],
    ['list_jobs', { status: 7 }, 'status must be a string.'],
    ['list_jobs', { cursor: { next: 1 } }, 'cursor must be a string.'],
    // job id tools
    ...['get_job', 'get_job_events', 'list_artifacts', 'get_job_logs', 'cancel_job'].flatMap((tool) => [
      [tool, {}, 'job_id is required.'],
      [tool, { job_id: '' }, 'job_id is required.'],
      [tool, { job_id: '   ' }, 'job_id is required.'],
      [tool, { job_id: 123 }, 'job_id must be a string.'],
      [tool, { job_id: { id: 'job_1' } }, 'job_id must be a string.'],
      [tool, { jobId: 42 }, 'jobId must be a string.'],
      [tool, { jobId: '' }, 'job_id is required.'],
    ]),
    // get_job_logs
    ['get_job_logs', { job_id: 'job_1', limit: 0 }, 'limit must be greater than 0.'],
    ['get_job_logs', { job_id: 'job_1', limit: -1 }, 'limit must be greater than 0.'],
    ['get_job_logs', { job_id: 'job_1', limit: 'ten' }, 'limit must be a finite number.'],
    ['get_job_logs', { job_id: 'job_1', cursor: [1] }, 'cursor must be a string.'],
    // cancel_job
    ['cancel_job', { job_id: 'job_1', reason: 5 }, 'reason must be a string.'],
    // get_artifact
    ['get_artifact', {}, 'job_id is required.'],
    ['get_artifact', { artifact_id: 'a' }, 'job_id is required.'],
    ['get_artifact', { job_id: 'job_1' }, 'artifact_id is required.'],
    ['get_artifact', { job_id: 'job_1', artifact_id: ' ' }, 'artifact_id is required.'],
    ['get_artifact', { job_id: 'job_1', artifact_id: 7 }, 'artifact_id must be a string.'],
    ['get_artifact', { job_id: 'job_1', artifactId: 7 }, 'artifactId must be a string.'],
    ['get_artifact', { job_id: 9, artifact_id: 'a' }, 'job_id must be a string.'],
  ]

  describe('invalid arguments: isError, a message naming the field, and no API request', () => {
    for (const [tool, args, message] of CASES) {
      test(`${tool} ${JSON.stringify(args)}`, async () => {
        const result = await mcp.call(tool, args)
        assert.equal(result.isError, true, `expected isError, got ${JSON.stringify(result)}`)
        assert.equal(text(result), `${tool} failed: ${message}`)
        assert.equal(result.structuredContent, undefined)
        assert.equal(api.requests.length, 0, `the fake API got ${api.requests.map((r) => r.url)}`)
      })
    }

    // The contract's text is `command must be an array of strings.`; the field must be named either way.
    for (const [tool, base] of [['estimate_job', { workload_type: 'batch' }], ['submit_job', SUBMIT_OK]]) {
      for (const command of [{ run: 'x' }, 42, true]) {
        test(`${tool} command ${JSON.stringify(command)} names the field`, async () => {
          const result = await mcp.call(tool, { ...base, command })
          assert.equal(result.isError, true)
          assert.match(text(result), new RegExp(`^${tool} failed: command must be an array of strings`))
          assert.equal(api.requests.length, 0)
        })
      }
    }

    test('arguments omitted entirely are the same as {}', async () => {
      const result = await mcp.client.callTool({ name: 'get_job' })
      assert.equal(result.isError, true)
      assert.equal(text(result), 'get_job failed: job_id is required.')
      assert.equal(api.requests.length, 0)
    })

    test('after a run of refusals the server still serves a valid call', async () => {
      const result = await mcp.call('get_job', { job_id: 'job_123' })
      assert.notEqual(result.isError, true)
      assert.equal(api.requests.length, 1)
    })
  })

  describe('ids are percent-encoded into one path segment', () => {
    // Contract Part B 1.1 / Part A 3.
    for (const id of ['job/123', 'job 1', 'a?b#c', '../x', '100%', 'jöb_ü', './x', '..a']) {
      test(`get_job ${JSON.stringify(id)} -> /v1/mcp/jobs/${encodeURIComponent(id)}`, async () => {
        const result = await mcp.call('get_job', { job_id: id })
        assert.notEqual(result.isError, true, text(result))
        assert.equal(api.requests.length, 1)
        const [req] = api.requests
        assert.equal(req.url, `/v1/mcp/jobs/${encodeURIComponent(id)}`)
        assert.equal(req.route, 'job')
        assert.equal(decodeURIComponent(req.params[0]), id)
      })
    }

    test('reserved and unusual characters stay inside the segment and decode back to the id', async () => {
      for (const id of ['a&b=c+d;e:f@g$h,i', "x|y^z[1]{2}`q'\"<>\\"]) {
        api.reset()
        const result = await mcp.call('get_job', { job_id: id })
        assert.notEqual(result.isError, true, text(result))
        const [req] = api.requests
        assert.equal(req.route, 'job', `${JSON.stringify(id)} -> ${req.url}`)
        assert.equal(req.query, '', `no query string for ${JSON.stringify(id)}: ${req.url}`)
        assert.equal(decodeURIComponent(req.params[0]), id)
      }
    })

    test('interior control characters (tab, newline, CR) are percent-encoded, not silently dropped', async () => {
      // Dropping them would address a different job (`job\t1` -> `job1`).
      for (const id of ['tab\there', 'line\nbreak', 'cr\rx']) {
        api.reset()
        await mcp.call('get_job', { job_id: id })
        assert.equal(api.requests.length, 1)
        assert.equal(api.requests[0].url, `/v1/mcp/jobs/${encodeURIComponent(id)}`, `id ${JSON.stringify(id)}`)
      }
    })

    const ROUTES = [
      ['get_job_events', (e) => `/v1/jobs/${e}/events`],
      ['get_job_logs', (e) => `/v1/mcp/jobs/${e}/logs?limit=100`],
      ['cancel_job', (e) => `/v1/mcp/jobs/${e}/cancel`],
      ['list_artifacts', (e) => `/v1/mcp/jobs/${e}/artifacts`],
      ['get_artifact', (e) => `/v1/mcp/jobs/${e}/artifacts/${encodeURIComponent('../art?x#y')}/download`],
    ]
    for (const [tool, url] of ROUTES) {
      test(`${tool} encodes its ids`, async () => {
        const args = { job_id: 'job/../1 ?#' }
        if (tool === 'get_artifact') args.artifact_id = '../art?x#y'
        const result = await mcp.call(tool, args)
        assert.notEqual(result.isError, true, text(result))
        assert.deepEqual(api.requests.map((r) => r.url), [url(encodeURIComponent('job/../1 ?#'))])
      })
    }

    for (const id of ['.', '..', ' .. ']) {
      for (const tool of ['get_job', 'get_job_events', 'get_job_logs', 'cancel_job', 'list_artifacts']) {
        test(`${tool} refuses job_id ${JSON.stringify(id)} with no request`, async () => {
          const result = await mcp.call(tool, { job_id: id })
          assert.equal(result.isError, true)
          assert.equal(text(result), `${tool} failed: job_id is not a valid id.`)
          assert.equal(api.requests.length, 0)
        })
      }
      test(`get_artifact refuses ${JSON.stringify(id)} as either id with no request`, async () => {
        let result = await mcp.call('get_artifact', { job_id: id, artifact_id: 'a' })
        assert.equal(text(result), 'get_artifact failed: job_id is not a valid id.')
        result = await mcp.call('get_artifact', { job_id: 'job_1', artifact_id: id })
        assert.equal(text(result), 'get_artifact failed: artifact_id is not a valid id.')
        assert.equal(result.isError, true)
        assert.equal(api.requests.length, 0)
      })
    }
  })
})

describe('upstream faults, default fixtures', () => {
  let upstream
  let mcp
  stdioSuite({}, (s) => ({ api: upstream, mcp } = s))

  const call = (name, args) => mcp.client.callTool({ name, arguments: args })

  describe('upstream faults give clear errors and the server keeps serving', () => {
    test('400 with the error envelope', async () => {
      upstream.override('submit', { status: 400, body: { ok: false, error: { code: 'INVALID_REQUEST', message: 'name, image, and workload_type are required' } } })
      const r = await call('submit_job', { name: 'n', workload_type: 'batch', image: 'i' })
      assert.equal(text(r), 'submit_job failed: INVALID_REQUEST: name, image, and workload_type are required')
    })

    test('403 maps to FORBIDDEN with the API message (vector 5.1.14)', async () => {
      upstream.override('job', { status: 403, body: { error: { code: 'FORBIDDEN', message: 'api key missing jobs:read scope' } } })
      const r = await call('get_job', { job_id: 'job_123' })
      assert.equal(text(r), 'get_job failed: FORBIDDEN: api key missing jobs:read scope')
    })

    test('404 without a body uses the default message', async () => {
      upstream.override('job', { status: 404 })
      assert.equal(text(await call('get_job', { job_id: 'nope' })), 'get_job failed: NOT_FOUND: The requested Jungle Grid resource was not found.')
    })

    test('409 on cancelling a terminal job', async () => {
      upstream.override('cancel', { status: 409, body: { ok: false, error: { code: 'CONFLICT', message: 'job is already completed' } } })
      assert.equal(text(await call('cancel_job', { job_id: 'job_123' })), 'cancel_job failed: CONFLICT: job is already completed')
    })

    test('a bodiless 409 still says CONFLICT', async () => {
      upstream.override('cancel', { status: 409 })
      assert.match(text(await call('cancel_job', { job_id: 'job_123' })), /^cancel_job failed: CONFLICT: /)
    })

    test('500 with a non-JSON body never echoes it (vector 5.2.6)', async () => {
      upstream.override('job', { status: 500, body: 'database host internal.local failed', times: 3 })
      const r = await call('get_job', { job_id: 'job_123' })
      assert.equal(text(r), 'get_job failed: UPSTREAM_ERROR: Jungle Grid API is temporarily unavailable.')
      assert.ok(!JSON.stringify(r).includes('internal.local'))
    })

    test('an HTML error page is not echoed', async () => {
      upstream.override('submit', { status: 502, body: '<html><body><h1>502 Bad Gateway</h1>nginx/1.25</body></html>', headers: { 'content-type': 'text/html' } })
      const r = await call('submit_job', { name: 'n', workload_type: 'batch', image: 'i' })
      assert.equal(text(r), 'submit_job failed: UPSTREAM_ERROR: Jungle Grid API is temporarily unavailable.')
      assert.ok(!JSON.stringify(r).includes('nginx'))
    })

    test('broken JSON on 200 is INVALID_API_RESPONSE', async () => {
      upstream.override('job', { status: 200, body: '{"ok": true, "data": {' })
      assert.equal(text(await call('get_job', { job_id: 'job_123' })), 'get_job failed: INVALID_API_RESPONSE: Jungle Grid API returned an invalid JSON response.')
    })

    test('an empty 200 and a 204 are data null, valid against the output schema', async () => {
      upstream.override('cancel', { status: 204 })
      const r = await call('cancel_job', { job_id: 'job_123' })
      assert.equal(r.isError, false)
      assert.deepEqual(r.structuredContent, { data: null })
      upstream.override('artifacts', { status: 200, body: '' })
      const r2 = await call('list_artifacts', { job_id: 'job_123' })
      assert.deepEqual(r2.structuredContent, { data: null })
      assert.equal(summaryLine(r2), 'Found 0 artifacts.')
    })

    test('503 then 200 on a GET is retried and succeeds', async () => {
      upstream.override('job', { status: 503, body: { error: { code: 'MAINTENANCE_ACTIVE', message: 'back soon' } } })
      const r = await call('get_job', { job_id: 'job_123' })
      assert.equal(r.isError, false)
      assert.equal(upstream.apiRequests().length, 2)
    })

    test('503 on submit is never retried', async () => {
      upstream.override('submit', { status: 503, times: 5 })
      const r = await call('submit_job', { name: 'n', workload_type: 'batch', image: 'i' })
      assert.equal(text(r), 'submit_job failed: UPSTREAM_ERROR: Jungle Grid API is temporarily unavailable.')
      assert.equal(upstream.apiRequests().length, 1)
    })

    test('429 on a GET is retried at most twice, then reported', async () => {
      upstream.override('jobs', { status: 429, times: 5 })
      const r = await call('list_jobs', {})
      assert.equal(text(r), 'list_jobs failed: RATE_LIMITED: Jungle Grid API rate limit exceeded.')
      assert.equal(upstream.apiRequests().length, 3)
    })

    test('the server still answers after all of that', async () => {
      assert.equal((await call('get_job', { job_id: 'job_123' })).isError, false)
    })
  })

  describe('network failures name the host and the cause', () => {
    test('refused connection', async () => {
      const port = await new Promise((resolve) => {
        const s = createServer().listen(0, '127.0.0.1', () => {
          const p = s.address().port
          s.close(() => resolve(p))
        })
      })
      const dead = { base: `http://127.0.0.1:${port}` }
      const session = await connectV1(dead)
      try {
        const r = await session.client.callTool({ name: 'get_job', arguments: { job_id: 'j' } })
        assert.equal(r.isError, true)
        assert.equal(text(r), `get_job failed: Could not connect to the Jungle Grid API at 127.0.0.1:${port}: connection refused. Check JUNGLEGRID_API_BASE and that the API is reachable.`)
      } finally {
        await session.close()
      }
    })

    test('DNS failure', async () => {
      const session = await connectV1({ base: 'http://no-such-host.invalid' })
      try {
        const r = await session.client.callTool({ name: 'get_job', arguments: { job_id: 'j' } })
        assert.match(text(r), /^get_job failed: Could not resolve the Jungle Grid API host no-such-host\.invalid: DNS lookup failed/)
      } finally {
        await session.close()
      }
    })

    test('a slow answer past the timeout', async () => {
      const session = await connectV1(upstream, { env: { JUNGLE_GRID_TIMEOUT_MS: '300' } })
      try {
        upstream.override('submit', { delayMs: 1500, body: { ok: true, data: {} } })
        const r = await session.client.callTool({ name: 'submit_job', arguments: { name: 'n', workload_type: 'batch', image: 'i' } })
        assert.equal(text(r), `submit_job failed: Jungle Grid API at 127.0.0.1:${new URL(upstream.base).port} did not answer within 300 ms (request timed out).`)
      } finally {
        await session.close()
      }
    })
  })
})

describe('upstream faults, TS test vectors', () => {
  let api
  let mcp
  stdioSuite({ vectors: true, listTools: true, reset: false }, (s) => ({ api, mcp } = s))
  // After every fault the same process still answers a normal call.
  afterEach(async () => {
    await assertStillServing()
    api.reset()
  })

  /** The same process must still answer: a normal call succeeds against the (reset) fake API. */
  async function assertStillServing(session = mcp, fake = api) {
    fake.reset()
    const result = await session.call('get_job', { job_id: 'job_123' })
    assert.notEqual(result.isError, true, `server no longer serving: ${text(result)}`)
    assert.equal(summaryLine(result), 'Job job_123 is running (executing).')
  }

  /** A failed tool result: isError, exact text, no structuredContent. */
  function assertFailed(result, expected) {
    assert.equal(result.isError, true, `expected isError: ${JSON.stringify(result)}`)
    if (expected instanceof RegExp) assert.match(text(result), expected)
    else assert.equal(text(result), expected)
    assert.equal(result.structuredContent, undefined)
  }

  const envelope = (code, message) => ({ ok: false, error: { code, message } })

  describe('API error bodies become <tool> failed: <CODE>: <message>', () => {
    test('403 FORBIDDEN (5.1.14 / 5.2.5)', async () => {
      api.override('job', { status: 403, json: { error: { code: 'FORBIDDEN', message: 'api key missing jobs:read scope' } } })
      assertFailed(await mcp.call('get_job', { job_id: 'job_123' }), 'get_job failed: FORBIDDEN: api key missing jobs:read scope')
      assert.equal(api.requests.length, 1, '4xx is not retried')
      await assertStillServing()
    })

    test('400 INVALID_REQUEST on submit', async () => {
      api.override('submit', { status: 400, json: envelope('INVALID_REQUEST', 'name, image, and workload_type are required') })
      assertFailed(
        await mcp.call('submit_job', { name: 'n', workload_type: 'batch', image: 'i' }),
        'submit_job failed: INVALID_REQUEST: name, image, and workload_type are required',
      )
      await assertStillServing()
    })

    test('400 with a top-level {code, message} body (1.2 step 2), trimmed', async () => {
      api.override('estimate', { status: 400, json: { code: ' INVALID_REQUEST ', message: ' bad image ' } })
      assertFailed(await mcp.call('estimate_job', { workload_type: 'batch' }), 'estimate_job failed: INVALID_REQUEST: bad image')
    })

    test('404 NOT_FOUND with and without a body', async () => {
      api.override('job', { status: 404, json: envelope('NOT_FOUND', 'job not found') })
      assertFailed(await mcp.call('get_job', { job_id: 'job_x' }), 'get_job failed: NOT_FOUND: job not found')
      api.override('artifacts', { status: 404 })
      assertFailed(await mcp.call('list_artifacts', { job_id: 'job_x' }), 'list_artifacts failed: NOT_FOUND: The requested Jungle Grid resource was not found.')
      await assertStillServing()
    })

    test('409 CONFLICT on cancel of a terminal job; a bodiless 409 defaults to CONFLICT (product decision)', async () => {
      api.override('cancel', { status: 409, json: envelope('CONFLICT', 'job is already completed') })
      assertFailed(await mcp.call('cancel_job', { job_id: 'job_123' }), 'cancel_job failed: CONFLICT: job is already completed')
      assert.equal(api.requests.length, 1)
      api.override('cancel', { status: 409 })
      assertFailed(await mcp.call('cancel_job', { job_id: 'job_123' }), /^cancel_job failed: CONFLICT: .+/)
      await assertStillServing()
    })

    test('API-specific codes pass through (JOB_INPUT_NOT_READY, ARTIFACT_NOT_READY, INSUFFICIENT_FUNDS)', async () => {
      api.override('submit', { status: 409, json: envelope('JOB_INPUT_NOT_READY', 'upload inp_1 was not completed') })
      assertFailed(
        await mcp.call('submit_job', { name: 'n', workload_type: 'batch', image: 'i', input_files: ['inp_1'] }),
        'submit_job failed: JOB_INPUT_NOT_READY: upload inp_1 was not completed',
      )
      api.override('download', { status: 409, json: envelope('ARTIFACT_NOT_READY', 'artifact is still uploading') })
      assertFailed(await mcp.call('get_artifact', { job_id: 'j', artifact_id: 'a' }), 'get_artifact failed: ARTIFACT_NOT_READY: artifact is still uploading')
      api.override('submit', { status: 402, json: envelope('INSUFFICIENT_FUNDS', 'add credits to continue') })
      assertFailed(await mcp.call('submit_job', { name: 'n', workload_type: 'batch', image: 'i' }), 'submit_job failed: INSUFFICIENT_FUNDS: add credits to continue')
    })

    test('status defaults when the body has no code/message (1.2 table)', async () => {
      const cases = [
        [401, 'UNAUTHORIZED: Authentication is required or the token is invalid.'],
        [403, 'FORBIDDEN: The token is not authorized for this Jungle Grid action.'],
        [400, 'API_ERROR: Jungle Grid API request failed with status 400.'],
        [422, 'API_ERROR: Jungle Grid API request failed with status 422.'],
        [500, 'UPSTREAM_ERROR: Jungle Grid API is temporarily unavailable.'],
      ]
      for (const [status, detail] of cases) {
        api.reset()
        api.override('submit', { status, json: {} })
        assertFailed(await mcp.call('submit_job', { name: 'n', workload_type: 'batch', image: 'i' }), `submit_job failed: ${detail}`)
      }
    })

    test('{"error": "some text"} yields the defaults, not the string (1.2 step 3)', async () => {
      api.override('job', { status: 404, json: { error: 'some text' } })
      assertFailed(await mcp.call('get_job', { job_id: 'j' }), 'get_job failed: NOT_FOUND: The requested Jungle Grid resource was not found.')
    })

    test('429 on submit is RATE_LIMITED and not retried', async () => {
      api.override('submit', { status: 429, json: {} }, 3)
      assertFailed(await mcp.call('submit_job', { name: 'n', workload_type: 'batch', image: 'i' }), 'submit_job failed: RATE_LIMITED: Jungle Grid API rate limit exceeded.')
      assert.equal(api.requests.length, 1)
    })
  })

  describe('non-JSON and empty bodies', () => {
    test('a non-JSON 500 body is never echoed (5.2.6)', async () => {
      api.override('job', { status: 500, raw: 'database host internal.local failed', headers: { 'content-type': 'text/plain' } })
      const result = await mcp.call('get_job', { job_id: 'job_123' })
      assertFailed(result, 'get_job failed: UPSTREAM_ERROR: Jungle Grid API is temporarily unavailable.')
      assert.ok(!JSON.stringify(result).includes('internal.local'))
      await assertStillServing()
    })

    test('an HTML 502 page is never echoed; GETs retry it and then give up', async () => {
      const html = '<html><body><h1>502 Bad Gateway</h1><p>nginx/1.25.3 upstream 10.0.3.7:8080</p></body></html>'
      api.override('jobs', { status: 502, raw: html, headers: { 'content-type': 'text/html' } }, 3)
      const result = await mcp.call('list_jobs', {})
      assertFailed(result, 'list_jobs failed: UPSTREAM_ERROR: Jungle Grid API is temporarily unavailable.')
      for (const leak of ['nginx', '10.0.3.7', '<html', 'Bad Gateway']) assert.ok(!JSON.stringify(result).includes(leak), leak)
      assert.equal(api.requests.length, 3, 'one attempt and two retries')
      await assertStillServing()
    })

    test('an HTML 400 page falls back to the status default', async () => {
      api.override('estimate', { status: 400, raw: '<html>Request rejected by WAF rule 942100</html>' })
      const result = await mcp.call('estimate_job', { workload_type: 'batch' })
      assertFailed(result, 'estimate_job failed: API_ERROR: Jungle Grid API request failed with status 400.')
      assert.ok(!JSON.stringify(result).includes('WAF'))
    })

    test('broken JSON on a 200 is INVALID_API_RESPONSE', async () => {
      api.override('job', { status: 200, raw: '{"ok":true,"data":{"job_id":"job_1",', headers: { 'content-type': 'application/json' } })
      const result = await mcp.call('get_job', { job_id: 'job_1' })
      assertFailed(result, 'get_job failed: INVALID_API_RESPONSE: Jungle Grid API returned an invalid JSON response.')
      assert.ok(!JSON.stringify(result).includes('job_1",'))
      await assertStillServing()
    })

    test('an HTML page on a 200 is INVALID_API_RESPONSE and not echoed', async () => {
      api.override('estimate', { status: 200, raw: '<html><title>Captive portal login</title></html>' })
      const result = await mcp.call('estimate_job', { workload_type: 'batch' })
      assertFailed(result, 'estimate_job failed: INVALID_API_RESPONSE: Jungle Grid API returned an invalid JSON response.')
      assert.ok(!JSON.stringify(result).includes('portal'))
    })

    test('an empty 200 is data: null, valid against the output schema', async () => {
      api.override('cancel', { status: 200 })
      const result = await mcp.call('cancel_job', { job_id: 'job_123' })
      assert.notEqual(result.isError, true, text(result))
      assert.deepEqual(result.structuredContent, { data: null })
      assert.equal(summaryLine(result), 'Cancellation requested for job job_123.')
      api.override('job', { status: 200, raw: '  \n ' })
      const job = await mcp.call('get_job', { job_id: 'job_123' })
      assert.notEqual(job.isError, true, text(job))
      assert.deepEqual(job.structuredContent, { data: null })
    })

    test('a 204 is data: null for every tool, valid against each output schema', async () => {
      const calls = [
        ['estimate', 'estimate_job', { workload_type: 'batch' }],
        ['submit', 'submit_job', { name: 'n', workload_type: 'batch', image: 'i' }],
        ['upload', 'upload_job_input', { filename: 'a.txt' }],
        ['inputs', 'list_job_inputs', {}],
        ['jobs', 'list_jobs', {}],
        ['job', 'get_job', { job_id: 'j' }],
        ['events', 'get_job_events', { job_id: 'j' }],
        ['logs', 'get_job_logs', { job_id: 'j' }],
        ['cancel', 'cancel_job', { job_id: 'j' }],
        ['artifacts', 'list_artifacts', { job_id: 'j' }],
        ['download', 'get_artifact', { job_id: 'j', artifact_id: 'a' }],
      ]
      for (const [route, tool, args] of calls) {
        api.override(route, { status: 204 })
        const result = await mcp.call(tool, args)
        assert.notEqual(result.isError, true, `${tool}: ${text(result)}`)
        assert.deepEqual(result.structuredContent, { data: null }, tool)
        assert.ok(text(result).length > 0, `${tool} has a summary`)
      }
      assert.equal(api.requests.length, calls.length)
    })

    test('{ok:true, data:null} is data: null; a 2xx {ok:false,...} body is passed whole', async () => {
      api.override('events', { json: { ok: true, data: null } })
      let result = await mcp.call('get_job_events', { job_id: 'j' })
      assert.deepEqual(result.structuredContent, { data: null })
      assert.equal(summaryLine(result), 'Fetched 0 lifecycle events.')
      api.override('events', { json: { ok: false, data: { items: [] } } })
      result = await mcp.call('get_job_events', { job_id: 'j' })
      assert.deepEqual(result.structuredContent, { data: { ok: false, data: { items: [] } } })
    })

    test('a dropped connection (no answer) is a network error naming the host', async () => {
      api.override('job', { destroy: true }, 3)
      const result = await mcp.call('get_job', { job_id: 'job_123' })
      assertFailed(result, new RegExp(`^get_job failed: Could not reach the Jungle Grid API at 127\\.0\\.0\\.1:${api.port}`))
      await assertStillServing()
    })
  })

  describe('retries: safe calls only', () => {
    test('503 then 200 on a GET: retried, succeeds, two requests', async () => {
      api.override('job', { status: 503, json: envelope('MAINTENANCE_ACTIVE', 'back soon') })
      const result = await mcp.call('get_job', { job_id: 'job_123' })
      assert.notEqual(result.isError, true, text(result))
      assert.equal(summaryLine(result), 'Job job_123 is running (executing).')
      assert.deepEqual(api.requests.map((r) => `${r.method} ${r.url}`), ['GET /v1/mcp/jobs/job_123', 'GET /v1/mcp/jobs/job_123'])
    })

    test('429, 502 and 504 on GETs are retried; the retry repeats the exact request', async () => {
      api.override('logs', { status: 429, json: {} })
      api.override('logs', { status: 502, json: {} })
      api.fixtures.logs = { items: [{ message: 'x' }], next_cursor: null }
      const result = await mcp.call('get_job_logs', { job_id: 'job 1', limit: 5, cursor: 'c 1' })
      assert.equal(summaryLine(result), 'Fetched 1 log entry. next_cursor=null.')
      assert.equal(api.requests.length, 3)
      assert.equal(new Set(api.requests.map((r) => r.url)).size, 1, 'same URL each time')
      assert.equal(api.requests[0].url, '/v1/mcp/jobs/job%201/logs?limit=5&cursor=c+1')
      api.reset()
      api.override('inputs', { status: 504 })
      assert.equal(summaryLine(await mcp.call('list_job_inputs', {})), 'Found 1 uploaded job input.')
      assert.equal(api.requests.length, 2)
    })

    test('estimate (a POST) is safe and retried with the same body', async () => {
      api.override('estimate', { status: 503, json: {} })
      const result = await mcp.call('estimate_job', { workload_type: 'batch', notes: 'n' })
      assert.notEqual(result.isError, true, text(result))
      assert.deepEqual(api.requests.map((r) => r.raw), ['{"workload_type":"batch","notes":"n"}', '{"workload_type":"batch","notes":"n"}'])
    })

    test('artifact download info (a body-less POST) is retried', async () => {
      api.override('download', { status: 503, json: {} })
      const result = await mcp.call('get_artifact', { job_id: 'j', artifact_id: 'a' })
      assert.notEqual(result.isError, true, text(result))
      assert.equal(api.requests.length, 2)
    })

    test('a GET whose connection is dropped before any answer is retried (a connection error on a safe call)', async () => {
      api.override('job', { destroy: true })
      const result = await mcp.call('get_job', { job_id: 'job_123' })
      assert.equal(api.requests.length, 2, `requests: ${api.requests.length}; result: ${text(result)}`)
      assert.notEqual(result.isError, true, text(result))
      assert.equal(summaryLine(result), 'Job job_123 is running (executing).')
    })

    test('at most two retries: three 503s fail with UPSTREAM_ERROR after exactly three requests', async () => {
      api.override('events', { status: 503, json: {} }, 5)
      assertFailed(await mcp.call('get_job_events', { job_id: 'j' }), 'get_job_events failed: UPSTREAM_ERROR: Jungle Grid API is temporarily unavailable.')
      assert.equal(api.requests.length, 3)
    })

    for (const [route, tool, args] of [
      ['submit', 'submit_job', { name: 'n', workload_type: 'batch', image: 'i' }],
      ['cancel', 'cancel_job', { job_id: 'job_123' }],
      ['upload', 'upload_job_input', { filename: 'a.wav' }],
    ]) {
      test(`503 on ${tool} is NOT retried: exactly one request`, async () => {
        api.override(route, { status: 503, json: {} }, 3)
        assertFailed(await mcp.call(tool, args), `${tool} failed: UPSTREAM_ERROR: Jungle Grid API is temporarily unavailable.`)
        assert.equal(api.requests.length, 1)
        await assertStillServing()
      })
    }

    test('Retry-After is honoured (the retry waits at least that long)', async () => {
      api.override('job', { status: 503, headers: { 'retry-after': '1' }, json: {} })
      const result = await mcp.call('get_job', { job_id: 'job_123' })
      assert.notEqual(result.isError, true, text(result))
      assert.equal(api.requests.length, 2)
      const gap = api.requests[1].at - api.requests[0].at
      assert.ok(gap >= 950, `retried after ${gap} ms despite Retry-After: 1`)
    })

    test('a Retry-After beyond 10 s ends the retries at once', async () => {
      api.override('job', { status: 503, headers: { 'retry-after': '60' }, json: {} }, 3)
      assertFailed(await mcp.call('get_job', { job_id: 'job_123' }), 'get_job failed: UPSTREAM_ERROR: Jungle Grid API is temporarily unavailable.')
      assert.equal(api.requests.length, 1)
    })

    test('500 (not in 429/502/503/504) is not retried', async () => {
      api.override('job', { status: 500, json: {} }, 3)
      await mcp.call('get_job', { job_id: 'job_123' })
      assert.equal(api.requests.length, 1)
    })
  })

  describe('a key the API does not accept', () => {
    let other
    before(async () => {
      other = await connectV1(api, { listTools: true, env: { JUNGLE_GRID_API_KEY: 'jg_test_REVOKED_999' } })
    })
    after(() => other?.close())

    test('401 UNAUTHORIZED from the API is reported with its message', async () => {
      const result = await other.call('get_job', { job_id: 'job_123' })
      assertFailed(result, 'get_job failed: UNAUTHORIZED: invalid or revoked api key')
      assert.equal(api.requests[0].headers.authorization, 'Bearer jg_test_REVOKED_999')
      assert.equal(api.requests.length, 1)
      assert.ok(!JSON.stringify(result).includes('REVOKED'), 'the key is not echoed')
    })

    test('the key is trimmed before use', async () => {
      const padded = await connectV1(api, { listTools: true, env: { JUNGLE_GRID_API_KEY: '  jg_test_SECRET_abc123 \n' } })
      try {
        const result = await padded.call('get_job', { job_id: 'job_123' })
        assert.notEqual(result.isError, true, text(result))
        assert.equal(api.requests[0].headers.authorization, 'Bearer jg_test_SECRET_abc123')
      } finally {
        await padded.close()
      }
    })
  })

  describe('refused connection', () => {
    let port
    let refused
    before(async () => {
      port = await closedPort()
      refused = await connectV1(null, { listTools: true, env: { JUNGLEGRID_API_BASE: `http://127.0.0.1:${port}` } })
    })
    after(() => refused?.close())

    test('the message names the host and says the connection was refused', async () => {
      const result = await refused.call('get_job', { job_id: 'job_123' })
      assertFailed(result, new RegExp(`^get_job failed: .*127\\.0\\.0\\.1:${port}.*connection refused`, 'i'))
      assert.ok(!text(result).includes('/v1/mcp/jobs'), 'the full URL is not shown')
    })

    test('submit gets the same plain sentence; the server still answers', async () => {
      const result = await refused.call('submit_job', { name: 'n', workload_type: 'batch', image: 'i' })
      assertFailed(result, new RegExp(`^submit_job failed: .*127\\.0\\.0\\.1:${port}.*connection refused`, 'i'))
      const { tools } = await refused.client.listTools()
      assert.equal(tools.length, 12)
    })
  })

  describe('timeout (JUNGLE_GRID_TIMEOUT_MS=300)', () => {
    let slow
    before(async () => {
      slow = await connectV1(api, { listTools: true, env: { JUNGLE_GRID_TIMEOUT_MS: '300' } })
    })
    after(() => slow?.close())

    test('an answer slower than the timeout: the message says it timed out and names the host', async () => {
      api.override('job', { delayMs: 3000, json: { ok: true, data: { job_id: 'late' } } })
      const result = await slow.call('get_job', { job_id: 'job_123' })
      assertFailed(result, new RegExp(`^get_job failed: .*127\\.0\\.0\\.1:${api.port}.*timed out`))
      assert.match(text(result), /300 ms/)
      assert.ok(!text(result).includes('late'))
      await assertStillServing(slow)
    })

    test('a timed-out submit is not repeated', async () => {
      api.override('submit', { delayMs: 3000, json: { ok: true, data: {} } }, 3)
      const result = await slow.call('submit_job', { name: 'n', workload_type: 'batch', image: 'i' })
      assertFailed(result, /timed out/)
      assert.equal(api.requestsTo('submit').length, 1)
    })
  })
})
