// Idempotent creates (contract Part A.11, issue 12): a repeated submit_job / upload_job_input never
// creates twice. The fake API implements Idempotency-Key like the contract and records the creates
// that really happened (`upstream.created`), so every case is proved by the number of jobs created.
import { after, afterEach, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { API_KEY, startFakeUpstream } from './helpers/fake-upstream.mjs'
import { connectV1, connectV2, spawnRaw, text } from './helpers/mcp.mjs'
import { activeToken, connectHttp, startHosted } from './helpers/http-server.mjs'

const require = createRequire(import.meta.url)
const { JungleGridClient } = require('../lib/index.js')

const JOB = { name: 'mnist', workload_type: 'training', image: 'pytorch/pytorch:2.4', command: ['python', 'train.py'], env: { HF_TOKEN: 'hf_SECRET_value' } }

let upstream
before(async () => {
  upstream = await startFakeUpstream()
})
after(() => upstream.stop())
afterEach(() => upstream.reset())

const submits = () => upstream.requests.filter((r) => r.route === 'submit')
const createdJobs = () => upstream.created.filter((c) => c.route === 'submit')
const createdSlots = () => upstream.created.filter((c) => c.route === 'upload')

describe('stdio, 2025 client', () => {
  let mcp
  before(async () => {
    mcp = await connectV1(upstream)
  })
  after(() => mcp.close())
  const call = (name, args) => mcp.client.callTool({ name, arguments: args })

  test('the same submit_job repeated (new request id) starts one job; the repeat says so', async () => {
    upstream.fixtures.submit.submitted_at = new Date(Date.now() - 3 * 60_000 - 5_000).toISOString()
    const first = await call('submit_job', JOB)
    assert.ok(!first.isError, text(first))
    assert.match(text(first), /^Job submitted and real compute may start\. id=job_123/)
    // Same arguments, written in another order and with the older alias: the same request.
    const { workload_type, ...rest } = JOB
    const again = await call('submit_job', { workload: workload_type, ...rest })
    assert.ok(!again.isError, text(again))
    assert.equal(createdJobs().length, 1, 'exactly one job was created')
    assert.equal(submits().length, 2, 'both calls reached the API')
    const [a, b] = submits().map((r) => r.headers['idempotency-key'])
    assert.match(a, /^mcp-auto-[0-9a-f]{40}$/)
    assert.equal(b, a, 'the derived key is the same for the same request')
    assert.ok(!a.includes(API_KEY) && !a.includes('hf_SECRET'), 'the key holds no secret')
    assert.equal(submits()[0].body.idempotency_key, undefined, 'the key is a header, not a body field')
    assert.match(text(again), /^This is job job_123 you submitted 3 minutes ago: the same request was repeated with the same arguments within 10 minutes, so nothing new was started/)
    assert.match(text(again).split("\n")[0], /Pass a new idempotency_key to start another job\.$/)
    assert.equal(again.structuredContent.data.idempotent_replay, true)
    assert.equal(again.structuredContent.data.job_id, 'job_123')
  })

  test('different arguments make a different key (a different job)', async () => {
    await call('submit_job', JOB)
    await call('submit_job', { ...JOB, name: 'mnist-2' })
    assert.equal(createdJobs().length, 2)
    const [a, b] = submits().map((r) => r.headers['idempotency-key'])
    assert.notEqual(a, b)
  })

  test('an explicit idempotency_key is sent as given; reusing it replays, a new one starts a new job', async () => {
    const one = await call('submit_job', { ...JOB, idempotency_key: ' run-1 ' })
    const replay = await call('submit_job', { ...JOB, idempotency_key: 'run-1' })
    assert.equal(createdJobs().length, 1)
    assert.equal(submits()[0].headers['idempotency-key'], 'run-1')
    assert.equal(one.structuredContent.data.idempotent_replay, undefined)
    assert.match(text(replay), /repeated with the same idempotency_key, so nothing new was started/)
    const fresh = await call('submit_job', { ...JOB, idempotency_key: 'run-2' })
    assert.ok(!fresh.isError, text(fresh))
    assert.match(text(fresh), /^Job submitted/)
    assert.equal(createdJobs().length, 2, 'a new key starts a new job')
  })

  test('a key reused with another body is refused by the API (409 IDEMPOTENCY_KEY_REUSED)', async () => {
    await call('submit_job', { ...JOB, idempotency_key: 'run-9' })
    const other = await call('submit_job', { ...JOB, name: 'something-else', idempotency_key: 'run-9' })
    assert.equal(other.isError, true)
    assert.match(text(other), /^submit_job failed: IDEMPOTENCY_KEY_REUSED: /)
    assert.equal(createdJobs().length, 1)
  })

  test('bad keys are refused before any request, naming the field', async () => {
    for (const [key, message] of [
      ['caf\u00e9', /idempotency_key must contain only printable ASCII/],
      ['a\nb', /idempotency_key must contain only printable ASCII/],
      ['x'.repeat(256), /idempotency_key must be at most 255 characters\./],
      [42, /idempotency_key must be a string/],
    ]) {
      const result = await call('submit_job', { ...JOB, idempotency_key: key })
      assert.equal(result.isError, true, String(key))
      assert.match(text(result), message)
    }
    assert.equal(upstream.requests.length, 0)
    const upload = await call('upload_job_input', { filename: 'a.csv', idempotency_key: 'caf\u00e9' })
    assert.match(text(upload), /idempotency_key must contain only printable ASCII/)
  })

  test('upload_job_input: a repeated slot request creates one slot; a new key makes another', async () => {
    await call('upload_job_input', { filename: 'audio.wav', kind: 'input' })
    const again = await call('upload_job_input', { kind: 'input', filename: 'audio.wav' })
    assert.equal(createdSlots().length, 1)
    assert.match(text(again), /^This is the upload slot for audio\.wav you created earlier \(input_id=inp_123\)/)
    assert.equal(again.structuredContent.data.idempotent_replay, true)
    await call('upload_job_input', { filename: 'audio.wav', kind: 'input', idempotency_key: 'slot-2' })
    assert.equal(createdSlots().length, 2)
  })

  test('the descriptions tell agents when to reuse a key and when to make a new one', async () => {
    const { tools } = await mcp.client.listTools()
    const submit = tools.find((t) => t.name === 'submit_job')
    assert.match(submit.description, /repeated within 10 minutes returns the first job/)
    assert.match(submit.description, /reuse its idempotency_key/)
    assert.match(submit.description, /pass a\s+new idempotency_key/)
    assert.deepEqual(submit.inputSchema.properties.idempotency_key.type, ['string', 'null'])
    assert.match(submit.inputSchema.properties.idempotency_key.description, /Reuse the same key when retrying/)
    assert.match(JSON.stringify(submit.outputSchema), /"idempotent_replay"/)
    const upload = tools.find((t) => t.name === 'upload_job_input')
    assert.ok(upload.inputSchema.properties.idempotency_key)
  })
})

describe('stdio, 2026-07-28 client', () => {
  test('a client re-issuing the call after a lost answer starts one job', async () => {
    const v2 = await connectV2(upstream)
    try {
      const first = await v2.client.callTool({ name: 'submit_job', arguments: JOB })
      const again = await v2.client.callTool({ name: 'submit_job', arguments: JOB })
      assert.match(text(first), /^Job submitted/)
      assert.match(text(again), /^This is job job_123/)
      assert.equal(createdJobs().length, 1)
    } finally {
      await v2.close()
    }
  })

  test('a restarted server still recognises the repeat (keys derive from caller, body and time)', async () => {
    const a = await connectV1(upstream)
    await a.client.callTool({ name: 'submit_job', arguments: JOB })
    await a.close()
    const b = await connectV1(upstream)
    try {
      const again = await b.client.callTool({ name: 'submit_job', arguments: JOB })
      // Unless the two calls straddle a 10-minute boundary (documented); then two keys differ.
      const [k1, k2] = submits().map((r) => r.headers['idempotency-key'])
      if (k1 === k2) {
        assert.equal(createdJobs().length, 1)
        assert.match(text(again), /^This is job/)
      } else {
        assert.equal(createdJobs().length, 2)
      }
    } finally {
      await b.close()
    }
  })
})

describe('hosted (Streamable HTTP)', () => {
  let hosted
  before(async () => {
    hosted = await startHosted(upstream)
  })
  after(() => hosted.stop())

  const setTokens = () => {
    upstream.introspection = (token) => {
      const [, user, workspace] = String(token).split(':')
      return activeToken('jobs:write', { sub: user, workspace_id: workspace })
    }
    upstream.acceptToken = (h) => typeof h === 'string' && h.startsWith('Bearer tok:')
  }

  test('the same user repeating a submit (even with a refreshed token) starts one job', async () => {
    setTokens()
    const first = await connectHttp(hosted.url, 'tok:user_1:wsp_1:a')
    const refreshed = await connectHttp(hosted.url, 'tok:user_1:wsp_1:b')
    try {
      await first.client.callTool({ name: 'submit_job', arguments: JOB })
      const again = await refreshed.client.callTool({ name: 'submit_job', arguments: JOB })
      assert.equal(createdJobs().length, 1)
      assert.match(text(again), /^This is job job_123/)
      const keys = submits().map((r) => r.headers['idempotency-key'])
      assert.equal(keys[0], keys[1])
      assert.ok(!keys[0].includes('tok:'), 'the key is not made of the token')
    } finally {
      await first.close()
      await refreshed.close()
    }
  })

  test('another user (or workspace) with the same arguments gets its own key', async () => {
    setTokens()
    const a = await connectHttp(hosted.url, 'tok:user_1:wsp_1:a')
    const b = await connectHttp(hosted.url, 'tok:user_1:wsp_2:a')
    try {
      await a.client.callTool({ name: 'submit_job', arguments: JOB })
      await b.client.callTool({ name: 'submit_job', arguments: JOB })
      const keys = submits().map((r) => r.headers['idempotency-key'])
      assert.notEqual(keys[0], keys[1])
      assert.equal(createdJobs().length, 2)
    } finally {
      await a.close()
      await b.close()
    }
  })
})

describe('library', () => {
  test('submitJob repeats replay; { idempotencyKey } is sent and a new one starts a new job', async () => {
    const client = new JungleGridClient({ apiKey: API_KEY, apiBase: upstream.base })
    const first = await client.submitJob(JOB)
    const again = await client.submitJob(JOB)
    assert.equal(createdJobs().length, 1)
    assert.equal(first.idempotent_replay, undefined)
    assert.equal(again.idempotent_replay, true)
    await client.submitJob(JOB, { idempotencyKey: 'lib-1' })
    await client.submitJob(JOB, { idempotencyKey: 'lib-1' })
    assert.equal(createdJobs().length, 2)
    assert.equal(submits().at(-1).headers['idempotency-key'], 'lib-1')
    await assert.rejects(client.submitJob({ ...JOB, name: 'x' }, { idempotencyKey: 'lib-1' }), (e) => e.code === 'IDEMPOTENCY_KEY_REUSED' && e.status === 409)
    await assert.rejects(async () => client.submitJob(JOB, { idempotencyKey: 7 }), /idempotencyKey must be a string/)
    await assert.rejects(async () => client.submitJob(JOB, { idempotencyKey: 'caf\u00e9' }), /printable ASCII/)
  })

  test('uploadJobInput and uploadFile take { idempotencyKey } too', async () => {
    const client = new JungleGridClient({ apiKey: API_KEY, apiBase: upstream.base })
    await client.uploadJobInput({ filename: 'a.csv' }, { idempotencyKey: 'up-1' })
    await client.uploadJobInput({ filename: 'a.csv' }, { idempotencyKey: 'up-1' })
    assert.equal(createdSlots().length, 1)
    const uploaded = await client.uploadFile(Buffer.from('a,b\n'), { filename: 'a.csv', idempotencyKey: 'file-1' })
    assert.equal(uploaded.ready, true)
    const again = await client.uploadFile(Buffer.from('a,b\n'), { filename: 'a.csv', idempotencyKey: 'file-1' })
    assert.equal(again.idempotent_replay, true)
    assert.equal(upstream.requests.filter((r) => r.route === 'storage').length, 1, 'the bytes were sent once')
  })
})

describe('sandbox', () => {
  test('the embedded sandbox replays a repeated submit and refuses a reused key', async () => {
    const raw = spawnRaw(null, { args: ['--sandbox'] })
    try {
      await raw.initialize()
      let id = 10
      const call = async (args) => {
        const n = id++
        raw.send({ jsonrpc: '2.0', id: n, method: 'tools/call', params: { name: 'submit_job', arguments: args } })
        return (await raw.next((m) => m.id === n)).result
      }
      const job = { name: 'sim', workload_type: 'batch', image: 'python:3.12', command: ['true'] }
      const first = await call(job)
      const again = await call(job)
      assert.equal(again.structuredContent.data.job_id, first.structuredContent.data.job_id)
      assert.equal(again.structuredContent.data.idempotent_replay, true)
      assert.match(again.content[0].text, /This is job job_\S+ you submitted just now/)
      const keyed = await call({ ...job, idempotency_key: 'sim-1' })
      assert.notEqual(keyed.structuredContent.data.job_id, first.structuredContent.data.job_id)
      const reused = await call({ ...job, name: 'other', idempotency_key: 'sim-1' })
      assert.equal(reused.isError, true)
      assert.match(reused.content[0].text, /IDEMPOTENCY_KEY_REUSED/)
    } finally {
      await raw.close()
    }
  })
})
