// Hosted mode's edges through real HTTP clients: Host/Origin before authentication, malformed
// bodies, hardened introspection (redirects, huge and garbage answers, our own credentials
// refused, negative cache, single flight), the per-caller rate limit and the in-flight cap, slow
// and idle socket floods under a 256-fd limit, /metrics, the access log and the start-up notice.
import { after, afterEach, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { readFileSync } from 'node:fs'
import { SERVICE_TOKEN, startFakeUpstream } from './helpers/fake-upstream.mjs'
import { activeToken, post, startHosted } from './helpers/http-server.mjs'
import { waitFor } from './helpers/mcp.mjs'

const LIST = { jsonrpc: '2.0', id: 1, method: 'tools/list' }
const GET_JOB = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_job', arguments: { job_id: 'job_123' } } }

/** Tokens `tok:<scopes>` are active; everything else is inactive. */
function scopedTokens(upstream) {
  upstream.introspection = (token) => (token && token.startsWith('tok:') ? activeToken(token.slice(4).replaceAll('+', ' ')) : { status: 200, body: { active: false } })
  upstream.acceptToken = (h) => typeof h === 'string' && h.startsWith('Bearer tok:')
}

const introspections = (upstream) => upstream.requests.filter((r) => r.route === 'introspect').length

/** One request on its own connection (node:http sets any Host), with the client's own timeout. */
function raw(url, { method = 'POST', path = '/mcp', headers = {}, body, timeoutMs = 2000 } = {}) {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: hostname, port, method, path, agent: false, timeout: timeoutMs,
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18', ...headers },
      },
      (res) => {
        let text = ''
        res.on('data', (d) => (text += d))
        res.on('end', () => {
          let json
          try {
            json = JSON.parse(text)
          } catch {}
          resolve({ status: res.statusCode, headers: res.headers, text, json })
        })
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body))
  })
}

/** Prometheus text -> [{ name, labels, value }]. */
function parseMetrics(text) {
  const samples = []
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    assert.ok(m, `not a sample line: ${line}`)
    const labels = {}
    for (const [, k, v] of (m[2] || '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v
    samples.push({ name: m[1], labels, value: Number(m[3]) })
  }
  return samples
}

const metric = (samples, name, labels = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0)

async function scrape(hosted) {
  const at = /Prometheus metrics on (http:\S+)/.exec(hosted.stderr())[1]
  const res = await fetch(at)
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/)
  return parseMetrics(await res.text())
}

/** Peak resident memory of a process, in MiB. */
const peakRssMiB = (pid) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024


let upstream
let hosted
before(async () => {
  upstream = await startFakeUpstream()
  hosted = await startHosted(upstream, { MCP_METRICS_ADDR: '127.0.0.1:0', MCP_RATE_LIMIT_PER_MINUTE: '0' })
})
after(async () => {
  await hosted.stop()
  await upstream.stop()
})
afterEach(() => upstream.reset())

describe('checked before authentication', () => {
  test('a Host this server does not serve: 403, no introspection call', async () => {
    scopedTokens(upstream)
    const r = await raw(hosted.url, { body: LIST, headers: { host: 'evil.example.com', authorization: 'Bearer tok:jobs:read+host' } })
    assert.equal(r.status, 403)
    assert.equal(r.json.error.code, 'FORBIDDEN_HOST')
    assert.equal(introspections(upstream), 0)
  })

  test('a browser Origin not allowed: 403, no introspection call', async () => {
    scopedTokens(upstream)
    const r = await raw(hosted.url, { body: LIST, headers: { origin: 'https://evil.example.com', authorization: 'Bearer tok:jobs:read+origin' } })
    assert.equal(r.status, 403)
    assert.equal(r.json.error.code, 'FORBIDDEN_ORIGIN')
    assert.equal(introspections(upstream), 0)
  })

  test('the allowed Host and a loopback Origin pass', async () => {
    scopedTokens(upstream)
    const r = await raw(hosted.url, { body: LIST, headers: { host: 'mcp.junglegrid.dev', origin: 'http://localhost:5173', authorization: 'Bearer tok:jobs:read' } })
    assert.equal(r.status, 200)
    assert.ok(r.json.result.tools.length > 0)
    assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.text))
  })
})

