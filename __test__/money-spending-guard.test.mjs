// The spending guard (contract Part A.12, issue 12): above the user's cap, or when every submit must
// be confirmed, a job is submitted only after the user approves in the client: elicitation for
// 2025 clients, an input request for 2026-07-28 clients. The fake API's records prove each case.
import { after, afterEach, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport as StdioV1 } from '@modelcontextprotocol/sdk/client/stdio.js'
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { API_KEY, startFakeUpstream } from './helpers/fake-upstream.mjs'
import { BIN, connectV1, hostEnv, spawnRaw, text } from './helpers/mcp.mjs'
import { activeToken, connectHttp, post, startHosted } from './helpers/http-server.mjs'

const require = createRequire(import.meta.url)
const { JungleGridClient } = require('../lib/index.js')

// The fake's estimate is $0.10-$0.20 on an A100.
const JOB = { name: 'mnist', workload_type: 'training', image: 'pytorch/pytorch:2.4', command: ['python', 'train.py'], env: { HF_TOKEN: 'hf_SECRET_value' } }
const CAP = { JUNGLE_GRID_MAX_JOB_COST_USD: '0.15' }

let upstream
before(async () => {
  upstream = await startFakeUpstream()
})
after(() => upstream.stop())
afterEach(() => upstream.reset())

const createdJobs = () => upstream.created.filter((c) => c.route === 'submit')
const routes = () => upstream.apiRequests().map((r) => r.route)

/** A 2025 client that declares elicitation and answers with `answer(request)`. */
async function connectAsking(answer, { env = CAP, args = [] } = {}) {
  const transport = new StdioV1({ command: process.execPath, args: [BIN, ...args], env: hostEnv(upstream, env), stderr: 'pipe' })
  const client = new ClientV1({ name: 'asking-client', version: '1.0.0' }, { capabilities: { elicitation: {} } })
  const asked = []
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    asked.push(request.params)
    return answer(request.params)
  })
  await client.connect(transport)
  return { client, asked, close: () => client.close() }
}

describe('stdio, a 2025 client with elicitation', () => {
  test('over the cap: the user is asked; approved, the job is submitted and the result says so', async () => {
    const mcp = await connectAsking(() => ({ action: 'accept', content: { approve: true } }))
    try {
      const result = await mcp.client.callTool({ name: 'submit_job', arguments: JOB })
      assert.ok(!result.isError, text(result))
      assert.match(text(result), /^Approved by the user in the client\. Job submitted and real compute may start\. id=job_123/)
      assert.equal(result.structuredContent.data.approval, 'approved')
      assert.equal(createdJobs().length, 1)
      assert.deepEqual(routes(), ['estimate', 'submit'], 'the same workload was estimated first')
      const estimate = upstream.apiRequests()[0].body
      assert.equal(estimate.workload_type, 'training')
      assert.equal(estimate.image, 'pytorch/pytorch:2.4')
      assert.deepEqual(estimate.command, ['python', 'train.py'])
      // The question, worded for a person, with the facts and no secrets.
      assert.equal(mcp.asked.length, 1)
      const { message, requestedSchema } = mcp.asked[0]
      assert.match(message, /^Start a paid Jungle Grid job\?/)
      assert.match(message, /Job: "mnist" \(training\)/)
      assert.match(message, /Image: pytorch\/pytorch:2\.4/)
      assert.match(message, /Likely GPU: A100/)
      assert.match(message, /Estimated cost: \$0\.10-\$0\.20 USD/)
      assert.match(message, /up to \$0\.20, above your limit of \$0\.15 per job/)
      assert.ok(!JSON.stringify(mcp.asked).includes('hf_SECRET') && !JSON.stringify(mcp.asked).includes('HF_TOKEN'))
      assert.ok(!JSON.stringify(mcp.asked).includes(API_KEY))
      assert.equal(requestedSchema.properties.approve.type, 'boolean')
      assert.deepEqual(requestedSchema.required, ['approve'])
    } finally {
      await mcp.close()
    }
  })

  test('declined: nothing is submitted, and the result is a normal outcome saying so', async () => {
    const mcp = await connectAsking(() => ({ action: 'decline' }))
    try {
      const result = await mcp.client.callTool({ name: 'submit_job', arguments: JOB })
      assert.ok(!result.isError)
      assert.match(text(result), /^Not submitted: the user declined "mnist" \(estimated \$0\.10-\$0\.20 USD\) in the client\. Nothing was started\./)
      assert.deepEqual(result.structuredContent.data, { submitted: false, approval: 'declined', name: 'mnist', estimated_cost: '$0.10-$0.20', likely_gpu_type: 'A100' })
      assert.equal(createdJobs().length, 0)
      assert.deepEqual(routes(), ['estimate'])
    } finally {
      await mcp.close()
    }
  })

  test('cancelled, or accepted without ticking approve: nothing is submitted', async () => {
    const answers = [{ action: 'cancel' }, { action: 'accept', content: { approve: false } }]
    const mcp = await connectAsking(() => answers.shift())
    try {
      const cancelled = await mcp.client.callTool({ name: 'submit_job', arguments: JOB })
      assert.ok(!cancelled.isError)
      assert.match(text(cancelled), /^Not submitted: the approval request for "mnist" .* was dismissed without an answer\./)
      assert.equal(cancelled.structuredContent.data.approval, 'cancelled')
      const unticked = await mcp.client.callTool({ name: 'submit_job', arguments: JOB })
      assert.equal(unticked.structuredContent.data.approval, 'declined')
      assert.equal(createdJobs().length, 0)
    } finally {
      await mcp.close()
    }
  })

  test('under the cap: no question, the job is submitted as before', async () => {
    const mcp = await connectAsking(() => assert.fail('the user should not be asked'), { env: { JUNGLE_GRID_MAX_JOB_COST_USD: '$5' } })
    try {
      const result = await mcp.client.callTool({ name: 'submit_job', arguments: JOB })
      assert.match(text(result), /^Job submitted/)
      assert.equal(mcp.asked.length, 0)
      assert.equal(createdJobs().length, 1)
    } finally {
      await mcp.close()
    }
  })

  test('--confirm-submit asks before every submit, whatever the cost', async () => {
    const mcp = await connectAsking(() => ({ action: 'accept', content: { approve: true } }), { env: {}, args: ['--confirm-submit'] })
    try {
      await mcp.client.callTool({ name: 'submit_job', arguments: JOB })
      assert.equal(mcp.asked.length, 1)
      assert.match(mcp.asked[0].message, /You asked to approve every job before it starts\./)
      assert.equal(createdJobs().length, 1)
    } finally {
      await mcp.close()
    }
  })

  test('an estimate with no cost under a cap asks too', async () => {
    upstream.fixtures.estimate = { available: false, can_submit: false }
    const mcp = await connectAsking(() => ({ action: 'decline' }))
    try {
      await mcp.client.callTool({ name: 'submit_job', arguments: JOB })
      assert.match(mcp.asked[0].message, /could not be estimated, and you set a limit of \$0\.15 per job/)
      assert.equal(createdJobs().length, 0)
    } finally {
      await mcp.close()
    }
  })
})

