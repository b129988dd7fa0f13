// The hosted server (junglegrid-mcp --http): routes, the OAuth challenge, token introspection and
// its cache, scopes, the user's token forwarded, guards, both protocol generations, replication.
import { after, afterEach, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { SERVICE_TOKEN, startFakeUpstream } from './helpers/fake-upstream.mjs'
import {
  METADATA_URL, RESOURCE, activeToken, connectHttp, connectHttpV2, post, roundRobin, startHosted, text, waitFor,
} from './helpers/mcp.mjs'

const CHALLENGE = `Bearer resource_metadata="${METADATA_URL}"`
const METADATA = {
  resource: RESOURCE,
  authorization_servers: ['https://api.junglegrid.dev'],
  scopes_supported: ['jobs:estimate', 'jobs:submit', 'jobs:read', 'logs:read'],
  resource_documentation: 'https://junglegrid.dev/docs',
}

let upstream
let hosted
before(async () => {
  upstream = await startFakeUpstream()
  hosted = await startHosted(upstream, { OPENAI_APPS_CHALLENGE_TOKEN: ' challenge-token ' })
})
after(async () => {
  await hosted.stop()
  await upstream.stop()
})
afterEach(() => upstream.reset())

/** Tokens named `<scopes>` (space separated, `+` for space) are active with those scopes. */
function scopedTokens() {
  upstream.introspection = (token) => (token && token.startsWith('tok:') ? activeToken(token.slice(4).replaceAll('+', ' ')) : { status: 200, body: { active: false } })
  upstream.acceptToken = (h) => typeof h === 'string' && h.startsWith('Bearer tok:')
}

describe('routes', () => {
  test('GET /mcp without a token: 401 with the exact challenge', async () => {
    const res = await fetch(`${hosted.url}/mcp`)
    assert.equal(res.status, 401)
    assert.equal(res.headers.get('www-authenticate'), CHALLENGE)
    assert.match(res.headers.get('content-type'), /application\/json/)
    assert.deepEqual(await res.json(), { error: { code: 'UNAUTHORIZED', message: 'Authentication is required.' } })
  })

  for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
    test(`GET ${path}`, async () => {
      const res = await fetch(hosted.url + path)
      assert.equal(res.status, 200)
      assert.deepEqual(await res.json(), METADATA)
    })
  }

  test('GET /healthz', async () => {
    const res = await fetch(`${hosted.url}/healthz`)
    assert.deepEqual(await res.json(), { ok: true, service: 'junglegrid', version: JSON.parse((await import('node:fs')).readFileSync(new URL('../package.json', import.meta.url))).version, env: 'test' })
  })

  test('GET /.well-known/openai-apps-challenge gives the token as text', async () => {
    const res = await fetch(`${hosted.url}/.well-known/openai-apps-challenge`)
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8')
    assert.equal(await res.text(), 'challenge-token')
  })

  test('anything else is a JSON 404', async () => {
    const res = await fetch(`${hosted.url}/missing`)
    assert.equal(res.status, 404)
    assert.deepEqual(await res.json(), { error: { code: 'NOT_FOUND', message: 'Not found.' } })
  })

  test('GET /mcp with a valid token: 405 (stateless server, no SSE stream)', async () => {
    scopedTokens()
    const res = await fetch(`${hosted.url}/mcp`, { headers: { authorization: 'Bearer tok:jobs:read', accept: 'text/event-stream' } })
    assert.equal(res.status, 405)
  })
})

