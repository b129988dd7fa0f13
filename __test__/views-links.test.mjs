// The job view at the protocol level: which clients see it (the MCP Apps `extensions` capability),
// that results are byte for byte the same with and without it, the view as a resource (stdio and
// hosted, both protocol generations), and what hosted requests need (a token; scopes and filters
// for the tools the view calls).
import { after, afterEach, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { startFakeUpstream } from './helpers/fake-upstream.mjs'
import { RESOURCE, activeToken, connectHttp, connectHttpV2, post, startHosted } from './helpers/http-server.mjs'
import { connectV1, connectV2, hostEnv, runBin } from './helpers/mcp.mjs'

const UI = { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } }
const OTHER_EXTENSION = { extensions: { 'io.example/other': {} } }
const VIEW = 'ui://junglegrid/job.html'
const LINKED = ['submit_job', 'get_job', 'wait_for_job']
const META = { ui: { resourceUri: VIEW }, 'openai/outputTemplate': VIEW }

const linksOf = (tools) => Object.fromEntries(tools.filter((t) => t._meta).map((t) => [t.name, t._meta]))

describe('stdio: the view follows the client\'s extensions capability', () => {
  let api
  const clients = []
  before(async () => {
    api = await startFakeUpstream()
  })
  after(async () => {
    for (const c of clients) await c.close()
    await api.stop()
  })
  afterEach(() => api.reset())
  const connect = async (how, capabilities) => {
    const c = await how(api, { capabilities })
    clients.push(c)
    return c
  }

  for (const [generation, how] of [['2025', connectV1], ['2026-07-28', connectV2]]) {
    test(`${generation}: declared, the three job tools link the view; not declared, tools/list is as before`, async () => {
      const withUi = await connect(how, UI)
      const without = await connect(how, undefined)
      const other = await connect(how, OTHER_EXTENSION)
      const linked = (await withUi.client.listTools()).tools
      assert.deepEqual(linksOf(linked), Object.fromEntries(LINKED.map((n) => [n, META])))
      for (const plain of [(await without.client.listTools()).tools, (await other.client.listTools()).tools]) {
        assert.deepEqual(linksOf(plain), {}, 'no _meta on any tool')
        // Apart from the links, the same definitions.
        assert.deepEqual(plain, linked.map(({ _meta, ...rest }) => rest))
      }
    })

    test(`${generation}: results are exactly the same for clients with and without MCP Apps`, async () => {
      const withUi = await connect(how, UI)
      const without = await connect(how, undefined)
      for (const [name, args] of [['get_job', { job_id: 'job_123' }], ['submit_job', { name: 'n', workload_type: 'batch', image: 'i' }], ['get_job_logs', { job_id: 'job_123' }]]) {
        // Two submits with their own keys: the second is not a replay of the first.
        const key = (who) => (name === 'submit_job' ? { idempotency_key: `k-${generation}-${who}` } : {})
        const a = await withUi.call(name, { ...args, ...key('a') })
        const b = await without.call(name, { ...args, ...key('b') })
        assert.deepEqual(a, b, name)
        assert.equal(a._meta, undefined, `${name}: no result metadata`)
      }
    })

    test(`${generation}: the view is a resource, text/html;profile=mcp-app, with an empty CSP`, async () => {
      const withUi = await connect(how, UI)
      const without = await connect(how, undefined)
      const listed = (await withUi.client.listResources()).resources.find((r) => r.uri === VIEW)
      assert.ok(listed, 'listed')
      assert.equal(listed.mimeType, 'text/html;profile=mcp-app')
      assert.deepEqual(listed._meta.ui.csp, { connectDomains: [], resourceDomains: [] })
      for (const c of [withUi, without]) {
        const { contents } = await c.client.readResource({ uri: VIEW })
        assert.equal(contents.length, 1)
        assert.equal(contents[0].uri, VIEW)
        assert.equal(contents[0].mimeType, 'text/html;profile=mcp-app')
        assert.match(contents[0].text, /^<!doctype html>/)
        assert.ok(Buffer.byteLength(contents[0].text) < 1024 * 1024)
        assert.deepEqual(contents[0]._meta.ui, { csp: { connectDomains: [], resourceDomains: [] }, prefersBorder: true })
        assert.equal(contents[0]._meta['openai/widgetDomain'], undefined, 'no domain on stdio')
      }
    })
  }
})

