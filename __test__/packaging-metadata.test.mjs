// Package metadata the publish job and the registries rely on: repository/homepage/bugs in all nine
// package.json files (npm publish --provenance refuses a package without `repository`), the MCP
// Registry listing (server.json + mcpName) in step with the version, and the loader's message.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const exec = promisify(execFile)
const root = new URL('..', import.meta.url).pathname
const read = (p) => JSON.parse(readFileSync(join(root, p), 'utf8'))
const pkg = read('package.json')
const server = read('server.json')

test('all nine package.json files name the repository, homepage and issue tracker', () => {
  const files = ['package.json', ...readdirSync(join(root, 'npm')).map((d) => `npm/${d}/package.json`)]
  assert.equal(files.length, 9)
  for (const f of files) {
    const p = read(f)
    assert.match(p.repository?.url ?? '', /^git\+https:\/\/github\.com\/[\w-]+\/[\w-]+\.git$/, f)
    assert.equal(p.repository.url, pkg.repository.url, f)
    assert.equal(p.homepage, pkg.homepage, f)
    assert.deepEqual(p.bugs, pkg.bugs, f)
    assert.deepEqual(p.engines, pkg.engines, f)
    if (f !== 'package.json') assert.equal(p.repository.directory, f.replace('/package.json', ''))
  }
})

test('server.json lists the npm package (key secret and required) and the hosted remote, at this version', () => {
  assert.equal(pkg.mcpName, server.name)
  assert.match(server.name, /^[a-z0-9.-]+\/[a-z0-9._-]+$/)
  assert.equal(server.version, pkg.version)
  assert.equal(server.repository.url, pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, ''))
  const npm = server.packages.find((p) => p.registryType === 'npm')
  assert.equal(npm.identifier, pkg.name)
  assert.equal(npm.version, pkg.version)
  assert.equal(npm.transport.type, 'stdio')
  const key = npm.environmentVariables.find((e) => e.name === 'JUNGLE_GRID_API_KEY')
  assert.equal(key.isSecret, true)
  assert.equal(key.isRequired, true)
  assert.ok(npm.environmentVariables.some((e) => e.name === 'JUNGLEGRID_API_BASE' && e.default === 'https://api.junglegrid.dev'))
  assert.deepEqual(server.remotes, [{ type: 'streamable-http', url: 'https://mcp.junglegrid.dev/mcp' }])
  const oauth = server._meta['io.modelcontextprotocol.registry/publisher-provided'].oauth
  assert.equal(oauth.protectedResourceMetadata, 'https://mcp.junglegrid.dev/.well-known/oauth-protected-resource')
})

test('the version script writes server.json and catches drift in it and in mcpName', async () => {
  const work = mkdtempSync(join(tmpdir(), 'jg-sync-'))
  try {
    for (const p of ['package.json', 'Cargo.toml', 'server.json', 'npm', 'scripts']) cpSync(join(root, p), join(work, p), { recursive: true })
    const script = join(work, 'scripts', 'sync-versions.mjs')
    const copy = JSON.parse(readFileSync(join(work, 'package.json'), 'utf8'))
    writeFileSync(join(work, 'package.json'), JSON.stringify({ ...copy, version: '9.9.9' }, null, 2) + '\n')
    await assert.rejects(exec(process.execPath, [script, '--check']), (e) => e.stderr.includes('server.json'))
    await exec(process.execPath, [script])
    const synced = JSON.parse(readFileSync(join(work, 'server.json'), 'utf8'))
    assert.equal(synced.version, '9.9.9')
    assert.equal(synced.packages[0].version, '9.9.9')
    await exec(process.execPath, [script, '--check'])
    writeFileSync(join(work, 'package.json'), JSON.stringify({ ...copy, version: '9.9.9', mcpName: 'dev.example/other' }, null, 2) + '\n')
    await assert.rejects(exec(process.execPath, [script, '--check']), (e) => /mcpName \(dev\.example\/other\) must equal server\.json name/.test(e.stderr))
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
})

test('a bad NAPI_RS_NATIVE_LIBRARY_PATH is named, with the file it should point at', async () => {
  const code = "try { require('./lib/platform.js').loadNative() } catch (e) { process.stdout.write(e.code + '\\n' + e.message) }"
  const { stdout } = await exec(process.execPath, ['-e', code], { cwd: root, env: { ...process.env, NAPI_RS_NATIVE_LIBRARY_PATH: '/nonexistent/x.node' } })
  const [codeLine, ...rest] = stdout.split('\n')
  assert.equal(codeLine, 'NATIVE_BINDING_NOT_FOUND')
  const message = rest.join('\n')
  assert.match(message, /NAPI_RS_NATIVE_LIBRARY_PATH \(\/nonexistent\/x\.node\) could not be loaded: Cannot find module/)
  assert.ok(message.includes(`@jungle-grid/mcp ${pkg.version}`))
})

test('the loader says which binary it loaded and from where', () => {
  const platform = createRequire(import.meta.url)(join(root, 'lib', 'platform.js'))
  platform.loadNative()
  const loaded = platform.loadedBinary()
  assert.match(loaded.path, /junglegrid-mcp\.[\w-]+\.node$/)
  assert.equal(loaded.source, process.env.NAPI_RS_NATIVE_LIBRARY_PATH ? 'env' : loaded.path.includes('node_modules') ? 'package' : 'local')
})