describe('stdio, clients that cannot ask', () => {
  test('a client without elicitation gets a clear refusal naming the estimate, the cap and the setting', async () => {
    const mcp = await connectV1(upstream, { env: CAP })
    try {
      const result = await mcp.client.callTool({ name: 'submit_job', arguments: JOB })
      assert.equal(result.isError, true)
      const message = text(result)
      assert.match(message, /^submit_job failed: APPROVAL_REQUIRED: Not submitted: "mnist" is estimated at \$0\.10-\$0\.20 USD/)
      assert.match(message, /per-job cost cap is \$0\.15 \(--max-job-cost-usd \/ JUNGLE_GRID_MAX_JOB_COST_USD/)
      assert.match(message, /Nothing was started\./)
      assert.ok(!message.includes('hf_SECRET'))
      assert.equal(createdJobs().length, 0)
      // Other tools are unaffected; the server keeps running.
      const estimate = await mcp.client.callTool({ name: 'estimate_job', arguments: { workload_type: 'batch' } })
      assert.ok(!estimate.isError)
    } finally {
      await mcp.close()
    }
  })

  test('default: no cap, no confirmation, no estimate before the submit', async () => {
    const mcp = await connectV1(upstream)
    try {
      await mcp.client.callTool({ name: 'submit_job', arguments: JOB })
      assert.deepEqual(routes(), ['submit'])
    } finally {
      await mcp.close()
    }
  })

  test('invalid settings stop the server at start with a message naming them', async () => {
    for (const [env, args, pattern] of [
      [{ JUNGLE_GRID_MAX_JOB_COST_USD: 'lots' }, [], /JUNGLE_GRID_MAX_JOB_COST_USD must be a non-negative amount in US dollars/],
      [{ JUNGLE_GRID_MAX_JOB_COST_USD: '-1' }, [], /JUNGLE_GRID_MAX_JOB_COST_USD must be a non-negative amount/],
      [{}, ['--max-job-cost-usd', 'NaN'], /--max-job-cost-usd must be a non-negative amount/],
      [{ JUNGLE_GRID_CONFIRM_SUBMIT: 'sometimes' }, [], /JUNGLE_GRID_CONFIRM_SUBMIT must be true or false/],
    ]) {
      const raw = spawnRaw(upstream, { env, args })
      const [code] = await raw.exited
      assert.equal(code, 1, raw.stderr())
      assert.match(raw.stderr(), pattern)
      assert.ok(!raw.stderr().includes(API_KEY))
    }
  })
})

describe('stdio, a raw 2026-07-28 exchange (input requests)', () => {
  const meta = (capabilities = { elicitation: {} }) => ({
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': { name: 'mrtr-test', version: '1' },
    'io.modelcontextprotocol/clientCapabilities': capabilities,
  })
  let raw
  let nextId = 1
  const call = async (params, capabilities) => {
    const id = nextId++
    raw.send({ jsonrpc: '2.0', id, method: 'tools/call', params: { _meta: meta(capabilities), name: 'submit_job', arguments: JOB, ...params } })
    const reply = await raw.next((m) => m.id === id)
    assert.equal(reply.error, undefined, JSON.stringify(reply.error))
    return reply.result
  }
  before(() => {
    raw = spawnRaw(upstream, { env: CAP })
  })
  after(() => raw.close())

  test('the question comes back as an input request; the repeated call with approval submits', async () => {
    const first = await call({})
    assert.equal(first.resultType, 'input_required')
    const question = first.inputRequests.approve_submit
    assert.equal(question.method, 'elicitation/create')
    assert.match(question.params.message, /Estimated cost: \$0\.10-\$0\.20 USD/)
    assert.equal(question.params.requestedSchema.properties.approve.type, 'boolean')
    assert.equal(typeof first.requestState, 'string')
    assert.equal(createdJobs().length, 0, 'nothing submitted while waiting for the user')

    const done = await call({ inputResponses: { approve_submit: { action: 'accept', content: { approve: true } } }, requestState: first.requestState })
    assert.notEqual(done.resultType, 'input_required')
    assert.match(done.content[0].text, /^Approved by the user in the client\. Job submitted/)
    assert.equal(createdJobs().length, 1)
  })

  test('declined: a normal result, nothing submitted', async () => {
    const first = await call({})
    const done = await call({ inputResponses: { approve_submit: { action: 'decline' } }, requestState: first.requestState })
    assert.ok(!done.isError)
    assert.match(done.content[0].text, /^Not submitted: the user declined/)
    assert.equal(createdJobs().length, 0)
  })

  test('an answer without our state, with a forged state, or for other arguments is not an approval', async () => {
    const approve = { approve_submit: { action: 'accept', content: { approve: true } } }
    const noState = await call({ inputResponses: approve })
    assert.equal(noState.resultType, 'input_required', 'asked again')
    const forged = await call({ inputResponses: approve, requestState: noState.requestState.replace(/:[0-9a-f]{64}$/, ':' + '0'.repeat(64)) })
    assert.equal(forged.resultType, 'input_required')
    const other = await call({ arguments: { ...JOB, name: 'another-job' }, inputResponses: approve, requestState: noState.requestState })
    assert.equal(other.resultType, 'input_required')
    assert.equal(createdJobs().length, 0)
  })

  test('a 2026-07-28 client that does not declare elicitation gets the refusal', async () => {
    const result = await call({}, {})
    assert.equal(result.isError, true)
    assert.match(result.content[0].text, /APPROVAL_REQUIRED/)
    assert.equal(createdJobs().length, 0)
  })
})

describe('hosted', () => {
  let hosted
  before(async () => {
    hosted = await startHosted(upstream, CAP)
  })
  after(() => hosted.stop())
  const tokens = () => {
    upstream.introspection = () => activeToken('jobs:write')
    upstream.acceptToken = (h) => typeof h === 'string' && h.startsWith('Bearer tok')
  }

  test('a 2025 client cannot be asked over stateless HTTP: refusal, nothing submitted', async () => {
    tokens()
    const c = await connectHttp(hosted.url, 'tok')
    try {
      const result = await c.client.callTool({ name: 'submit_job', arguments: JOB })
      assert.equal(result.isError, true)
      assert.match(text(result), /APPROVAL_REQUIRED: Not submitted: "mnist" is estimated at \$0\.10-\$0\.20 USD and the per-job cost cap is \$0\.15/)
      assert.equal(createdJobs().length, 0)
    } finally {
      await c.close()
    }
  })

  test('a 2026-07-28 client gets an input request; the state is accepted on the repeated call', async () => {
    tokens()
    const headers = { authorization: 'Bearer tok', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'submit_job' }
    const body = (id, extra = {}) => ({
      jsonrpc: '2.0', id, method: 'tools/call',
      params: {
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientInfo': { name: 'h', version: '1' },
          'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
        },
        name: 'submit_job', arguments: JOB, ...extra,
      },
    })
    const first = await post(hosted.url, body(1), headers)
    assert.equal(first.json?.result?.resultType, 'input_required', first.text)
    assert.equal(createdJobs().length, 0)
    const done = await post(hosted.url, body(2, { inputResponses: { approve_submit: { action: 'accept', content: { approve: true } } }, requestState: first.json.result.requestState }), headers)
    assert.match(done.json.result.content[0].text, /^Approved by the user in the client\./, done.text)
    assert.equal(createdJobs().length, 1)
  })
})

