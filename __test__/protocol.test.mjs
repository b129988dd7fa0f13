// The MCP protocol surface over stdio: initialize and server/discover, the tool registry in the seed's
// order with annotations, input and output schemas and a checked-in snapshot; both protocol
// generations (v1 SDK client for 2025 revisions, v2 client pinned to 2026-07-28) seeing the same tools
// and results; unknown tools; and malformed JSON-RPC written by hand on stdin (parse errors, invalid
// requests, oversized lines), after each of which the same session keeps answering.
import { after, afterEach, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { API_KEY, startFakeUpstream } from './helpers/fake-upstream.mjs'
import { connectV1, MODERN_PROTOCOL, PACKAGE, SEED_TOOLS, spawnRaw, stdioSuite, summaryLine, text } from './helpers/mcp.mjs'

describe('discovery, default fixtures', () => {
  // Contract Part B 3.3: readOnlyHint, openWorldHint, destructiveHint.
  const ANNOTATIONS = {
    estimate_job: [true, false, false], submit_job: [false, true, false],
    upload_job_input: [false, true, false], list_job_inputs: [true, false, false],
    list_jobs: [true, false, false], get_job: [true, false, false], get_job_events: [true, false, false],
    get_job_logs: [true, false, false], cancel_job: [false, true, true], list_artifacts: [true, false, false],
    get_artifact: [true, false, false],
  }

  let upstream
  let mcp
  stdioSuite({}, (s) => ({ api: upstream, mcp } = s))

  describe('discovery', () => {
    test('initialize reports junglegrid, the package version and instructions', () => {
      const info = mcp.client.getServerVersion()
      assert.equal(info.name, 'junglegrid')
      assert.equal(info.version, PACKAGE.version)
      assert.match(mcp.client.getInstructions(), /estimate_job/)
      assert.ok(mcp.client.getServerCapabilities().tools)
    })

    test('tools/list gives the seed tools in order, then wait_for_job', async () => {
      const { tools } = await mcp.client.listTools()
      assert.deepEqual(tools.map((t) => t.name), [...SEED_TOOLS, 'wait_for_job'])
    })

    test('annotations, output schemas and agent-facing descriptions', async () => {
      const { tools } = await mcp.client.listTools()
      const byName = Object.fromEntries(tools.map((t) => [t.name, t]))
      for (const [name, [readOnly, openWorld, destructive]] of Object.entries(ANNOTATIONS)) {
        const a = byName[name].annotations
        assert.equal(a.readOnlyHint, readOnly, `${name} readOnlyHint`)
        assert.equal(a.openWorldHint, openWorld, `${name} openWorldHint`)
        assert.equal(a.destructiveHint, destructive, `${name} destructiveHint`)
        assert.equal(a.idempotentHint, readOnly || name === 'cancel_job', `${name} idempotentHint`)
        // LangChain reads the title from annotations.title (issue 19).
        assert.equal(a.title, byName[name].title, `${name} annotations.title`)
        assert.equal(byName[name].outputSchema.type, 'object')
        assert.deepEqual(byName[name].outputSchema.required, ['data'])
      }
      assert.match(byName.submit_job.description, /incur usage charges/)
      assert.match(byName.cancel_job.description, /stop active execution/)
      assert.match(byName.estimate_job.description, /without submitting it/)
      assert.match(byName.list_jobs.description, /find recent jobs/)
    })

    test('input schemas use the seed names, not the aliases', async () => {
      const { tools } = await mcp.client.listTools()
      const byName = Object.fromEntries(tools.map((t) => [t.name, t]))
      assert.deepEqual(byName.get_job.inputSchema.required, ['job_id'])
      assert.deepEqual(byName.get_artifact.inputSchema.required, ['job_id', 'artifact_id'])
      assert.deepEqual(byName.submit_job.inputSchema.required, ['name', 'workload_type', 'image'])
      assert.deepEqual(byName.estimate_job.inputSchema.properties.workload_type.enum, ['inference', 'training', 'fine_tuning', 'batch'])
      const all = JSON.stringify(tools.map((t) => t.inputSchema))
      for (const alias of ['"jobId"', '"artifactId"', '"workload"', '"environment"', '"optimize_for"']) {
        assert.ok(!all.includes(alias), `schema advertises ${alias}`)
      }
    })

    test('tools/list matches the checked-in snapshot', async () => {
      const { tools } = await mcp.client.listTools()
      const path = new URL('./snapshots/tools-list.json', import.meta.url)
      const actual = JSON.stringify(tools, null, 2) + '\n'
      if (process.env.UPDATE_SNAPSHOTS === '1') writeFileSync(path, actual)
      assert.ok(existsSync(path), 'no snapshot yet: run with UPDATE_SNAPSHOTS=1')
      assert.equal(actual, readFileSync(path, 'utf8'), 'tools/list changed: review, then run with UPDATE_SNAPSHOTS=1')
    })
  })
})

describe('discovery, TS test vectors', () => {
  // Contract Part B 3.3: [readOnlyHint, openWorldHint, destructiveHint]; idempotentHint is true for the
  // read-only tools and cancel_job (brief).
  const ANNOTATIONS = {
    estimate_job: [true, false, false],
    submit_job: [false, true, false],
    upload_job_input: [false, true, false],
    list_job_inputs: [true, false, false],
    list_jobs: [true, false, false],
    get_job: [true, false, false],
    get_job_events: [true, false, false],
    get_job_logs: [true, false, false],
    cancel_job: [false, true, true],
    list_artifacts: [true, false, false],
    get_artifact: [true, false, false],
  }

  // The seed's argument lists (Tool Reference): every one must be advertised.
  const SEED_ARGS = {
    estimate_job: { required: ['workload_type'], optional: ['model_size', 'image', 'command', 'args', 'routing_mode', 'template', 'notes'] },
    submit_job: {
      required: ['name', 'workload_type', 'image'],
      optional: ['command', 'args', 'env', 'input_files', 'script_files', 'script_file', 'expected_artifacts', 'routing_mode', 'template', 'metadata'],
    },
    upload_job_input: { required: ['filename'], optional: ['content_type', 'kind'] },
    list_job_inputs: { required: [], optional: [] },
    list_jobs: { required: [], optional: ['limit', 'cursor', 'status'] },
    get_job: { required: ['job_id'], optional: [] },
    get_job_events: { required: ['job_id'], optional: [] },
    get_job_logs: { required: ['job_id'], optional: ['limit', 'cursor'] },
    cancel_job: { required: ['job_id'], optional: ['reason'] },
    list_artifacts: { required: ['job_id'], optional: [] },
    get_artifact: { required: ['job_id', 'artifact_id'], optional: [] },
  }

  const ALIASES = ['jobId', 'artifactId', 'workload', 'environment', 'optimize_for', 'model_size_gb', 'contentType']

  let api

  let mcp

  let tools

  let byName

  before(async () => {
    api = await startFakeUpstream({ vectors: true })
    mcp = await connectV1(api, { listTools: false })
    ;({ tools } = await mcp.client.listTools())
    byName = Object.fromEntries(tools.map((t) => [t.name, t]))
  })

  after(async () => {
    await mcp?.close()
    await api?.stop()
  })

  describe('initialize', () => {
    test('serverInfo is junglegrid at the package version, with instructions', () => {
      const info = mcp.client.getServerVersion()
      assert.equal(info.name, 'junglegrid')
      assert.equal(info.version, PACKAGE.version)
      const instructions = mcp.client.getInstructions()
      assert.equal(typeof instructions, 'string')
      assert.ok(instructions.length > 40, `instructions too short: ${instructions}`)
      assert.match(instructions, /estimate_job/)
      assert.match(instructions, /submit_job/)
    })

    test('advertises the tools capability', () => {
      assert.ok(mcp.client.getServerCapabilities().tools, 'tools capability')
    })

    test('a raw initialize with a 2025 revision is answered with that revision', async () => {
      for (const version of ['2025-06-18', '2025-11-25']) {
        const raw = spawnRaw(api)
        try {
          const reply = await raw.initialize(version)
          assert.equal(reply.result.protocolVersion, version)
          assert.equal(reply.result.serverInfo.name, 'junglegrid')
          assert.equal(reply.result.serverInfo.version, PACKAGE.version)
          assert.equal(typeof reply.result.instructions, 'string')
        } finally {
          await raw.end()
        }
      }
    })

    test('no API request is made by initialize or tools/list', () => {
      assert.equal(api.requests.length, 0)
    })
  })

  describe('tools/list', () => {
    test('starts with exactly the 11 seed tools in the seed order', () => {
      const names = tools.map((t) => t.name)
      assert.deepEqual(names.slice(0, SEED_TOOLS.length), SEED_TOOLS)
      // Part A 1 allows added tools after the seed's; this server adds exactly one.
      assert.deepEqual(names.slice(SEED_TOOLS.length), ['wait_for_job'])
      assert.equal(new Set(names).size, names.length, 'no duplicate names')
    })

    for (const [name, [readOnly, openWorld, destructive]] of Object.entries(ANNOTATIONS)) {
      test(`${name}: annotations per contract 3.3`, () => {
        const a = byName[name].annotations
        assert.ok(a, `${name} has annotations`)
        assert.equal(a.readOnlyHint, readOnly, 'readOnlyHint')
        assert.equal(a.openWorldHint, openWorld, 'openWorldHint')
        assert.equal(a.destructiveHint, destructive, 'destructiveHint')
        assert.equal(a.idempotentHint, readOnly || name === 'cancel_job', 'idempotentHint')
      })
    }

    test('every tool has an object outputSchema requiring data', () => {
      for (const tool of tools) {
        assert.equal(tool.outputSchema?.type, 'object', `${tool.name} outputSchema.type`)
        assert.deepEqual(tool.outputSchema.required, ['data'], `${tool.name} outputSchema.required`)
        assert.ok(tool.outputSchema.properties?.data, `${tool.name} outputSchema.properties.data`)
      }
    })

    test('every output schema allows data: null (empty and 204 answers)', () => {
      for (const tool of tools) {
        const data = tool.outputSchema.properties.data
        const allowsNull = (s) => s === true || s.type === 'null' || (Array.isArray(s.type) && s.type.includes('null')) ||
          (Array.isArray(s.anyOf) && s.anyOf.some(allowsNull)) || (Array.isArray(s.oneOf) && s.oneOf.some(allowsNull))
        assert.ok(allowsNull(data), `${tool.name} data schema does not allow null: ${JSON.stringify(data).slice(0, 200)}`)
      }
    })

    test('descriptions carry the agent-facing fragments of the TS tests (5.1.2)', () => {
      assert.match(byName.submit_job.description, /incur usage charges/)
      assert.match(byName.cancel_job.description, /stop active execution/)
      assert.match(byName.estimate_job.description, /without submitting it/)
      assert.match(byName.list_jobs.description, /find recent jobs/)
    })

    for (const [name, { required, optional }] of Object.entries(SEED_ARGS)) {
      test(`${name}: input schema advertises the seed's argument names and no aliases`, () => {
        const schema = byName[name].inputSchema
        assert.equal(schema.type, 'object')
        const props = Object.keys(schema.properties ?? {})
        for (const arg of [...required, ...optional]) assert.ok(props.includes(arg), `${name} advertises ${arg} (has ${props})`)
        assert.deepEqual([...(schema.required ?? [])].sort(), [...required].sort(), `${name} required`)
        for (const alias of ALIASES) assert.ok(!props.includes(alias), `${name} advertises alias ${alias}`)
      })
    }

    test('enums: workload_type, routing_mode and upload kind; list_jobs status is free-form', () => {
      for (const name of ['estimate_job', 'submit_job']) {
        const p = byName[name].inputSchema.properties
        assert.deepEqual(p.workload_type.enum, ['inference', 'training', 'fine_tuning', 'batch'], `${name} workload_type`)
        assert.deepEqual(p.routing_mode.enum, ['cost', 'speed', 'balanced'], `${name} routing_mode`)
      }
      // A plain string enum (a oneOf of consts loses its values in mcp-use and google-genai).
      const kind = byName.upload_job_input.inputSchema.properties.kind
      assert.deepEqual(kind.enum, ['input', 'script'])
      assert.deepEqual(kind.type, ['string', 'null'])
      const status = byName.list_jobs.inputSchema.properties.status
      assert.deepEqual(status.type, ['string', 'null'])
      assert.equal(status.enum, undefined, 'status is not a fixed MCP enum (seed)')
    })

    test('submit_job input_files / script_files are arrays of {input_id} objects', () => {
      for (const key of ['input_files', 'script_files']) {
        const s = byName.submit_job.inputSchema.properties[key]
        assert.deepEqual(s.type, ['array', 'null'], key)
        assert.equal(s.items.type, 'object', `${key} items`)
        assert.equal(s.items.properties.input_id.type, 'string', `${key} items.input_id`)
        assert.deepEqual(s.items.required, ['input_id'], `${key} items.required`)
      }
      // env and metadata: the name/value list every provider's strict mode can express (the
      // object form stays accepted, unadvertised).
      for (const key of ['env', 'metadata']) {
        const s = byName.submit_job.inputSchema.properties[key]
        assert.deepEqual(s.type, ['array', 'null'], key)
        assert.deepEqual(s.items.required, ['name', 'value'], `${key} items.required`)
      }
    })

    test('no input schema uses $ref (inlined for models and validators)', () => {
      assert.ok(!JSON.stringify(tools.map((t) => t.inputSchema)).includes('$ref'))
    })
  })

  describe('snapshot', () => {
    test('the raw tools/list result matches __test__/snapshots/e2e-tools-list.json', async () => {
      const raw = spawnRaw(api)
      try {
        await raw.initialize()
        const reply = await raw.request('tools/list', {})
        assert.equal(reply.error, undefined)
        const actual = JSON.stringify(reply.result, null, 2) + '\n'
        const dir = new URL('./snapshots/', import.meta.url)
        const file = new URL('./snapshots/e2e-tools-list.json', import.meta.url)
        if (process.env.UPDATE_SNAPSHOTS === '1') {
          mkdirSync(dir, { recursive: true })
          writeFileSync(file, actual)
        }
        assert.ok(existsSync(file), 'no snapshot yet: run with UPDATE_SNAPSHOTS=1')
        assert.equal(actual, readFileSync(file, 'utf8'), 'tools/list changed: review the diff, then run with UPDATE_SNAPSHOTS=1')
      } finally {
        await raw.end()
      }
    })
  })
})

describe('2026-07-28, TS test vectors', () => {
  let api
  let v2
  stdioSuite({ vectors: true, listTools: true, client: 'v2' }, (s) => ({ api, mcp: v2 } = s))

  function onlyRequest() {
    assert.equal(api.requests.length, 1, JSON.stringify(api.requests.map((r) => r.url)))
    const [req] = api.requests
    assert.equal(req.headers.authorization, `Bearer ${API_KEY}`)
    assert.equal(req.headers.accept, 'application/json')
    assert.equal(req.headers['content-type'], 'application/json')
    return req
  }

  describe('2026-07-28 through the v2 client', () => {
    test('the negotiated revision really is 2026-07-28 (modern era, via server/discover)', () => {
      assert.equal(v2.client.getNegotiatedProtocolVersion(), MODERN_PROTOCOL)
      assert.equal(v2.client.getProtocolEra(), 'modern')
      const discover = v2.client.getDiscoverResult()
      assert.ok(discover, 'a DiscoverResult was recorded')
      assert.ok(JSON.stringify(discover).includes(MODERN_PROTOCOL), 'discover offers 2026-07-28')
    })

    test('server identity and instructions reach the modern client', () => {
      const info = v2.client.getServerVersion()
      assert.equal(info?.name, 'junglegrid')
      assert.equal(info?.version, PACKAGE.version)
      assert.match(v2.client.getInstructions() ?? '', /estimate_job/)
    })

    test('tools/list: the seed tools first, same definitions as the 2025 generation', async () => {
      const { tools } = await v2.client.listTools()
      assert.deepEqual(tools.map((t) => t.name).slice(0, SEED_TOOLS.length), SEED_TOOLS)
      const v1 = await connectV1(api, { listTools: true })
      try {
        const { tools: legacy } = await v1.client.listTools()
        const pick = (t) => ({ name: t.name, inputSchema: t.inputSchema, outputSchema: t.outputSchema, annotations: t.annotations, description: t.description })
        assert.deepEqual(tools.map(pick), legacy.map(pick))
      } finally {
        await v1.close()
      }
    })

    test('estimate_job: same request and result (cost printed as numbers)', async () => {
      const result = await v2.call('estimate_job', { workload_type: 'fine_tuning', model_size: 7.5, routing_mode: 'speed', command: ['python', 'train.py'] })
      const req = onlyRequest()
      assert.equal(req.method, 'POST')
      assert.equal(req.url, '/v1/mcp/jobs/estimate')
      assert.deepEqual(req.body, { workload_type: 'fine-tuning', model_size_gb: 7.5, command: ['python', 'train.py'], optimize_for: 'speed' })
      assert.notEqual(result.isError, true)
      assert.equal(summaryLine(result), 'Estimate available. Likely route: best available route. Estimated cost: $0.10-$0.20 USD.')
      assert.deepEqual(result.structuredContent, { data: api.fixtures.estimate })
    })

    test('submit_job: the 5.1.8 legacy body and summary', async () => {
      const result = await v2.call('submit_job', { name: 'batch-1', workload: 'batch', image: 'python:3.11-slim' })
      const req = onlyRequest()
      assert.equal(req.url, '/v1/mcp/jobs')
      assert.equal(req.raw, '{"name":"batch-1","workload_type":"batch","image":"python:3.11-slim"}')
      assert.equal(summaryLine(result), 'Job submitted and real compute may start. id=job_123 status=queued.')
      assert.deepEqual(result.structuredContent, { data: api.fixtures.submit })
    })

    test('get_job_logs: clamp, cursor and summary (5.1.9)', async () => {
      api.fixtures.logs = { items: [{ message: 'hello' }], next_cursor: 2 }
      const result = await v2.call('get_job_logs', { job_id: 'job_123', limit: 5000, cursor: 'abc' })
      assert.equal(onlyRequest().url, '/v1/mcp/jobs/job_123/logs?limit=1000&cursor=abc')
      assert.equal(summaryLine(result), 'Fetched 1 log entry. next_cursor=2.')
    })

    test('get_job: billing normalisation', async () => {
      api.fixtures.job = { job_id: 'job_123', status: 'pending', billing: { status: 'pending', total_spent_usd: 53.42525 } }
      const result = await v2.call('get_job', { job_id: 'job_123' })
      assert.deepEqual(result.structuredContent.data, { job_id: 'job_123', status: 'pending', billing: { status: 'pending' }, actual_cost_usd: null })
    })

    test('get_artifact with encoded ids; upload slot; list_jobs query', async () => {
      let result = await v2.call('get_artifact', { job_id: 'job/123', artifact_id: 'artifact/with space' })
      assert.equal(onlyRequest().url, '/v1/mcp/jobs/job%2F123/artifacts/artifact%2Fwith%20space/download')
      assert.equal(summaryLine(result), 'Created a temporary download URL for output.txt.')
      api.reset()
      result = await v2.call('upload_job_input', { filename: 'audio.wav', content_type: 'audio/wav', kind: 'input' })
      assert.equal(onlyRequest().raw, '{"filename":"audio.wav","content_type":"audio/wav","kind":"input"}')
      assert.equal(summaryLine(result), 'Created upload slot for audio.wav. input_id=inp_123.')
      api.reset()
      result = await v2.call('list_jobs', { limit: 500, cursor: '10', status: 'completed' })
      assert.equal(onlyRequest().url, '/v1/mcp/jobs?limit=100&cursor=10&status=completed')
    })

    test('validation errors and API errors are tool results, as in 2025', async () => {
      let result = await v2.call('cancel_job', {})
      assert.equal(result.isError, true)
      assert.equal(text(result), 'cancel_job failed: job_id is required.')
      assert.equal(api.requests.length, 0)
      api.override('cancel', { status: 409, json: { ok: false, error: { code: 'CONFLICT', message: 'job is already completed' } } })
      result = await v2.call('cancel_job', { job_id: 'job_123' })
      assert.equal(result.isError, true)
      assert.equal(text(result), 'cancel_job failed: CONFLICT: job is already completed')
    })

    test('an unknown tool is a JSON-RPC error; the session keeps going', async () => {
      await assert.rejects(v2.call('nope', {}), (e) => {
        assert.equal(e.code, -32602)
        assert.match(e.message, /Unknown tool: nope/)
        return true
      })
      const result = await v2.call('list_job_inputs', {})
      assert.equal(summaryLine(result), 'Found 1 uploaded job input.')
    })
  })

  describe('server/discover on a raw pipe', () => {
    test('answers without initialize and offers 2026-07-28 alongside a 2025 revision', async () => {
      const raw = spawnRaw(api)
      try {
        const reply = await raw.request('server/discover', {
          _meta: {
            'io.modelcontextprotocol/protocolVersion': MODERN_PROTOCOL,
            'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        })
        assert.equal(reply.error, undefined, JSON.stringify(reply.error))
        const json = JSON.stringify(reply.result)
        assert.ok(json.includes(MODERN_PROTOCOL), json)
        assert.match(json, /2025-\d\d-\d\d/)
      } finally {
        await raw.end()
      }
    })
  })
})

describe('unknown tools, TS test vectors', () => {
  let api
  let mcp
  stdioSuite({ vectors: true, listTools: true }, (s) => ({ api, mcp } = s))

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
      assert.ok(tools.length >= 11)
      assert.equal(tools[0].name, 'estimate_job')
      const result = await mcp.call('list_jobs', {})
      assert.equal(summaryLine(result), 'Found 1 Jungle Grid job. next_cursor=null.')
    })
  })
})