describe('token introspection', () => {
  const cases = [
    ['inactive', { status: 200, body: { active: false } }],
    ['wrong audience', activeToken('jobs:read', { aud: ['https://other.example.com'] })],
    ['wrong issuer', activeToken('jobs:read', { iss: 'https://evil.example.com' })],
    ['expired', activeToken('jobs:read', { exp: Math.floor(Date.now() / 1000) - 1 })],
    ['missing sub', activeToken('jobs:read', { sub: undefined })],
    ['missing workspace_id', activeToken('jobs:read', { workspace_id: ' ' })],
    ['introspection says 400', { status: 400, body: { error: 'invalid_request' } }],
  ]
  for (const [name, answer] of cases) {
    test(`${name}: 401 with the challenge, no API call`, async () => {
      upstream.introspection = () => answer
      const { res } = await post(hosted.url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { authorization: `Bearer ${name}` })
      assert.equal(res.status, 401)
      assert.equal(res.headers.get('www-authenticate'), CHALLENGE)
      assert.equal(upstream.apiRequests().length, 0)
    })
  }

  test('a non-Bearer scheme is refused without asking introspection', async () => {
    const { res } = await post(hosted.url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { authorization: 'Basic dXNlcjpwdw==' })
    assert.equal(res.status, 401)
    assert.equal(upstream.requests.filter((r) => r.route === 'introspect').length, 0)
  })

  for (const [name, answer] of [['down (500)', { status: 500, body: 'boom' }], ['slow (past the timeout)', { ...activeToken(), delayMs: 6000 }], ['garbage', { status: 200, body: '<html>' }]]) {
    test(`introspection ${name}: 503, fail closed`, async () => {
      upstream.introspection = () => answer
      const { res, json } = await post(hosted.url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { authorization: `Bearer outage-${name}` })
      assert.equal(res.status, 503)
      assert.equal(json.error.code, 'AUTH_UNAVAILABLE')
      assert.equal(upstream.apiRequests().length, 0)
    })
  }

  test('the introspection request: service token, token and resource', async () => {
    scopedTokens()
    // A token no other test uses, so it is not in the server's cache.
    const token = 'tok:jobs:read+introspection-request'
    await post(hosted.url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { authorization: `Bearer ${token}` })
    const intro = upstream.requests.find((r) => r.route === 'introspect')
    assert.equal(intro.method, 'POST')
    assert.equal(intro.path, '/oauth/introspect')
    assert.equal(intro.headers.authorization, `Bearer ${SERVICE_TOKEN}`)
    assert.deepEqual(intro.body, { token, resource: RESOURCE })
  })

  // Expiry (after OAUTH_TOKEN_CACHE_MS, and never past the token's `exp`) is driven by a test clock
  // in transport::auth's unit tests, not by waiting here.
  test('accepted tokens are cached (hit), new tokens are not (miss)', async () => {
    scopedTokens()
    const count = () => upstream.requests.filter((r) => r.route === 'introspect').length
    const list = (token) => post(hosted.url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { authorization: `Bearer ${token}` })
    // Tokens no other test uses, so nothing is cached yet.
    await list('tok:jobs:read+cache-a')
    await list('tok:jobs:read+cache-a')
    assert.equal(count(), 1, 'second request should hit the cache')
    await list('tok:jobs:read+cache-b')
    assert.equal(count(), 2, 'another token is a miss')
    await list('tok:jobs:read+cache-a')
    assert.equal(count(), 2, 'the first token is still cached')
  })
})

