// Bad input through the official v1 SDK client: every tool refuses missing or mistyped arguments
// with `isError: true` and `<tool> failed: <message naming the field>`, and the fake API receives
// no request at all. Unknown tools are JSON-RPC errors and the session keeps going. Ids are
// percent-encoded into exactly one path segment; `.` and `..` are refused before any request.
import { after, afterEach, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { startFakeUpstream } from './helpers/fake-upstream.mjs'
import { connectV1, text } from './helpers/mcp.mjs'

let api
let mcp
before(async () => {
  api = await startFakeUpstream({ vectors: true })
  mcp = await connectV1(api, { listTools: true })
})
after(async () => {
  await mcp?.close()
  await api?.stop()
})
afterEach(() => api.reset())

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
  ['submit_job', { ...SUBMIT_OK, env: ['A=1'] }, 'env must be an object with string values.'],
  ['submit_job', { ...SUBMIT_OK, env: 'A=1' }, 'env must be an object with string values.'],
  ['submit_job', { ...SUBMIT_OK, input_files: [42] }, 'input_files must be an array of { input_id } objects.'],
  ['submit_job', { ...SUBMIT_OK, input_files: [true] }, 'input_files must be an array of { input_id } objects.'],
  ['submit_job', { ...SUBMIT_OK, input_files: 'inp_1' }, 'input_files must be an array of { input_id } objects.'],
  ['submit_job', { ...SUBMIT_OK, input_files: [{}] }, 'input_files items must include input_id.'],
  ['submit_job', { ...SUBMIT_OK, input_files: [{ input_id: '  ' }] }, 'input_files items must include input_id.'],
  ['submit_job', { ...SUBMIT_OK, script_files: [['inp_1']] }, 'script_files must be an array of { input_id } objects.'],
  ['submit_job', { ...SUBMIT_OK, script_files: [{}] }, 'script_files items must include input_id.'],
  ['submit_job', { ...SUBMIT_OK, expected_artifacts: '/workspace/artifacts/a' }, 'expected_artifacts must be an array of strings.'],
  ['submit_job', { ...SUBMIT_OK, expected_artifacts: [1] }, 'expected_artifacts must contain only strings.'],
  ['submit_job', { ...SUBMIT_OK, metadata: 'x' }, 'metadata must be an object.'],
  ['submit_job', { ...SUBMIT_OK, metadata: [1] }, 'metadata must be an object.'],
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

describe('unknown tools', () => {
  test('are a JSON-RPC error -32602 "Unknown tool: <name>", with no API request', async () => {
    await assert.rejects(mcp.call('delete_everything', {}), (error) => {
      assert.equal(error.code, -32602)
      assert.match(error.message, /Unknown tool: delete_everything/)
      return true
    })
    assert.equal(api.requests.length, 0)
  })

  test('the server still answers tools/list and tool calls afterwards', async () => {
    await assert.rejects(mcp.call('stream_job_logs', { job_id: 'j' }))
    const { tools } = await mcp.client.listTools()
    assert.equal(tools[0].name, 'estimate_job')
    const result = await mcp.call('list_jobs', {})
    assert.equal(text(result), 'Found 1 Jungle Grid job. next_cursor=null.')
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
