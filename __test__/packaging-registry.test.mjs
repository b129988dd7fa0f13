// The users' install paths, through a real npm registry (verdaccio on 127.0.0.1, see
// helpers/registry.mjs): one release is published the way the release job does (the linux-x64-gnu
// package, then the root with optionalDependencies written at publish) and shared by every case;
// every install starts from an empty npm cache. Plus a root published without its platform package.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { NPX, ROOT, ROOT_PKG, publishRelease, registryAvailable, startRegistry } from './helpers/registry.mjs'
import { SEED_TOOLS } from './helpers/mcp.mjs'
import { needsSetup } from './helpers/setup.mjs'

const exec = promisify(execFile)
const supported = process.platform === 'linux' && process.arch === 'x64'
const skip = !supported ? 'publishes the linux-x64-gnu binary only' : needsSetup(!registryAvailable() && 'verdaccio is not installed: run `npm run test:setup`')
const VERSION = ROOT_PKG.version
const ROOT_ONLY = `${VERSION}-rootonly.0`
const BINARY = join(ROOT, 'junglegrid-mcp.linux-x64-gnu.node')
const LIMIT = { timeout: 180000 }
// npm's own CLI, run by this Node; the server it starts runs on the first `node` in PATH.
const NPX_CLI = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npx-cli.js')
const NODES = { 18: 'node18', 22: 'node22' }
const nodeDir = (major) => join(ROOT, '__test__', 'registry', 'node_modules', NODES[major], 'bin')

/** Runs a command that is expected to fail; resolves to { code, stdout, stderr }. */
async function runFailing(file, args, opts) {
  try {
    const r = await exec(file, args, opts)
    return { code: 0, ...r }
  } catch (error) {
    return { code: error.code, stdout: error.stdout, stderr: error.stderr }
  }
}

/** The new loader message, for the package at `version`, when the binary package is absent. */
function assertLoaderMessage(text, version, { bin = true } = {}) {
  assert.match(text, /native binary for this machine could not be loaded/)
  assert.match(text, /x86_64-unknown-linux-gnu/)
  assert.ok(text.includes(`@jungle-grid/mcp-linux-x64-gnu@${version}: it is not installed`), text)
  assert.match(text, /npm skipped optional dependencies/)
  assert.ok(text.includes(`@jungle-grid/mcp-linux-x64-gnu@${version} is not published for this platform`), text)
  assert.match(text, /npm install --include=optional @jungle-grid\/mcp/)
  assert.match(text, /NAPI_RS_NATIVE_LIBRARY_PATH/)
  // The bin prints our message alone; a library user's uncaught error also shows the napi cause chain.
  if (bin) assert.doesNotMatch(text, /Cannot find native binding/)
}

