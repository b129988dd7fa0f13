// The published shape: pack the root package and the locally built linux-x64-gnu package with
// `npm pack`, install both tarballs into an empty folder, and run the installed bin from there.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { waitFor } from './helpers/mcp.mjs'

const run = promisify(execFile)
const root = new URL('..', import.meta.url).pathname
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const supported = process.platform === 'linux' && process.arch === 'x64'
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
let work

before(() => {
  work = mkdtempSync(join(tmpdir(), 'jg-pack-'))
})
after(() => rmSync(work, { recursive: true, force: true }))

test('the root tarball holds only what users need', async () => {
  const { stdout } = await run(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root })
  const files = JSON.parse(stdout)[0].files.map((f) => f.path).sort()
  const allowed = /^(package\.json|README\.md|LICENSE|index\.js|index\.d\.ts|lib\/[\w.-]+\.(js|mjs|d\.ts)|bin\/junglegrid-mcp\.js)$/
  for (const f of files) assert.match(f, allowed, `unexpected file in the package: ${f}`)
  for (const needed of ['package.json', 'index.js', 'index.d.ts', 'lib/index.js', 'lib/index.mjs', 'lib/index.d.ts', 'lib/platform.js', 'bin/junglegrid-mcp.js']) {
    assert.ok(files.includes(needed), `missing ${needed}`)
  }
})

test('every platform package names its os, cpu, libc and binary, at the root version', async () => {
  const { stdout } = await run(process.execPath, [join(root, 'scripts', 'sync-versions.mjs'), '--print-optional'])
  const optional = JSON.parse(stdout) // what the publish job writes into optionalDependencies
  const dirs = readdirSync(join(root, 'npm'))
  assert.equal(dirs.length, 8)
  assert.equal(Object.keys(optional).length, 8)
  for (const dir of dirs) {
    const p = JSON.parse(readFileSync(join(root, 'npm', dir, 'package.json'), 'utf8'))
    assert.equal(p.name, `@jungle-grid/mcp-${dir}`)
    assert.equal(p.version, pkg.version)
    assert.equal(p.main, `junglegrid-mcp.${dir}.node`)
    assert.deepEqual(p.files, [p.main])
    assert.equal(p.os.length, 1)
    assert.equal(p.cpu.length, 1)
    if (dir.startsWith('linux')) assert.deepEqual(p.libc, [dir.endsWith('musl') ? 'musl' : 'glibc'])
    assert.equal(optional[p.name], pkg.version)
  }
})

test('installed from the tarballs, the bin runs and serves tools/list', { skip: !supported && 'packs the linux-x64-gnu binary only' }, async () => {
  // The platform package with the binary built in this checkout.
  const platformDir = join(work, 'linux-x64-gnu')
  cpSync(join(root, 'npm', 'linux-x64-gnu'), platformDir, { recursive: true })
  copyFileSync(join(root, 'junglegrid-mcp.linux-x64-gnu.node'), join(platformDir, 'junglegrid-mcp.linux-x64-gnu.node'))
  const packs = join(work, 'packs')
  mkdirSync(packs)
  await run(npm, ['pack', '--ignore-scripts', '--pack-destination', packs], { cwd: root })
  await run(npm, ['pack', '--ignore-scripts', '--pack-destination', packs], { cwd: platformDir })
  const tarballs = readdirSync(packs).map((f) => join(packs, f))
  assert.equal(tarballs.length, 2)

  const app = join(work, 'app')
  mkdirSync(app)
  await run(npm, ['init', '-y'], { cwd: app })
  await run(npm, ['install', '--no-audit', '--no-fund', ...tarballs], { cwd: app })

  const bin = join(app, 'node_modules', '.bin', 'junglegrid-mcp')
  const { stdout: version } = await run(bin, ['--version'], { cwd: app })
  assert.equal(version.trim(), pkg.version)

  const child = (await import('node:child_process')).spawn(bin, [], { cwd: app, env: { PATH: process.env.PATH, JUNGLE_GRID_API_KEY: 'jg_placeholder' } })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'pack', version: '1' } } }) + '\n')
  child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n')
  child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) + '\n')
  await waitFor(() => out.includes('"id":2'), { timeoutMs: 20_000 }).catch(() => {}) // asserted below, with the output
  child.stdin.end()
  const list = out.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((m) => m.id === 2)
  assert.ok(list, `no tools/list answer: ${out}`)
  assert.equal(list.result.tools[0].name, 'estimate_job')
  assert.ok(list.result.tools.length >= 11)

  // The library works from the installed package too.
  const { stdout: lib } = await run(process.execPath, ['-e', "const m=require('@jungle-grid/mcp'); console.log(typeof m.JungleGridClient, m.version)"], { cwd: app })
  assert.equal(lib.trim(), `function ${pkg.version}`)
})

test('a missing binary names the package it looked for and how to fix it', async () => {
  const { createRequire } = await import('node:module')
  const platform = createRequire(import.meta.url)(join(root, 'lib', 'platform.js'))
  const key = platform.platformKey()
  assert.ok(Object.keys(platform.SUPPORTED).includes(key) || !supported, key)
  if (supported) assert.equal(key, platform.libcFamily() === 'musl' ? 'linux-x64-musl' : 'linux-x64-gnu')
  const error = platform.explainLoadError(new Error('cannot open shared object'))
  assert.equal(error.code, 'NATIVE_BINDING_NOT_FOUND')
  assert.match(error.message, new RegExp(`@jungle-grid/mcp-${key}`))
  assert.match(error.message, /npm install --include=optional @jungle-grid\/mcp/)
  assert.equal(error.cause.message, 'cannot open shared object')
})