describe('hosted per-request headers only tighten', () => {
  let hosted
  before(async () => {
    hosted = await startHosted(upstream)
  })
  after(() => hosted.stop())
  const callWith = async (headers) => {
    upstream.introspection = () => activeToken('jobs:write')
    upstream.acceptToken = (h) => typeof h === 'string' && h.startsWith('Bearer tok')
    const reply = await post(hosted.url, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'submit_job', arguments: JOB } }, { authorization: 'Bearer tok', ...headers })
    return reply.json.result
  }

  test('X-MCP-Max-Job-Cost-Usd below the estimate turns the guard on for that request', async () => {
    const result = await callWith({ 'x-mcp-max-job-cost-usd': '0.15' })
    assert.equal(result.isError, true)
    assert.match(result.content[0].text, /APPROVAL_REQUIRED/)
    assert.equal(createdJobs().length, 0)
    const confirm = await callWith({ 'x-mcp-confirm-submit': 'true' })
    assert.match(confirm.content[0].text, /every submit needs approval/)
    const plain = await callWith({})
    assert.match(plain.content[0].text, /^Job submitted/)
    assert.equal(createdJobs().length, 1)
  })

  test('a bad header value is refused, naming the header (400, like the other X-MCP-* headers)', async () => {
    upstream.introspection = () => activeToken('jobs:write')
    upstream.acceptToken = (h) => typeof h === 'string' && h.startsWith('Bearer tok')
    const callRaw = (headers) => post(hosted.url, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'submit_job', arguments: JOB } }, { authorization: 'Bearer tok', ...headers })
    const cap = await callRaw({ 'x-mcp-max-job-cost-usd': 'cheap' })
    assert.equal(cap.res.status, 400)
    assert.equal(cap.json.error.code, 'INVALID_HEADER')
    assert.match(cap.json.error.message, /X-MCP-Max-Job-Cost-Usd must be a non-negative amount in US dollars/)
    const flag = await callRaw({ 'x-mcp-confirm-submit': 'perhaps' })
    assert.equal(flag.res.status, 400)
    assert.match(flag.json.error.message, /X-MCP-Confirm-Submit must be true or false/)
    assert.equal(createdJobs().length, 0)
  })
})