describe('malformed /mcp bodies: 400 with a JSON-RPC error', () => {
  for (const [name, body, code] of [
    ['not JSON', '{"jsonrpc": "2.0", "id": 1,', -32700],
    ['empty', '', -32700],
    ['a number', '42', -32600],
    ['an empty batch', '[]', -32600],
    ['no jsonrpc member', '{"id":1,"method":"tools/list"}', -32600],
    ['a method that is not a string', '{"jsonrpc":"2.0","id":1,"method":7}', -32600],
  ]) {
    test(name, async () => {
      scopedTokens(upstream)
      const r = await raw(hosted.url, { body, headers: { authorization: 'Bearer tok:jobs:read' } })
      assert.equal(r.status, 400)
      assert.match(r.headers['content-type'], /application\/json/)
      assert.equal(r.json.jsonrpc, '2.0')
      assert.equal(r.json.id, null)
      assert.equal(r.json.error.code, code)
      assert.equal(upstream.apiRequests().length, 0)
    })
  }
})

describe('introspection', () => {
  test('a redirect is not followed: 503, and the redirect target receives nothing', async () => {
    const seen = []
    const elsewhere = createServer((req, res) => {
      seen.push(req.url)
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(activeToken().body))
    })
    await new Promise((r) => elsewhere.listen(0, '127.0.0.1', r))
    try {
      for (const status of [307, 308, 302]) {
        upstream.introspection = () => ({ status, headers: { location: `http://127.0.0.1:${elsewhere.address().port}/steal` }, body: '' })
        const { res, json } = await post(hosted.url, LIST, { authorization: `Bearer redirected-${status}` })
        assert.equal(res.status, 503)
        assert.equal(json.error.code, 'AUTH_UNAVAILABLE')
      }
      assert.deepEqual(seen, [])
      assert.equal(upstream.apiRequests().length, 0)
      assert.match(hosted.stderr(), /redirect, which is never followed/)
    } finally {
      await new Promise((r) => elsewhere.close(r))
    }
  })

  test('a huge answer (100 MiB): 503, memory stays bounded, the server keeps serving', async () => {
    const huge = JSON.stringify({ ...activeToken().body, padding: 'x'.repeat(100 * 1024 * 1024) })
    upstream.introspection = () => ({ status: 200, body: huge })
    const { res, json } = await post(hosted.url, LIST, { authorization: 'Bearer huge-answer' })
    assert.equal(res.status, 503)
    assert.equal(json.error.code, 'AUTH_UNAVAILABLE')
    assert.ok(peakRssMiB(hosted.child.pid) < 200, `peak RSS ${peakRssMiB(hosted.child.pid)} MiB`)
    const health = await fetch(`${hosted.url}/healthz`)
    assert.equal((await health.json()).ok, true)
  })

  for (const [name, answer] of [
    ['garbage', { status: 200, body: 'not json at all' }],
    ['a JSON string', { status: 200, body: '"active"' }],
  ]) {
    test(`${name}: 503, fail closed`, async () => {
      upstream.introspection = () => answer
      const { res } = await post(hosted.url, LIST, { authorization: `Bearer garbage-${name}` })
      assert.equal(res.status, 503)
      assert.equal(upstream.apiRequests().length, 0)
    })
  }

  for (const exp of ['9999999999', 1e10 + 0.5, true]) {
    test(`exp ${JSON.stringify(exp)} is not an integer: 401`, async () => {
      upstream.introspection = () => activeToken('jobs:read', { exp })
      const { res } = await post(hosted.url, LIST, { authorization: `Bearer exp-${exp}` })
      assert.equal(res.status, 401)
    })
  }

  for (const status of [401, 403]) {
    test(`introspection answers ${status} (our service token is wrong): users get 503, operators a clear line`, async () => {
      upstream.introspection = () => ({ status, body: { error: 'invalid_client' } })
      const { res, json } = await post(hosted.url, LIST, { authorization: `Bearer user-token-${status}` })
      assert.equal(res.status, 503)
      assert.equal(res.headers.get('www-authenticate'), null)
      assert.equal(json.error.code, 'AUTH_UNAVAILABLE')
      assert.match(hosted.stderr(), /refused this server's own credentials: check JUNGLEGRID_INTERNAL_SERVICE_TOKEN/)
      assert.ok(!hosted.stderr().includes(SERVICE_TOKEN))
      assert.ok(!hosted.stderr().includes(`user-token-${status}`))
    })
  }

  test('a refused token is remembered briefly: repeated tries cost one call', async () => {
    upstream.introspection = () => ({ status: 200, body: { active: false } })
    for (let i = 0; i < 5; i++) {
      const { res } = await post(hosted.url, LIST, { authorization: 'Bearer refused-once' })
      assert.equal(res.status, 401)
    }
    assert.equal(introspections(upstream), 1)
  })

  test('single flight: 20 concurrent requests with one new token make one introspection call', async () => {
    scopedTokens(upstream)
    const answer = upstream.introspection
    upstream.introspection = async (token) => ({ ...(await answer(token)), delayMs: 300 })
    const results = await Promise.all(Array.from({ length: 20 }, () => post(hosted.url, LIST, { authorization: 'Bearer tok:jobs:read+flight' })))
    assert.deepEqual([...new Set(results.map((r) => r.res.status))], [200])
    assert.equal(introspections(upstream), 1)
  })
})

