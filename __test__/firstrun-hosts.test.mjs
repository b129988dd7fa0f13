// The first minute and the host recipes: what `config <host>` prints (and that the README shows
// exactly that), doctor without a key in the sandbox and the binary it reports, the missing-key
// message, the one line a person sees in a terminal, and the README's own commands and example.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { BIN, PACKAGE, runBin, spawnRaw } from './helpers/mcp.mjs'

const root = new URL('..', import.meta.url).pathname
const README = readFileSync(join(root, 'README.md'), 'utf8')
const base = { PATH: process.env.PATH }

describe('config <host>', () => {
  test('vscode: "servers" with a password input for the key, exactly as the README shows', async () => {
    const r = await runBin(['config', 'vscode'], base)
    assert.equal(r.code, 0)
    const config = JSON.parse(r.stdout)
    assert.equal(config.mcpServers, undefined)
    assert.deepEqual(config.inputs, [{ type: 'promptString', id: 'jungle-grid-api-key', description: 'Jungle Grid API key', password: true }])
    assert.deepEqual(config.servers.junglegrid, {
      type: 'stdio', command: 'npx', args: ['-y', '@jungle-grid/mcp'], env: { JUNGLE_GRID_API_KEY: '${input:jungle-grid-api-key}' },
    })
    assert.match(r.stderr, /\.vscode\/mcp\.json/)
    assert.ok(README.includes('```json\n' + r.stdout.trimEnd() + '\n```'), 'the README shows the printed VS Code config')
  })

  test('claude-code: the `claude mcp add` line, exactly as the README shows', async () => {
    const r = await runBin(['config', 'claude-code'], base)
    assert.equal(r.code, 0)
    const line = r.stdout.trim()
    assert.equal(line, 'claude mcp add --transport stdio junglegrid --env JUNGLE_GRID_API_KEY=jg_placeholder -- npx -y @jungle-grid/mcp')
    assert.ok(README.includes(line))
  })

  test('--sandbox and --read-only pass into the printed config; a sandbox needs no key', async () => {
    const cursor = await runBin(['config', 'cursor', '--sandbox', '--read-only'], base)
    assert.equal(cursor.code, 0)
    assert.deepEqual(JSON.parse(cursor.stdout).mcpServers.junglegrid, { command: 'npx', args: ['-y', '@jungle-grid/mcp', '--sandbox', '--read-only'] })
    assert.doesNotMatch(cursor.stderr, /jg_placeholder/)
    const code = await runBin(['config', 'claude-code', '--read-only'], base)
    assert.equal(code.stdout.trim(), 'claude mcp add --transport stdio junglegrid --env JUNGLE_GRID_API_KEY=jg_placeholder -- npx -y @jungle-grid/mcp --read-only')
    const vscode = JSON.parse((await runBin(['config', 'vscode', '--sandbox'], base)).stdout)
    assert.equal(vscode.inputs, undefined)
    assert.deepEqual(vscode.servers.junglegrid.args, ['-y', '@jungle-grid/mcp', '--sandbox'])
    const bad = await runBin(['config', 'emacs'], base)
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /claude, claude-code, cursor, vscode, windsurf/)
  })
})

