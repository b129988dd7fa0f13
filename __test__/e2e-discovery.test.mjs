// Discovery through the official v1 SDK client (2025 revisions): initialize, the tool registry in
// the seed's order, annotations (contract Part B 3.3), output schemas, input schemas that advertise
// the seed's argument names, and a checked-in snapshot of the full raw tools/list result.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { startFakeUpstream } from './helpers/fake-upstream.mjs'
import { PACKAGE, SEED_TOOLS, connectV1, spawnRaw } from './helpers/mcp.mjs'

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
    // An enum, or the equivalent oneOf of consts.
    const kind = byName.upload_job_input.inputSchema.properties.kind
    const kinds = kind.enum ?? kind.oneOf?.map((v) => v.const)
    assert.deepEqual(kinds, ['input', 'script'])
    const status = byName.list_jobs.inputSchema.properties.status
    assert.equal(status.type, 'string')
    assert.equal(status.enum, undefined, 'status is not a fixed MCP enum (seed)')
  })

  test('submit_job input_files / script_files are arrays of {input_id} objects', () => {
    for (const key of ['input_files', 'script_files']) {
      const s = byName.submit_job.inputSchema.properties[key]
      assert.equal(s.type, 'array', key)
      assert.equal(s.items.type, 'object', `${key} items`)
      assert.equal(s.items.properties.input_id.type, 'string', `${key} items.input_id`)
      assert.deepEqual(s.items.required, ['input_id'], `${key} items.required`)
    }
    const env = byName.submit_job.inputSchema.properties.env
    assert.equal(env.type, 'object')
    assert.deepEqual(env.additionalProperties, { type: 'string' })
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
