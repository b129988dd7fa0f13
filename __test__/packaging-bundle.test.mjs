// The Claude Desktop bundle: `npm run bundle` (scripts/bundle.mjs, @anthropic-ai/mcpb) builds the
// .mcpb for this machine's binary; `mcpb validate` accepts it; unpacked, its entry starts the way
// Claude Desktop starts it (mcp_config with ${__dirname} and ${user_config.*} substituted) and the
// key from the user's setting reaches the API.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { API_KEY, startFakeUpstream } from './helpers/fake-upstream.mjs'
import { PACKAGE, SEED_TOOLS } from './helpers/mcp.mjs'
import { needsSetup } from './helpers/setup.mjs'

const exec = promisify(execFile)
const root = new URL('..', import.meta.url).pathname
const MCPB = join(root, 'node_modules', '@anthropic-ai', 'mcpb', 'dist', 'cli', 'cli.js')
const mcpb = existsSync(MCPB) ? MCPB : null
const skip = !(process.platform === 'linux' && process.arch === 'x64') ? 'bundles the linux-x64-gnu binary only' : needsSetup(!mcpb && '@anthropic-ai/mcpb is not installed (npm ci)')
let work, bundle, unpacked, manifest

before(async () => {
  if (skip) return
  work = mkdtempSync(join(tmpdir(), 'jg-mcpb-'))
  await exec(process.execPath, [join(root, 'scripts', 'bundle.mjs'), '--out', join(work, 'dist')], { timeout: 120000, maxBuffer: 16 << 20 })
  const files = readdirSync(join(work, 'dist'))
  assert.deepEqual(files, [`junglegrid-mcp-${PACKAGE.version}-linux-x64-gnu.mcpb`])
  bundle = join(work, 'dist', files[0])
  unpacked = join(work, 'unpacked')
  await exec(process.execPath, [mcpb, 'unpack', bundle, unpacked], { timeout: 60000 })
  manifest = JSON.parse(readFileSync(join(unpacked, 'manifest.json'), 'utf8'))
}, { timeout: 180000 })
after(() => work && rmSync(work, { recursive: true, force: true }))

test('mcpb validate accepts the bundle; the key is a sensitive, required user setting', { skip }, async () => {
  const { stdout } = await exec(process.execPath, [mcpb, 'validate', join(unpacked, 'manifest.json')])
  assert.match(stdout, /valid/i)
  assert.equal(manifest.version, PACKAGE.version)
  assert.deepEqual(manifest.user_config.api_key.sensitive, true)
  assert.deepEqual(manifest.user_config.api_key.required, true)
  assert.equal(manifest.server.mcp_config.env.JUNGLE_GRID_API_KEY, '${user_config.api_key}')
  assert.deepEqual(manifest.compatibility.platforms, ['linux'])
  assert.deepEqual(manifest.tools.map((t) => t.name).filter((n) => SEED_TOOLS.includes(n)), SEED_TOOLS)
  assert.ok(readdirSync(join(unpacked, 'server')).includes('junglegrid-mcp.linux-x64-gnu.node'))
})

test('unpacked, the entry starts as Claude Desktop starts it, with the key from the user setting', { skip, timeout: 60000 }, async () => {
  const api = await startFakeUpstream()
  const user = { api_key: API_KEY, api_base: api.base }
  const fill = (s) => s.replaceAll('${__dirname}', unpacked).replace(/\$\{user_config\.(\w+)\}/g, (_, k) => user[k])
  const { command, args, env } = manifest.server.mcp_config
  assert.equal(command, 'node')
  const transport = new StdioClientTransport({
    command: process.execPath, // the `node` Claude Desktop ships or finds
    args: args.map(fill),
    env: { PATH: process.env.PATH, ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, fill(v)])) },
    stderr: 'pipe',
  })
  const client = new Client({ name: 'claude-desktop-like', version: '1.0.0' })
  try {
    await client.connect(transport)
    assert.equal(client.getServerVersion().version, PACKAGE.version)
    const result = await client.callTool({ name: 'list_jobs', arguments: {} })
    assert.ok(!result.isError, JSON.stringify(result.content))
    const [req] = api.requestsTo('jobs')
    assert.equal(req.headers.authorization, `Bearer ${API_KEY}`)
  } finally {
    await client.close()
    await api.stop()
  }
})