describe('tool calls run as the user, within their scopes', () => {
  test('the user token, never the service token, goes to the API', async () => {
    scopedTokens()
    const s = await connectHttp(hosted.url, 'tok:jobs:read')
    try {
      const r = await s.client.callTool({ name: 'get_job', arguments: { job_id: 'job_123' } })
      assert.equal(r.isError, false)
      const [req] = upstream.apiRequests()
      assert.equal(req.headers.authorization, 'Bearer tok:jobs:read')
    } finally {
      await s.close()
    }
  })

  // tool, arguments, scopes that allow it (contract Part A.5 + jobs:write everywhere)
  const MATRIX = [
    ['estimate_job', { workload_type: 'batch' }, ['jobs:estimate', 'jobs:read', 'jobs:write']],
    ['submit_job', { name: 'n', workload_type: 'batch', image: 'i' }, ['jobs:submit', 'jobs:write']],
    ['upload_job_input', { filename: 'a.txt' }, ['jobs:submit', 'jobs:write']],
    ['list_job_inputs', {}, ['jobs:read', 'jobs:write']],
    ['list_jobs', {}, ['jobs:read', 'jobs:write']],
    ['get_job', { job_id: 'j' }, ['jobs:read', 'jobs:write']],
    ['get_job_events', { job_id: 'j' }, ['jobs:read', 'jobs:write']],
    ['get_job_logs', { job_id: 'j' }, ['logs:read', 'jobs:read', 'jobs:write']],
    ['cancel_job', { job_id: 'j' }, ['jobs:submit', 'jobs:write']],
    ['list_artifacts', { job_id: 'j' }, ['jobs:read', 'jobs:write']],
    ['get_artifact', { job_id: 'j', artifact_id: 'a' }, ['jobs:read', 'jobs:write']],
  ]
  const SCOPES = ['jobs:estimate', 'jobs:submit', 'jobs:read', 'logs:read', 'jobs:write']

  test('the scope matrix for every tool', async () => {
    scopedTokens()
    for (const scope of SCOPES) {
      const s = await connectHttp(hosted.url, `tok:${scope}`)
      try {
        for (const [tool, args, allowed] of MATRIX) {
          upstream.reset()
          scopedTokens()
          if (allowed.includes(scope)) {
            const r = await s.client.callTool({ name: tool, arguments: args })
            assert.equal(r.isError, false, `${tool} with ${scope}: ${text(r)}`)
            assert.equal(upstream.apiRequests().length, 1, `${tool} with ${scope}`)
          } else {
            // Refused before the tool runs with the 403 insufficient_scope challenge
            // (its header is checked in hosted-tenants.test.mjs).
            await assert.rejects(
              s.client.callTool({ name: tool, arguments: args }),
              (e) => e.code === 403 && e.message.includes(`"INSUFFICIENT_SCOPE","message":"${tool} needs one of these OAuth scopes: ${allowed.join(', ')};`),
              `${tool} with ${scope} should be refused`,
            )
            assert.equal(upstream.apiRequests().length, 0, `${tool} with ${scope} must not call the API`)
          }
        }
      } finally {
        await s.close()
      }
    }
  })

  test('local files are refused on the hosted server', async () => {
    scopedTokens()
    const s = await connectHttp(hosted.url, 'tok:jobs:write')
    try {
      const r = await s.client.callTool({ name: 'upload_job_input', arguments: { filename: 'a.txt', content: 'x' } })
      assert.equal(r.isError, true)
      assert.match(text(r), /only available when the server runs locally/)
      const r2 = await s.client.callTool({ name: 'get_artifact', arguments: { job_id: 'j', artifact_id: 'a', save_to: '/tmp/x' } })
      assert.match(text(r2), /only available when the server runs locally/)
      assert.equal(upstream.apiRequests().length, 0)
    } finally {
      await s.close()
    }
  })
})

describe('both protocol generations over HTTP', () => {
  test('2026-07-28 through the v2 client', async () => {
    scopedTokens()
    const { client } = await connectHttpV2(hosted.url, 'tok:jobs:read')
    try {
      assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28')
      const r = await client.callTool({ name: 'get_job', arguments: { job_id: 'job_123' } })
      assert.equal(r.structuredContent.data.job_id, 'job_123')
    } finally {
      await client.close()
    }
  })
})

describe('guards', () => {
  test('a browser Origin that is not allowed is refused', async () => {
    scopedTokens()
    const { res } = await post(hosted.url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { authorization: 'Bearer tok:jobs:read', origin: 'https://evil.example.com' })
    assert.equal(res.status, 403)
  })

  test('a body over the limit is refused', async () => {
    scopedTokens()
    const huge = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_job', arguments: { job_id: 'x'.repeat(2 * 1024 * 1024) } } })
    const { res } = await post(hosted.url, huge, { authorization: 'Bearer tok:jobs:read' })
    assert.equal(res.status, 413)
    assert.equal(upstream.apiRequests().length, 0)
  })

  test('no token appears in the logs', () => {
    for (const secret of ['tok:jobs', SERVICE_TOKEN, 'short-lived', 'challenge-token']) {
      assert.ok(!hosted.stderr().includes(secret), `stderr leaked ${secret}`)
    }
  })
})