describe('operators', () => {
  test('one JSON access-log line per request, with the tool and a subject hash, no tokens', async () => {
    scopedTokens(upstream)
    const { res } = await post(hosted.url, GET_JOB, { authorization: 'Bearer tok:jobs:read+logged' })
    assert.equal(res.status, 200)
    await waitFor(() => hosted.stderr().includes('"tool":"get_job"'), { what: 'the access line' })
    const lines = hosted.stderr().split('\n').filter((l) => l.startsWith('{') && l.includes('"type":"access"')).map((l) => JSON.parse(l))
    const line = lines.find((l) => l.tool === 'get_job')
    assert.equal(line.method, 'POST')
    assert.equal(line.path, '/mcp')
    assert.equal(line.status, 200)
    assert.equal(typeof line.duration_ms, 'number')
    assert.match(line.subject, /^[0-9a-f]{12}$/)
    assert.ok(!hosted.stderr().includes('tok:jobs'))
    assert.ok(!hosted.stderr().includes('user_1'))
  })

  test('/metrics: requests, tool calls by outcome, latency, introspection cache, in-flight', async () => {
    scopedTokens(upstream)
    await post(hosted.url, GET_JOB, { authorization: 'Bearer tok:jobs:read+metrics' })
    await post(hosted.url, GET_JOB, { authorization: 'Bearer tok:jobs:read+metrics' })
    upstream.override('job', { status: 404, body: { ok: false, error: { code: 'NOT_FOUND', message: 'job not found' } } })
    await post(hosted.url, GET_JOB, { authorization: 'Bearer tok:jobs:read+metrics' })
    const m = await scrape(hosted)
    assert.ok(metric(m, 'junglegrid_mcp_http_requests_total', { route: '/mcp', status: '200' }) >= 3)
    assert.ok(metric(m, 'junglegrid_mcp_http_requests_total', { route: '/mcp', status: '400' }) >= 6)
    assert.ok(metric(m, 'junglegrid_mcp_tool_calls_total', { tool: 'get_job', outcome: 'ok' }) >= 2)
    assert.ok(metric(m, 'junglegrid_mcp_tool_calls_total', { tool: 'get_job', outcome: 'tool_error' }) >= 1)
    assert.ok(metric(m, 'junglegrid_mcp_tool_call_duration_seconds_count', { tool: 'get_job' }) >= 3)
    assert.equal(
      metric(m, 'junglegrid_mcp_tool_call_duration_seconds_bucket', { tool: 'get_job', le: '+Inf' }),
      metric(m, 'junglegrid_mcp_tool_call_duration_seconds_count', { tool: 'get_job' }),
    )
    assert.ok(metric(m, 'junglegrid_mcp_introspection_total', { result: 'hit' }) >= 2)
    assert.ok(metric(m, 'junglegrid_mcp_introspection_total', { result: 'miss' }) >= 1)
    assert.ok(metric(m, 'junglegrid_mcp_introspection_total', { result: 'negative_hit' }) >= 4)
    assert.equal(metric(m, 'junglegrid_mcp_requests_in_flight'), 0)
    assert.ok(m.some((s) => s.name === 'junglegrid_mcp_rate_limited_total'))
    // Not on the public port.
    assert.equal((await fetch(`${hosted.url}/metrics`)).status, 404)
  })

  test('on a loopback host with the default URLs, start-up says what is advertised and how to change it', async () => {
    assert.match(hosted.stderr(), /Advertising resource https:\/\/mcp\.junglegrid\.dev .*MCP_RESOURCE.*OAUTH_ISSUER/s)
    const own = await startHosted(upstream, { MCP_RESOURCE: 'http://127.0.0.1:9', OAUTH_ISSUER: 'http://127.0.0.1:9' })
    try {
      assert.ok(!own.stderr().includes('Advertising'))
    } finally {
      await own.stop()
    }
  })
})