describe('the first minute', () => {
  test('doctor --sandbox passes without a key and names the binary it loaded', async () => {
    const r = await runBin(['doctor', '--sandbox'], base, { timeoutMs: 30_000 })
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const platform = createRequire(import.meta.url)(join(root, 'lib', 'platform.js'))
    platform.loadNative()
    const loaded = platform.loadedBinary()
    assert.ok(r.stdout.includes(`[ok  ] binary: ${loaded.path} (`), r.stdout)
    assert.match(r.stdout, /\[ok {2}\] api key: not needed/)
    assert.match(r.stdout, /jobs are simulated/)
    assert.match(r.stdout, /\[ok {2}\] api: reachable/)
    assert.match(r.stdout, /All checks passed/)
  })

  test('the missing-key exit offers --sandbox', async () => {
    const r = await runBin([], base)
    assert.equal(r.code, 1)
    assert.equal(r.stdout, '')
    assert.match(r.stderr, /JUNGLE_GRID_API_KEY is required/)
    assert.match(r.stderr, /npx -y @jungle-grid\/mcp --sandbox/)
  })

  test('started in a terminal, one line on stderr says what it is and how to stop; hosts (pipes) see none', async () => {
    // Python's pty gives the server a terminal on stdin; stdout and stderr stay pipes.
    const script = [
      'import os, pty, subprocess, sys',
      'master, slave = pty.openpty()',
      'p = subprocess.Popen(sys.argv[1:], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE)',
      'os.close(slave)',
      'line = p.stderr.readline().decode()',
      'os.write(master, b"\\x04")',  // Ctrl-D: end of input, the server stops
      'out, err = p.communicate(timeout=20)',
      'sys.stdout.write(line + "\\x1e" + str(p.returncode) + "\\x1e" + out.decode())',
    ].join('\n')
    const r = spawnSync('python3', ['-c', script, process.execPath, BIN, '--sandbox'], { encoding: 'utf8', env: base, timeout: 30_000 })
    assert.equal(r.status, 0, r.stderr)
    const [line, code, stdout] = r.stdout.split('\x1e')
    assert.match(line, new RegExp(`^junglegrid-mcp ${PACKAGE.version.replace(/\./g, '\\.')} serving MCP on stdio against the embedded simulator`))
    assert.match(line, /config <claude\|claude-code\|cursor\|vscode\|windsurf>/)
    assert.match(line, /Ctrl\+C/)
    assert.equal(code, '0')
    assert.equal(stdout, '')

    const raw = spawnRaw(null, { args: ['--sandbox'], env: { JUNGLE_GRID_LOG: 'info' } })
    await raw.initialize()
    await raw.request('ping', {})
    await raw.end()
    assert.doesNotMatch(raw.stderr(), /serving MCP on stdio/)
  })

  test('submit in the sandbox says simulated, never "real compute may start"', async () => {
    const raw = spawnRaw(null, { args: ['--sandbox'] })
    await raw.initialize()
    const reply = await raw.request('tools/call', { name: 'submit_job', arguments: { name: 'first', workload_type: 'batch', image: 'python:3.11-slim', command: ['echo', 'hi'] } })
    await raw.end()
    const summary = reply.result.content.map((c) => c.text).join('\n')
    assert.doesNotMatch(summary, /real compute may start/)
    assert.match(summary, /Job submitted \(simulated: no real compute, no cost\)/)
  })
})

describe('README', () => {
  test('the library example type-checks with tsc --strict (as ESM)', () => {
    const block = README.slice(README.indexOf('## Library')).split('```js\n')[1].split('```')[0]
    assert.match(block, /require\('@jungle-grid\/mcp'\)/)
    const esm = block.replace("const { JungleGridClient, JungleGridError } = require('@jungle-grid/mcp')", "import { JungleGridClient, JungleGridError } from '@jungle-grid/mcp'")
    assert.notEqual(esm, block)
    const dir = join(root, '__test__', '.tmp', 'readme-example')
    mkdirSync(dir, { recursive: true })
    const file = join(dir, 'example.mts') // inside the package, so the import resolves to this package by name
    writeFileSync(file, esm)
    try {
      const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
      execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--types', 'node', file], { stdio: 'pipe' })
    } catch (error) {
      assert.fail(String(error.stdout))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('npx lines that install without a terminal carry -y, inner ones included', () => {
    assert.ok(README.includes('npx -y @modelcontextprotocol/inspector npx -y @jungle-grid/mcp'))
    assert.doesNotMatch(README, /inspector npx @jungle-grid/)
  })

  test('the protocol revisions it states are the ones the server answers', async () => {
    const stated = README.match(/MCP protocol revisions ([^.]*)\./)[1].match(/\d{4}-\d{2}-\d{2}/g)
    assert.deepEqual(stated, ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28'])
    for (const revision of stated.filter((r) => r !== '2026-07-28')) {
      const raw = spawnRaw(null, { args: ['--sandbox'] })
      const reply = await raw.initialize(revision)
      await raw.end()
      assert.equal(reply.result.protocolVersion, revision)
    }
  })

  test('a CHANGELOG starts with the unreleased changes and the rewrite', () => {
    const log = readFileSync(join(root, 'CHANGELOG.md'), 'utf8')
    const headings = log.match(/^## .*/gm)
    assert.equal(headings[0], '## Unreleased')
    assert.ok(headings.includes(`## ${PACKAGE.version}`))
    assert.match(log, /rewritten: a Rust core/)
    assert.match(README, /\[CHANGELOG\.md\]\(CHANGELOG\.md\)/)
  })
})