describe('hosted headers cannot loosen the server setting', () => {
  let hosted
  before(async () => {
    hosted = await startHosted(upstream, CAP)
  })
  after(() => hosted.stop())

  test('a higher header cap, or confirm off, leaves the server cap in force', async () => {
    upstream.introspection = () => activeToken('jobs:write')
    upstream.acceptToken = (h) => typeof h === 'string' && h.startsWith('Bearer tok')
    const reply = await post(hosted.url, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'submit_job', arguments: JOB } }, { authorization: 'Bearer tok', 'x-mcp-max-job-cost-usd': '1000', 'x-mcp-confirm-submit': 'false' })
    assert.match(reply.json.result.content[0].text, /APPROVAL_REQUIRED: .*cap is \$0\.15/)
    assert.equal(createdJobs().length, 0)
  })
})

describe('library', () => {
  test('no person to ask: a submit over the cap is refused with the same message', async () => {
    const client = new JungleGridClient({ apiKey: API_KEY, apiBase: upstream.base, maxJobCostUsd: 0.15 })
    await assert.rejects(client.submitJob(JOB), (e) => e.code === 'APPROVAL_REQUIRED' && /estimated at \$0\.10-\$0\.20 USD and the per-job cost cap is \$0\.15/.test(e.message))
    assert.equal(createdJobs().length, 0)
    const fine = new JungleGridClient({ apiKey: API_KEY, apiBase: upstream.base, maxJobCostUsd: 1 })
    assert.equal((await fine.submitJob(JOB)).job_id, 'job_123')
    const confirm = new JungleGridClient({ apiKey: API_KEY, apiBase: upstream.base, confirmSubmit: true })
    await assert.rejects(confirm.submitJob({ ...JOB, name: 'x' }), (e) => e.code === 'APPROVAL_REQUIRED')
    assert.equal(createdJobs().length, 1)
    assert.throws(() => new JungleGridClient({ apiKey: API_KEY, maxJobCostUsd: -1 }), /maxJobCostUsd must be a non-negative number/)
    assert.throws(() => new JungleGridClient({ apiKey: API_KEY, confirmSubmit: 'yes' }), /confirmSubmit must be a boolean/)
  })
})