describe('--views / JUNGLE_GRID_VIEWS', () => {
  let api
  before(async () => {
    api = await startFakeUpstream()
  })
  after(() => api.stop())

  test('off: no links, no view resource, no extension, even for a client that declares MCP Apps', async () => {
    const c = await connectV1(api, { args: ['--views', 'off'], capabilities: UI })
    try {
      assert.deepEqual(linksOf((await c.client.listTools()).tools), {})
      assert.ok(!(await c.client.listResources()).resources.some((r) => r.uri === VIEW))
      await assert.rejects(c.client.readResource({ uri: VIEW }), /Unknown resource/)
      assert.equal(c.client.getServerCapabilities()?.extensions?.['io.modelcontextprotocol/ui'], undefined)
    } finally {
      await c.close()
    }
  })

  test('on: links for a client that does not declare MCP Apps (hosts that render views without saying so)', async () => {
    const c = await connectV2(api, { env: { JUNGLE_GRID_VIEWS: 'on' } })
    try {
      assert.deepEqual(linksOf((await c.client.listTools()).tools), Object.fromEntries(LINKED.map((n) => [n, META])))
    } finally {
      await c.close()
    }
  })

  test('an unknown mode stops the start, naming the variable', async () => {
    const { code, stderr } = await runBin([], hostEnv(api, { JUNGLE_GRID_VIEWS: 'maybe' }))
    assert.equal(code, 1)
    assert.match(stderr, /JUNGLE_GRID_VIEWS must be auto, on or off, got "maybe"\./)
  })
})

describe('hosted: the view needs a token, and the view\'s calls are the caller\'s', () => {
  let upstream, hosted
  before(async () => {
    upstream = await startFakeUpstream()
    upstream.introspection = (token) => (token && token.startsWith('tok:') ? activeToken(token.slice(4).replaceAll('+', ' ')) : { status: 200, body: { active: false } })
    upstream.acceptToken = (h) => typeof h === 'string' && h.startsWith('Bearer tok:')
    hosted = await startHosted(upstream)
  })
  after(async () => {
    await hosted?.stop()
    await upstream?.stop()
  })

  test('resources/read without a valid token is refused with the OAuth challenge', async () => {
    const read = { jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: VIEW } }
    for (const headers of [{}, { authorization: 'Bearer tok-not-active' }]) {
      const { res, text } = await post(hosted.url, read, headers)
      assert.equal(res.status, 401, text)
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer /)
      assert.ok(!text.includes('<!doctype html>'))
    }
  })

  test('2025 clients (no capabilities reach a stateless server): linked; the view names the public origin for ChatGPT', async () => {
    const c = await connectHttp(hosted.url, 'tok:jobs:read')
    try {
      const tools = (await c.client.listTools()).tools
      assert.deepEqual(Object.keys(linksOf(tools)).sort(), ['get_job', 'wait_for_job'], 'jobs:read lists no submit_job')
      const listed = (await c.client.listResources()).resources.find((r) => r.uri === VIEW)
      assert.equal(listed?.mimeType, 'text/html;profile=mcp-app')
      const { contents } = await c.client.readResource({ uri: VIEW })
      assert.equal(contents[0]._meta['openai/widgetDomain'], new URL(RESOURCE).origin)
      assert.deepEqual(contents[0]._meta['openai/widgetCSP'], { connect_domains: [], resource_domains: [] })
    } finally {
      await c.close()
    }
  })

  test('2026-07-28 clients: the per-request capabilities decide', async () => {
    const withUi = await connectHttpV2(hosted.url, 'tok:jobs:write', { capabilities: UI })
    const without = await connectHttpV2(hosted.url, 'tok:jobs:write')
    try {
      assert.deepEqual(linksOf((await withUi.client.listTools()).tools), Object.fromEntries(LINKED.map((n) => [n, META])))
      assert.deepEqual(linksOf((await without.client.listTools()).tools), {})
      assert.match((await without.client.readResource({ uri: VIEW })).contents[0].text, /^<!doctype html>/)
      assert.ok((await withUi.client.listResources()).resources.some((r) => r.uri === VIEW))
      // The server declares the extension (server/discover).
      assert.deepEqual(withUi.client.getServerCapabilities()?.extensions?.['io.modelcontextprotocol/ui'], { mimeTypes: ['text/html;profile=mcp-app'] })
    } finally {
      await withUi.close()
      await without.close()
    }
  })

  test('what the view calls obeys the token\'s scopes and the request\'s tool filter', async () => {
    // A read-only token: the view's cancel is refused with the scope challenge, as the agent's is.
    const cancel = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'cancel_job', arguments: { job_id: 'job_123' } } }
    const refused = await post(hosted.url, cancel, { authorization: 'Bearer tok:jobs:read' })
    assert.equal(refused.res.status, 403)
    assert.match(refused.res.headers.get('www-authenticate') ?? '', /insufficient_scope/)
    assert.equal(upstream.requestsTo('cancel').length, 0)
    // A request that offers only get_job: the view's log read is an unknown tool, nothing reaches the API.
    const logs = { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'get_job_logs', arguments: { job_id: 'job_123' } } }
    const filtered = await post(hosted.url, logs, { authorization: 'Bearer tok:jobs:write', 'x-mcp-tools': 'get_job' })
    assert.equal(filtered.json?.error?.code, -32602, filtered.text)
    assert.equal(upstream.requestsTo('logs').length, 0)
  })
})
