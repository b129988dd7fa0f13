// The spending guard's approval across hosted replicas (issue 22, item 4): a 2026-07-28 input
// request sealed on one replica is answered on another behind a round-robin proxy when they share
// JUNGLE_GRID_APPROVAL_KEY; with different keys the other replica asks again and submits nothing;
// without the key, the start-up warning says how approvals are sealed and what that means.
import { after, afterEach, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { startFakeUpstream } from './helpers/fake-upstream.mjs'
import { activeToken, post, roundRobin, startHosted } from './helpers/http-server.mjs'

const JOB = { name: 'mnist', workload_type: 'training', image: 'pytorch/pytorch:2.4', command: ['python', 'train.py'] }
const CAP = { JUNGLE_GRID_MAX_JOB_COST_USD: '0.15' }
const KEY = 'approval-key-shared-by-every-replica-0123456789'
const APPROVE = { approve_submit: { action: 'accept', content: { approve: true } } }
const HEADERS = { authorization: 'Bearer tok', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'submit_job' }

let upstream
before(async () => {
  upstream = await startFakeUpstream()
})
after(() => upstream.stop())
afterEach(() => upstream.reset())

const createdJobs = () => upstream.created.filter((c) => c.route === 'submit')
const tokens = () => {
  upstream.introspection = () => activeToken('jobs:write')
  upstream.acceptToken = (h) => h === 'Bearer tok'
}
let nextId = 1
const body = (extra = {}) => ({
  jsonrpc: '2.0', id: nextId++, method: 'tools/call',
  params: {
    _meta: {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientInfo': { name: 'replicas', version: '1' },
      'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
    },
    name: 'submit_job', arguments: JOB, ...extra,
  },
})
/** One submit_job call at `url`; its result. */
async function submit(url, extra) {
  const reply = await post(url, body(extra), HEADERS)
  assert.equal(reply.res.status, 200, reply.text)
  return reply.json.result
}

describe('replicas sharing JUNGLE_GRID_APPROVAL_KEY', () => {
  let a, b, lb
  before(async () => {
    a = await startHosted(upstream, { ...CAP, JUNGLE_GRID_APPROVAL_KEY: KEY })
    b = await startHosted(upstream, { ...CAP, JUNGLE_GRID_APPROVAL_KEY: KEY })
    lb = await roundRobin([a.url, b.url])
  })
  after(async () => {
    await lb?.close()
    await a?.stop()
    await b?.stop()
  })

  test('the approval asked on one replica is answered on the other: one job, approved', async () => {
    tokens()
    const first = await submit(lb.url)
    assert.equal(first.resultType, 'input_required')
    assert.deepEqual(lb.hits, [1, 0], 'asked on replica a')
    assert.equal(createdJobs().length, 0)
    const done = await submit(lb.url, { inputResponses: APPROVE, requestState: first.requestState })
    assert.deepEqual(lb.hits, [1, 1], 'answered on replica b')
    assert.notEqual(done.resultType, 'input_required')
    assert.match(done.content[0].text, /^Approved by the user in the client\./)
    assert.equal(createdJobs().length, 1)
  })

  test('neither replica says the approval key is missing', () => {
    for (const r of [a, b]) assert.doesNotMatch(r.stderr(), /JUNGLE_GRID_APPROVAL_KEY is not set/)
  })
})

describe('replicas with different approval keys', () => {
  let a, b
  before(async () => {
    a = await startHosted(upstream, { ...CAP, JUNGLE_GRID_APPROVAL_KEY: KEY })
    b = await startHosted(upstream, { ...CAP, JUNGLE_GRID_APPROVAL_KEY: `${KEY}-other` })
  })
  after(async () => {
    await a?.stop()
    await b?.stop()
  })

  test('the other replica does not accept the sealed state: it asks again and submits nothing', async () => {
    tokens()
    const first = await submit(a.url)
    assert.equal(first.resultType, 'input_required')
    const elsewhere = await submit(b.url, { inputResponses: APPROVE, requestState: first.requestState })
    assert.equal(elsewhere.resultType, 'input_required', 'asked again')
    assert.equal(createdJobs().length, 0, 'nothing submitted')
    // The replica that sealed it still accepts it.
    const home = await submit(a.url, { inputResponses: APPROVE, requestState: first.requestState })
    assert.match(home.content[0].text, /^Approved by the user in the client\./)
    assert.equal(createdJobs().length, 1)
  })
})

describe('without JUNGLE_GRID_APPROVAL_KEY', () => {
  let a, b
  before(async () => {
    a = await startHosted(upstream, CAP)
    b = await startHosted(upstream, CAP)
  })
  after(async () => {
    await a?.stop()
    await b?.stop()
  })

  test('the start-up warning names the behaviour once, beside the task one', () => {
    const stderr = a.stderr()
    assert.match(stderr, /JUNGLE_GRID_APPROVAL_KEY is not set: approval requests \(spending guard\) are sealed with a key derived from JUNGLEGRID_INTERNAL_SERVICE_TOKEN, so an approval asked on one replica is accepted on another only while they share that token/)
    assert.equal(stderr.match(/JUNGLE_GRID_APPROVAL_KEY is not set/g).length, 1)
    assert.match(stderr, /JUNGLE_GRID_TASK_SIGNING_KEY is not set/)
  })

  test('as the warning says: replicas with the same service token still accept each other\'s approvals', async () => {
    tokens()
    const first = await submit(a.url)
    assert.equal(first.resultType, 'input_required')
    const done = await submit(b.url, { inputResponses: APPROVE, requestState: first.requestState })
    assert.match(done.content[0].text, /^Approved by the user in the client\./)
    assert.equal(createdJobs().length, 1)
  })
})