describe('installed from a registry', { skip }, () => {
  let registry, dir
  before(async () => {
    registry = await startRegistry()
    dir = mkdtempSync(join(registry.work, 'cases-'))
    await publishRelease(registry)
    await publishRelease(registry, { version: ROOT_ONLY, platform: false, tag: 'rootonly' })
  }, LIMIT)
  after(async () => {
    if (registry) await registry.stop()
  })

  /** `npx -y @jungle-grid/mcp` from an empty cache, as a host starts it, answering tools/list. */
  async function npxServes(name, { command = NPX, args = [], path = registry.env.PATH } = {}) {
    registry.newCache()
    const cwd = join(dir, name)
    mkdirSync(cwd)
    const transport = new StdioClientTransport({
      command,
      args: [...args, '-y', '@jungle-grid/mcp'],
      cwd,
      env: { ...registry.env, PATH: path, JUNGLE_GRID_API_KEY: 'jg_placeholder', JUNGLE_GRID_LOG: 'warn' },
      stderr: 'pipe',
    })
    const client = new Client({ name: 'registry-test', version: '1.0.0' })
    await client.connect(transport)
    try {
      assert.equal(client.getServerVersion().version, VERSION)
      const { tools } = await client.listTools()
      assert.deepEqual(tools.map((t) => t.name).filter((n) => SEED_TOOLS.includes(n)), SEED_TOOLS)
    } finally {
      await client.close()
    }
  }

  test('`npx -y @jungle-grid/mcp` from an empty cache serves tools/list to the official client', LIMIT, () => npxServes('npx'))

  for (const major of Object.keys(NODES)) {
    const missing = supported && needsSetup(!existsSync(join(nodeDir(major), 'node')) ? `Node ${major} is not installed: run \`npm run test:setup\`` : !existsSync(NPX_CLI) && 'npx-cli.js not found beside this node')
    test(`under Node ${major}, \`npx -y @jungle-grid/mcp\` serves tools/list`, { ...LIMIT, skip: missing }, async () => {
      const path = `${nodeDir(major)}:${registry.env.PATH}`
      const { stdout } = await exec('node', ['--version'], { env: { PATH: path } })
      assert.match(stdout, new RegExp(`^v${major}\\.`)) // the bin's `#!/usr/bin/env node` finds this one
      await npxServes(`npx-node${major}`, { command: process.execPath, args: [NPX_CLI], path })
    })
  }

  test('`npm install -g` gives the junglegrid-mcp command', LIMIT, async () => {
    registry.newCache()
    await registry.npm(['install', '-g', '@jungle-grid/mcp'])
    const bin = join(registry.env.npm_config_prefix, 'bin', 'junglegrid-mcp')
    const { stdout } = await exec(bin, ['--version'], { env: registry.env })
    assert.equal(stdout.trim(), VERSION)
  })

  test('require() and import work from a fresh project; `npm ci --omit=optional` gives the loader message', LIMIT, async () => {
    registry.newCache()
    const app = join(dir, 'app')
    mkdirSync(app)
    await registry.npm(['init', '-y'], { cwd: app })
    await registry.npm(['install', '@jungle-grid/mcp'], { cwd: app })
    const cjs = await exec(process.execPath, ['-e', "const m = require('@jungle-grid/mcp'); console.log(typeof m.JungleGridClient, m.version)"], { cwd: app })
    assert.equal(cjs.stdout.trim(), `function ${VERSION}`)
    const esm = await exec(process.execPath, ['--input-type=module', '-e', "import { JungleGridClient, version } from '@jungle-grid/mcp'; console.log(typeof JungleGridClient, version)"], { cwd: app })
    assert.equal(esm.stdout.trim(), `function ${VERSION}`)

    // The Docker pattern: the lockfile installed without optional dependencies.
    registry.newCache()
    rmSync(join(app, 'node_modules'), { recursive: true, force: true })
    await registry.npm(['ci', '--omit=optional'], { cwd: app })
    const lib = await runFailing(process.execPath, ['-e', "require('@jungle-grid/mcp')"], { cwd: app })
    assert.notEqual(lib.code, 0)
    assertLoaderMessage(lib.stderr, VERSION, { bin: false })
    const bin = await runFailing(join(app, 'node_modules', '.bin', 'junglegrid-mcp'), ['--version'], { cwd: app })
    assert.equal(bin.code, 1)
    assert.match(bin.stderr, /^junglegrid-mcp: The native binary/)
    assertLoaderMessage(bin.stderr, VERSION)
    assert.equal(bin.stdout, '')

    // The escape hatch the message offers.
    const hatch = await exec(join(app, 'node_modules', '.bin', 'junglegrid-mcp'), ['--version'], { cwd: app, env: { ...process.env, NAPI_RS_NATIVE_LIBRARY_PATH: BINARY } })
    assert.equal(hatch.stdout.trim(), VERSION)
    const wrong = await runFailing(join(app, 'node_modules', '.bin', 'junglegrid-mcp'), ['--version'], { cwd: app, env: { ...process.env, NAPI_RS_NATIVE_LIBRARY_PATH: join(app, 'missing.node') } })
    assert.equal(wrong.code, 1)
    assert.ok(wrong.stderr.includes(`NAPI_RS_NATIVE_LIBRARY_PATH (${join(app, 'missing.node')}) could not be loaded`), wrong.stderr)
  })

  test('a root published without its platform package gives the loader message under npx', LIMIT, async () => {
    registry.newCache()
    const cwd = join(dir, 'rootonly')
    mkdirSync(cwd)
    const r = await runFailing(NPX, ['-y', `@jungle-grid/mcp@${ROOT_ONLY}`, '--version'], { cwd, env: registry.env, timeout: 120000 })
    assert.equal(r.code, 1, r.stderr)
    assertLoaderMessage(r.stderr, ROOT_ONLY)
    assert.equal(r.stdout, '')
  })
})
