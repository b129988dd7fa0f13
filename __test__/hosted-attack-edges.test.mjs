// Edges found by attack (issue 22, item 5), tried as a hostile client would over real HTTP:
// - a JSON-RPC batch gets 400 with a JSON-RPC error (batches are gone from MCP), not rmcp's 415;
// - made-up tokens cost at most MCP_UNKNOWN_TOKENS_PER_MINUTE introspection calls per client
//   address (500 distinct tokens are not 500 calls); past it 429 TOO_MANY_UNKNOWN_TOKENS with
//   Retry-After; behind MCP_TRUSTED_PROXIES the address is the forwarded client's, and an
//   X-Forwarded-For from anyone else changes nothing.
import { after, afterEach, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { startFakeUpstream } from './helpers/fake-upstream.mjs'
import { activeToken, post, startHosted } from './helpers/http-server.mjs'

let api
before(async () => {
  api = await startFakeUpstream()
})
after(() => api.stop())
afterEach(() => api.reset())

const introspections = () => api.requestsTo('introspect').length
const PING = { jsonrpc: '2.0', id: 1, method: 'tools/list' }

/** A POST /mcp from a chosen loopback source address (127.0.0.0/8 is all this machine). */
function postFrom(url, localAddress, token, headers = {}) {
  const target = new URL(`${url}/mcp`)
  const body = JSON.stringify(PING)
  return new Promise((resolve, reject) => {
    const req = request({
      host: target.hostname, port: target.port, path: target.pathname, method: 'POST', localAddress, agent: false,
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(body), ...headers },
    }, (res) => {
      let text = ''
      res.on('data', (d) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** `n` requests with distinct made-up tokens, `parallel` at a time; the statuses seen. */
async function madeUp(n, send, parallel = 25) {
  const statuses = []
  for (let i = 0; i < n; i += parallel) {
    const batch = Array.from({ length: Math.min(parallel, n - i) }, (_, j) => send(`made-up-${i + j}-${Math.random().toString(36).slice(2)}`))
    for (const r of await Promise.all(batch)) statuses.push(r)
  }
  return statuses
}

describe('a JSON-RPC batch', () => {
  let hosted
  before(async () => {
    hosted = await startHosted(api)
  })
  after(() => hosted.stop())

  for (const [name, batch] of [
    ['of one request', [{ jsonrpc: '2.0', id: 1, method: 'tools/list' }]],
    ['of a request and a notification', [{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { jsonrpc: '2.0', method: 'notifications/initialized' }]],
    ['that is empty', []],
  ]) {
    test(`${name} gets 400 with a JSON-RPC error, not 415`, async () => {
      api.introspection = () => activeToken('jobs:read')
      const r = await post(hosted.url, batch, { authorization: 'Bearer tok' })
      assert.equal(r.res.status, 400, r.text)
      assert.match(r.res.headers.get('content-type'), /application\/json/)
      assert.equal(r.json.jsonrpc, '2.0')
      assert.equal(r.json.id, null)
      assert.equal(r.json.error.code, -32600)
      assert.match(r.json.error.message, /JSON-RPC batches are not supported \(MCP removed them\); send one message per request/)
      assert.doesNotMatch(r.text, /deserialize/)
    })
  }

  test('the server goes on: the same request alone is answered', async () => {
    api.introspection = () => activeToken('jobs:read')
    const r = await post(hosted.url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { authorization: 'Bearer tok' })
    assert.equal(r.res.status, 200, r.text)
    assert.ok(r.json.result.tools.length > 0)
  })
})

describe('introspection misses per client address', () => {
  let hosted
  before(async () => {
    hosted = await startHosted(api)
  })
  after(() => hosted.stop())

  test('500 distinct made-up tokens cost at most 60 introspection calls; the rest get 429 with Retry-After', async () => {
    const started = Date.now()
    const statuses = await madeUp(500, (token) => postFrom(hosted.url, '127.0.0.1', token))
    const calls = introspections()
    // 60 at once, then one a second as the budget refills.
    const refilled = Math.ceil((Date.now() - started) / 1000)
    assert.ok(calls <= 60 + refilled, `${calls} introspection calls in ${refilled} s`)
    assert.ok(calls >= 50, `the budget is used before refusing (${calls})`)
    const refused = statuses.filter((r) => r.status === 429)
    assert.equal(statuses.filter((r) => r.status === 401).length, calls, 'each call refused its token: 401')
    assert.equal(refused.length, 500 - calls)
    for (const r of refused) {
      assert.ok(Number(r.headers['retry-after']) >= 1, 'Retry-After in seconds')
      assert.equal(JSON.parse(r.text).error.code, 'TOO_MANY_UNKNOWN_TOKENS')
    }
    assert.match(JSON.parse(refused[0].text).error.message, /Too many unrecognised access tokens from this address; retry in \d+ s\./)
    // No token was written to stderr.
    assert.doesNotMatch(hosted.stderr(), /made-up-/)
  })

  test('another client address has its own budget; a token already known needs no call', async () => {
    api.introspection = (token) => (token === 'good' ? activeToken('jobs:read') : { status: 200, body: { active: false } })
    api.acceptToken = (h) => h === 'Bearer good'
    // 127.0.0.1 spent its budget in the test above; 127.0.0.2 has not.
    const other = await postFrom(hosted.url, '127.0.0.2', 'good')
    assert.equal(other.status, 200, other.text)
    assert.equal(introspections(), 1)
    const again = await postFrom(hosted.url, '127.0.0.1', 'good')
    assert.equal(again.status, 200, 'cached: the bound applies only to unknown tokens')
    assert.equal(introspections(), 1)
  })
})

describe('behind a trusted proxy (MCP_TRUSTED_PROXIES)', () => {
  let hosted
  before(async () => {
    hosted = await startHosted(api, { MCP_TRUSTED_PROXIES: '127.0.0.1', MCP_UNKNOWN_TOKENS_PER_MINUTE: '5' })
  })
  after(() => hosted.stop())

  test('the forwarded client address is bounded, not the proxy', async () => {
    const from = (client) => (token) => postFrom(hosted.url, '127.0.0.1', token, { 'x-forwarded-for': `6.6.6.6, ${client}` })
    const a = await madeUp(20, from('198.51.100.1'), 5)
    assert.equal(introspections(), 5)
    assert.equal(a.filter((r) => r.status === 429).length, 15)
    // Another client behind the same proxy is not refused because of the first.
    const b = await madeUp(3, from('198.51.100.2'), 3)
    assert.deepEqual(b.map((r) => r.status), [401, 401, 401])
    assert.equal(introspections(), 8)
  })

  test('from an address that is not a trusted proxy, X-Forwarded-For is ignored', async () => {
    const spoof = (token) => postFrom(hosted.url, '127.0.0.3', token, { 'x-forwarded-for': `198.51.100.${Math.floor(Math.random() * 250)}` })
    const r = await madeUp(10, spoof, 5)
    assert.equal(introspections(), 5, 'one budget for 127.0.0.3, whatever it claims')
    assert.equal(r.filter((x) => x.status === 429).length, 5)
  })
})