describe('limits', () => {
  test('rate limit per token (and per IP without one): 429 with Retry-After, metered', async () => {
    scopedTokens(upstream)
    const limited = await startHosted(upstream, { MCP_RATE_LIMIT_PER_MINUTE: '5', MCP_METRICS_ADDR: '127.0.0.1:0' })
    try {
      const statuses = []
      let refused
      for (let i = 0; i < 8; i++) {
        const { res, json } = await post(limited.url, LIST, { authorization: 'Bearer tok:jobs:read+rate' })
        statuses.push(res.status)
        if (res.status === 429) refused = { retry: res.headers.get('retry-after'), json }
      }
      assert.deepEqual(statuses.slice(0, 5), [200, 200, 200, 200, 200])
      assert.ok(statuses.slice(5).every((s) => s === 429), statuses.join())
      assert.match(refused.retry, /^[1-9][0-9]*$/)
      assert.equal(refused.json.error.code, 'RATE_LIMITED')
      // Another caller has its own allowance.
      assert.equal((await post(limited.url, LIST, { authorization: 'Bearer tok:jobs:read+other' })).res.status, 200)
      // No token: limited by address, before any introspection.
      const before = introspections(upstream)
      const anon = []
      for (let i = 0; i < 7; i++) anon.push((await post(limited.url, LIST)).res.status)
      assert.deepEqual(anon.slice(0, 5), [401, 401, 401, 401, 401])
      assert.deepEqual(anon.slice(5), [429, 429])
      assert.equal(introspections(upstream), before)
      const m = await scrape(limited)
      assert.equal(metric(m, 'junglegrid_mcp_rate_limited_total'), 5)
      assert.equal(metric(m, 'junglegrid_mcp_http_requests_total', { route: '/mcp', status: '429' }), 5)
    } finally {
      await limited.stop()
    }
  })

  test('requests in flight are capped: past MCP_MAX_IN_FLIGHT, 503 with Retry-After', async () => {
    scopedTokens(upstream)
    const capped = await startHosted(upstream, { MCP_MAX_IN_FLIGHT: '2', MCP_RATE_LIMIT_PER_MINUTE: '0', MCP_METRICS_ADDR: '127.0.0.1:0' })
    try {
      upstream.delayMs = 1500
      const held = [post(capped.url, GET_JOB, { authorization: 'Bearer tok:jobs:read' }), post(capped.url, GET_JOB, { authorization: 'Bearer tok:jobs:read' })]
      await waitFor(() => upstream.inFlight === 2, { what: 'two calls held at the API' })
      const { res, json } = await post(capped.url, GET_JOB, { authorization: 'Bearer tok:jobs:read' })
      assert.equal(res.status, 503)
      assert.equal(json.error.code, 'OVERLOADED')
      assert.equal(res.headers.get('retry-after'), '1')
      for (const r of await Promise.all(held)) assert.equal(r.res.status, 200)
      assert.equal(upstream.maxInFlight, 2)
      const m = await scrape(capped)
      assert.equal(metric(m, 'junglegrid_mcp_overloaded_total'), 1)
    } finally {
      upstream.delayMs = 0
      await capped.stop()
    }
  })

  test('slow headers close the connection; a slow body is 408 with a JSON-RPC error', async () => {
    scopedTokens(upstream)
    const strict = await startHosted(upstream, { MCP_HEADER_TIMEOUT_MS: '300', MCP_BODY_TIMEOUT_MS: '300', MCP_RATE_LIMIT_PER_MINUTE: '0' })
    const port = Number(new URL(strict.url).port)
    try {
      // Headers trickled a byte at a time: the server hangs up (bounded: at most 100 bytes).
      const slow = connect({ host: '127.0.0.1', port })
      slow.on('error', () => {})
      let closed = false
      slow.on('close', () => (closed = true))
      slow.write('POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ')
      for (let i = 0; i < 100 && !closed; i++) {
        slow.write('a')
        await new Promise((r) => setTimeout(r, 50))
      }
      assert.ok(closed, 'the server kept a connection whose headers never ended')
      // Complete headers, then half a body that never finishes.
      const body = JSON.stringify(LIST)
      const partial = connect({ host: '127.0.0.1', port })
      partial.on('error', () => {})
      let answer = ''
      partial.on('data', (d) => (answer += d))
      partial.write(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer tok:jobs:read\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`)
      await waitFor(() => answer.includes('}}'), { what: () => `an answer to the unfinished body (got ${JSON.stringify(answer)})` })
      partial.destroy()
      assert.match(answer, /^HTTP\/1\.1 408/)
      const json = JSON.parse(/\{.*\}/s.exec(answer)[0])
      assert.equal(json.error.code, -32600)
      assert.equal(upstream.apiRequests().length, 0)
      // The server still serves.
      assert.equal((await raw(strict.url, { body: LIST, headers: { authorization: 'Bearer tok:jobs:read' } })).status, 200)
    } finally {
      await strict.stop()
    }
  })

  test('300 slow and idle sockets under a 256-fd limit: a normal client keeps getting answers', async () => {
    scopedTokens(upstream)
    const limited = await startHosted(upstream, { MCP_METRICS_ADDR: '127.0.0.1:0', MCP_RATE_LIMIT_PER_MINUTE: '0' }, { prefix: ['prlimit', '--nofile=256', '--'] })
    const { port } = new URL(limited.url)
    const sockets = []
    let trickling = true
    try {
      // 150 idle sockets (connected, silent) and 150 slowloris sockets (headers a byte at a time).
      for (let i = 0; i < 300; i++) {
        const s = connect({ host: '127.0.0.1', port: Number(port) })
        s.on('error', () => {})
        if (i % 2 === 1) s.on('connect', () => s.write('POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '))
        sockets.push(s)
      }
      await waitFor(() => sockets.every((s) => !s.connecting), { what: 'the flood connected' })
      const trickle = (async () => {
        for (let tick = 0; tick < 100 && trickling; tick++) {
          for (const s of sockets.filter((_, i) => i % 2 === 1)) if (!s.destroyed) s.write('a')
          await new Promise((r) => setTimeout(r, 100))
        }
      })()
      for (let i = 0; i < 5; i++) {
        const r = await raw(limited.url, { body: GET_JOB, headers: { authorization: 'Bearer tok:jobs:read' }, timeoutMs: 2000 })
        assert.equal(r.status, 200)
        assert.equal(r.json.result.structuredContent.data.job_id, 'job_123')
      }
      trickling = false
      await trickle
      const m = await scrape(limited)
      assert.ok(metric(m, 'junglegrid_mcp_evicted_connections_total') > 0)
      assert.ok(metric(m, 'junglegrid_mcp_open_connections') < 256)
      assert.ok(peakRssMiB(limited.child.pid) < 200, `peak RSS ${peakRssMiB(limited.child.pid)} MiB`)
      assert.equal(limited.child.exitCode, null)
    } finally {
      trickling = false
      for (const s of sockets) s.destroy()
      await limited.stop()
    }
  })
})