describe('malformed JSON-RPC, default fixtures', () => {
  let upstream
  stdioSuite({}, (s) => ({ api: upstream } = s))

  describe('malformed JSON-RPC over raw stdio', () => {
    test('garbage, non-messages and a huge line get errors; the server keeps serving', async () => {
      const raw = spawnRaw(upstream)
      try {
        await raw.initialize()
        raw.send('this is not json')
        const parse = await raw.next((m) => m.error && m.error.code === -32700)
        assert.equal(parse.id, null)
        raw.send({ foo: 1 })
        const invalid = await raw.next((m) => m.error && m.error.code === -32600)
        assert.equal(invalid.id, null)
        raw.send({ jsonrpc: '2.0', id: 77, method: 42 })
        const withId = await raw.next((m) => m.id === 77)
        assert.equal(withId.error.code, -32600)
        raw.send('x'.repeat(17 * 1024 * 1024))
        const huge = await raw.next((m) => m.error && /16 MiB/.test(m.error.message), 30000)
        assert.equal(huge.error.code, -32700)
        raw.send({ jsonrpc: '2.0', id: 'after', method: 'tools/list' })
        const list = await raw.next((m) => m.id === 'after')
        assert.ok(list.result.tools.length >= 11)
        for (const line of raw.lines) assert.equal(JSON.parse(line).jsonrpc, '2.0')
      } finally {
        await raw.close()
      }
    })
  })
})

describe('malformed JSON-RPC on a raw pipe', () => {
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
})
