// The TypeScript reference the npx bench measures ours against (bench/ts-reference): it must stay
// of the same shape, so the comparison cannot silently drift. Runs from the source (compiled into
// bench/ts-reference/dist, resolving the SDK and zod from the root node_modules), no registry.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { startFakeUpstream } from './helpers/fake-upstream.mjs'
import { connectV1, text } from './helpers/mcp.mjs'
import { REFERENCE_PKG, buildReference, dependencyTree } from '../bench/ts-reference/reference.mjs'

const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8')).packages

describe('bench TypeScript reference', () => {
  let api, ours, reference
  before(async () => {
    api = await startFakeUpstream()
    ours = await connectV1(api)
    reference = await connectV1(api, { bin: buildReference() })
  })
  after(async () => {
    await ours?.close()
    await reference?.close()
    await api?.stop()
  })

  test('lists the same tools as ours, in the same order (else: node bench/ts-reference/generate-tools.mjs)', async () => {
    const names = async (c) => (await c.client.listTools()).tools.map((t) => t.name)
    const expected = await names(ours)
    assert.ok(expected.length >= 11)
    assert.deepEqual(await names(reference), expected)
  })

  test('calls the same API route as ours for a tool, with the key', async () => {
    api.fixtures.job = { job_id: 'job_1', status: 'running' }
    const result = await reference.call('get_job', { job_id: 'job_1' })
    assert.ok(!result.isError, text(result))
    assert.equal(result.structuredContent.data.job_id, 'job_1')
    const [req] = api.requestsTo('job')
    assert.equal(req.url, '/v1/mcp/jobs/job_1')
    assert.match(req.headers.authorization, /^Bearer /)
  })
})

test('the reference depends on the SDK and zod at the root lockfile versions, with their whole tree', () => {
  const tree = dependencyTree()
  for (const name of Object.keys(REFERENCE_PKG.dependencies)) {
    assert.ok(tree.includes(`${name}@${lock[`node_modules/${name}`].version}`), name)
  }
  assert.ok(tree.every((spec) => /^(@[\w.-]+\/)?[\w.-]+@\d+\.\d+\.\d+/.test(spec)), tree.join(' '))
  assert.ok(tree.length > 20, `${tree.length} packages`) // express, ajv, hono... come with the SDK
})