describe('replication and shutdown', () => {
  test('two instances behind one round-robin address serve one client', async () => {
    scopedTokens()
    const second = await startHosted(upstream)
    const lb = await roundRobin([hosted.url, second.url])
    try {
      const s = await connectHttp(lb.url, 'tok:jobs:read')
      for (let i = 0; i < 10; i++) {
        const r = await s.client.callTool({ name: 'get_job', arguments: { job_id: `job_${i}` } })
        assert.equal(r.isError, false)
      }
      await s.close()
      assert.ok(lb.hits[0] > 0 && lb.hits[1] > 0, `both instances served: ${lb.hits}`)
    } finally {
      await lb.close()
      await second.stop()
    }
  })

  test('SIGTERM lets a request in flight finish, then exits 0', async () => {
    const own = await startHosted(upstream)
    scopedTokens()
    upstream.override('job', { delayMs: 800, body: { ok: true, data: { job_id: 'slow' } } })
    const pending = post(own.url, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_job', arguments: { job_id: 'slow' } } }, { authorization: 'Bearer tok:jobs:read' })
    await waitFor(() => upstream.requestsTo('job').length > 0, { what: 'the get_job request to reach the API' })
    own.child.kill('SIGTERM')
    const { res, json } = await pending
    assert.equal(res.status, 200)
    assert.equal(json.result.structuredContent.data.job_id, 'slow')
    const [code] = await new Promise((resolve) => (own.child.exitCode !== null ? resolve([own.child.exitCode]) : own.child.once('exit', (c) => resolve([c]))))
    assert.equal(code, 0)
  })
})

describe('startHttpServer() from JS and an unset challenge token', () => {
  test('serves in this process, answers 404 for the challenge route, and stops', async () => {
    const { createRequire } = await import('node:module')
    const { startHttpServer } = createRequire(import.meta.url)('@jungle-grid/mcp')
    const saved = { ...process.env }
    Object.assign(process.env, { JUNGLEGRID_API_BASE: upstream.base, JUNGLEGRID_INTERNAL_SERVICE_TOKEN: SERVICE_TOKEN })
    delete process.env.OPENAI_APPS_CHALLENGE_TOKEN
    let server
    try {
      server = await startHttpServer({ port: 0, host: '127.0.0.1' })
    } finally {
      for (const k of ['JUNGLEGRID_API_BASE', 'JUNGLEGRID_INTERNAL_SERVICE_TOKEN']) {
        if (saved[k] === undefined) delete process.env[k]
        else process.env[k] = saved[k]
      }
    }
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/)
      const challenge = await fetch(`${server.url}/.well-known/openai-apps-challenge`)
      assert.equal(challenge.status, 404)
      assert.deepEqual(await challenge.json(), { error: { code: 'NOT_FOUND', message: 'Not found.' } })
      scopedTokens()
      const { res, json } = await post(server.url, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_job', arguments: { job_id: 'job_123' } } }, { authorization: 'Bearer tok:jobs:read' })
      assert.equal(res.status, 200)
      assert.equal(json.result.structuredContent.data.job_id, 'job_123')
    } finally {
      await server.stop()
    }
    await assert.rejects(fetch(`${server.url}/healthz`))
  })
})

describe('configuration is validated at start', () => {
  test('PORT', async () => {
    const { spawnSync } = await import('node:child_process')
    const { BIN } = await import('./helpers/mcp.mjs')
    const r = spawnSync(process.execPath, [BIN, '--http'], {
      env: { PATH: process.env.PATH, PORT: 'abc', JUNGLEGRID_INTERNAL_SERVICE_TOKEN: 'x' },
      encoding: 'utf8',
    })
    assert.equal(r.status, 1)
    assert.equal(r.stderr.trim(), 'Fatal: PORT must be an integer between 1 and 65535.')
  })
  for (const [env, message] of [
    [{ JUNGLEGRID_INTERNAL_SERVICE_TOKEN: '' }, /JUNGLEGRID_INTERNAL_SERVICE_TOKEN is required in HTTP mode/],
    [{ MCP_RESOURCE: 'not-a-url' }, /MCP_RESOURCE must be an absolute http\(s\) URL/],
  ]) {
    test(JSON.stringify(env), async () => {
      await assert.rejects(startHosted(upstream, env), message)
    })
  }
})
