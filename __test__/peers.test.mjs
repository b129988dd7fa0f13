// Other real MCP peers from the registries: the official Python SDK client and the MCP Inspector
// CLI, both spawning the bin over stdio. Installed by `npm run test:setup`.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { needsSetup } from './helpers/setup.mjs'
import { API_KEY, startFakeUpstream } from './helpers/fake-upstream.mjs'
import { BIN } from './helpers/mcp.mjs'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))
const pydeps = here('./peers/.pydeps')
const inspector = here('./conformance/node_modules/.bin/mcp-inspector')
const run = (cmd, args, env = {}) =>
  new Promise((resolve) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, timeout: 60000, maxBuffer: 8 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? error.code : 0, stdout, stderr })
    })
  })

let upstream
before(async () => {
  upstream = await startFakeUpstream()
})
after(() => upstream.stop())

test('the Python MCP SDK lists the tools and calls one', { skip: needsSetup(!existsSync(pydeps) && 'the Python MCP SDK is not installed: run `npm run test:setup`') }, async () => {
  const r = await run('python3', [here('./peers/python_client.py'), BIN, upstream.base, API_KEY], { PYTHONPATH: pydeps })
  assert.equal(r.code, 0, r.stderr.slice(-2000))
  const seen = JSON.parse(r.stdout)
  assert.equal(seen.server, 'junglegrid')
  assert.equal(seen.tools.length, 12)
  assert.equal(seen.tools[0], 'estimate_job')
  assert.equal(seen.text.split('\n')[0], 'Job job_123 is running (executing).')
  assert.equal(seen.data.data.job_id, 'job_123')
  assert.deepEqual(seen.bad, { isError: true, text: 'get_job failed: job_id is required.' })
  const [req] = upstream.apiRequests()
  assert.equal(req.url, '/v1/mcp/jobs/job_123')
})

test('the MCP Inspector CLI lists the tools and calls one', { skip: needsSetup(!existsSync(inspector) && 'the MCP Inspector CLI is not installed: run `npm run test:setup`') }, async () => {
  const base = ['--cli', '-e', `JUNGLE_GRID_API_KEY=${API_KEY}`, '-e', `JUNGLEGRID_API_BASE=${upstream.base}`, process.execPath, BIN]
  const list = await run(inspector, [...base, '--method', 'tools/list'])
  assert.equal(list.code, 0, list.stderr)
  assert.equal(JSON.parse(list.stdout).tools.length, 12)
  const call = await run(inspector, [...base, '--method', 'tools/call', '--tool-name', 'get_job', '--tool-arg', 'job_id=job_123'])
  assert.equal(call.code, 0, call.stderr)
  assert.equal(JSON.parse(call.stdout).structuredContent.data.job_id, 'job_123')
})
