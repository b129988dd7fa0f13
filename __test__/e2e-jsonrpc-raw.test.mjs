// Malformed JSON-RPC written by hand on the server's stdin: unparsable lines are Parse errors
// (-32700, id null), valid JSON that is not a JSON-RPC message is Invalid Request (-32600, id echoed
// when readable), a line beyond the 16 MiB limit is an error, and after each the same session
// keeps answering well-formed requests.
import { after, afterEach, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { startFakeUpstream } from './helpers/fake-upstream.mjs'
import { spawnRaw } from './helpers/mcp.mjs'

let api
let raw
before(async () => {
  api = await startFakeUpstream({ vectors: true })
  raw = spawnRaw(api)
  const init = await raw.initialize()
  assert.equal(init.result.serverInfo.name, 'junglegrid')
})
after(async () => {
  await raw?.close()
  await api?.stop()
})
afterEach(() => api.reset())

let seen = 0

/** Sends `line` and resolves with the first error reply written after it. */
async function errorReplyTo(line, timeoutMs = 15_000) {
  const from = raw.lines.length
  await raw.send(line)
  const msg = await raw.next((m) => m.error !== undefined, timeoutMs, from)
  return { msg }
}

/** A normal request still works. */
async function assertStillServing() {
  const reply = await raw.request('tools/call', { name: 'get_job', arguments: { job_id: `job_${++seen}` } })
  assert.equal(reply.error, undefined, JSON.stringify(reply.error))
  assert.notEqual(reply.result.isError, true)
  assert.equal(reply.result.structuredContent.data.job_id, 'job_123')
}

describe('malformed lines on stdin', () => {
  test('a garbage line is -32700 Parse error with id null', async () => {
    const { msg } = await errorReplyTo('this is not json {{{')
    assert.equal(msg.jsonrpc, '2.0')
    assert.equal(msg.id, null)
    assert.equal(msg.error.code, -32700)
    assert.match(msg.error.message, /parse/i)
    await assertStillServing()
  })

  test('truncated JSON is -32700', async () => {
    const { msg } = await errorReplyTo('{"jsonrpc":"2.0","id":5,"method":"tools/list"')
    assert.equal(msg.error.code, -32700)
    assert.equal(msg.id, null)
    await assertStillServing()
  })

  test('{"foo":1} is -32600 Invalid Request with id null', async () => {
    const { msg } = await errorReplyTo('{"foo":1}')
    assert.equal(msg.jsonrpc, '2.0')
    assert.equal(msg.id, null)
    assert.equal(msg.error.code, -32600)
    await assertStillServing()
  })

  test('a message that is not JSON-RPC but has an id gets the id echoed', async () => {
    let { msg } = await errorReplyTo('{"id":"abc-1","foo":1}')
    assert.equal(msg.error.code, -32600)
    assert.equal(msg.id, 'abc-1')
    ;({ msg } = await errorReplyTo('{"jsonrpc":"2.0","id":77,"method":42}'))
    assert.equal(msg.error.code, -32600)
    assert.equal(msg.id, 77)
    await assertStillServing()
  })

  test('valid JSON that is not an object (a number, a string, null) is -32600', async () => {
    for (const line of ['42', '"hello"', 'null', 'true']) {
      const { msg } = await errorReplyTo(line)
      assert.equal(msg.error.code, -32600, `reply to ${line}`)
      assert.equal(msg.id, null)
    }
    await assertStillServing()
  })

  test('bytes that are not UTF-8 are -32700', async () => {
    const { msg } = await errorReplyTo(Buffer.from([0xff, 0xfe, 0x7b, 0x80]))
    assert.equal(msg.error.code, -32700)
    assert.equal(msg.id, null)
    await assertStillServing()
  })

  test('blank lines are ignored (no reply) and do not disturb the session', async () => {
    const before = raw.lines.length
    await raw.send('')
    await raw.send('   ')
    await assertStillServing()
    const replies = raw.lines.slice(before).map((l) => JSON.parse(l))
    assert.equal(replies.filter((m) => m.error).length, 0, JSON.stringify(replies))
  })

  test('an unknown method is -32601 with the id echoed', async () => {
    const reply = await raw.request('jobs/launch', {}, 'm-1')
    assert.equal(reply.id, 'm-1')
    assert.equal(reply.error.code, -32601)
    await assertStillServing()
  })

  test('an unknown tool is -32602 "Unknown tool: <name>"', async () => {
    const reply = await raw.request('tools/call', { name: 'rm_rf', arguments: {} }, 't-1')
    assert.equal(reply.id, 't-1')
    assert.equal(reply.error.code, -32602)
    assert.equal(reply.error.message, 'Unknown tool: rm_rf')
    assert.equal(api.requests.length, 0)
    const list = await raw.request('tools/list', {})
    assert.equal(list.result.tools[0].name, 'estimate_job')
  })

  test('tools/call with malformed params is -32602 Invalid params (the method exists), and no API request', async () => {
    const bad = [
      ['args-string', { name: 'get_job', arguments: 'job_1' }],
      ['args-array', { name: 'get_job', arguments: ['job_1'] }],
      ['name-number', { name: 5, arguments: {} }],
      ['no-params', undefined],
    ]
    for (const [id, params] of bad) {
      const reply = await raw.request('tools/call', params, id)
      assert.equal(reply.id, id)
      assert.ok(reply.error, `${id}: expected an error, got ${JSON.stringify(reply)}`)
      assert.equal(reply.error.code, -32602, `${id}: ${JSON.stringify(reply.error)}`)
    }
    assert.equal(api.requests.length, 0)
    await assertStillServing()
  })

  test('tools/call with arguments: null is the same as no arguments', async () => {
    const reply = await raw.request('tools/call', { name: 'get_job', arguments: null })
    assert.equal(reply.result.isError, true)
    assert.equal(reply.result.content[0].text, 'get_job failed: job_id is required.')
    assert.equal(api.requests.length, 0)
  })

  test('a 17 MiB line is refused with an error, and the server keeps serving afterwards', async () => {
    const big = '{"jsonrpc":"2.0","id":"big","method":"tools/call","params":{"name":"get_job","arguments":{"job_id":"' +
      'x'.repeat(17 * 1024 * 1024) + '"}}}'
    const { msg } = await errorReplyTo(big, 60_000)
    assert.equal(msg.id, null)
    assert.equal(msg.error.code, -32700)
    assert.match(msg.error.message, /16 MiB|too large|larger/i)
    assert.ok(!raw.lines.some((l) => l.includes('"id":"big"')), 'the oversized request was not executed')
    assert.equal(api.requests.length, 0)
    await assertStillServing()
  })

  test('every stdout line so far is a JSON-RPC 2.0 message', () => {
    assert.ok(raw.lines.length > 10)
    for (const line of raw.lines) {
      const msg = JSON.parse(line)
      assert.equal(msg.jsonrpc, '2.0', line.slice(0, 200))
      assert.ok('result' in msg || 'error' in msg || 'method' in msg, line.slice(0, 200))
    }
  })
})

describe('malformed input before initialize', () => {
  test('a garbage line first: error reply, then the handshake still works', async () => {
    const fresh = spawnRaw(api)
    try {
      await fresh.send('garbage')
      const err = await fresh.next((m) => m.error?.code === -32700)
      assert.equal(err.id, null)
      const init = await fresh.initialize()
      assert.equal(init.result.serverInfo.name, 'junglegrid')
      const list = await fresh.request('tools/list', {})
      assert.ok(list.result.tools.length >= 11)
    } finally {
      await fresh.end()
    }
  })
})

