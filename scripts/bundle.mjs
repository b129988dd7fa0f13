#!/usr/bin/env node
// `npm run bundle`: one Claude Desktop bundle (.mcpb, built with @anthropic-ai/mcpb) per platform
// binary present, in dist/. A binary is taken from npm/<platform>/ (where the release job puts the
// cross-built ones) or from the checkout root (`npm run build`). The manifest asks for the API key
// as a sensitive user setting (kept in the OS keychain) and maps it, and the optional API base,
// into the server's environment; its tools list comes from the server itself (tools/list).
// Usage: node scripts/bundle.mjs [--out dir]
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const outArg = process.argv.indexOf('--out')
const out = resolve(outArg > 0 ? process.argv[outArg + 1] : join(root, 'dist'))
// The mcpb CLI (its package exports no subpaths, so by path).
const mcpb = join(root, 'node_modules', '@anthropic-ai', 'mcpb', 'dist', 'cli', 'cli.js')
const OS = { linux: 'linux', darwin: 'darwin', win32: 'win32' }

/** The tools the server offers (name and description), asked over stdio in sandbox mode. */
function serverTools() {
  const input = [
    { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bundle', version: '1' } } },
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 2, method: 'tools/list' },
  ].map((m) => JSON.stringify(m)).join('\n') + '\n'
  const r = spawnSync(process.execPath, [join(root, 'bin', 'junglegrid-mcp.js'), '--sandbox'], { input, encoding: 'utf8', timeout: 30000 })
  const list = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((m) => m.id === 2)
  if (!list) throw new Error(`the server did not list its tools: ${r.stderr}`)
  return list.result.tools.map((t) => ({ name: t.name, description: t.description.split(/(?<=\.)\s/)[0] }))
}

function manifest(platformKey, tools) {
  return {
    manifest_version: '0.3',
    name: 'junglegrid',
    display_name: 'Jungle Grid',
    version: pkg.version,
    description: 'Run AI workloads (inference, training, fine-tuning, batch) on Jungle Grid GPUs.',
    long_description: `${pkg.description} This bundle holds the ${platformKey} binary.`,
    author: { name: 'Jungle Grid', url: 'https://junglegrid.dev' },
    homepage: pkg.homepage,
    repository: { type: 'git', url: pkg.repository.url.replace(/^git\+/, '') },
    support: pkg.bugs.url,
    license: pkg.license,
    keywords: pkg.keywords,
    server: {
      type: 'node',
      entry_point: 'server/bin/junglegrid-mcp.js',
      mcp_config: {
        command: 'node',
        args: ['${__dirname}/server/bin/junglegrid-mcp.js'],
        env: {
          JUNGLE_GRID_API_KEY: '${user_config.api_key}',
          JUNGLEGRID_API_BASE: '${user_config.api_base}',
        },
      },
    },
    tools,
    tools_generated: false,
    user_config: {
      api_key: {
        type: 'string',
        title: 'API key',
        description: 'Your Jungle Grid API key (starts with jg_). Kept in the OS keychain.',
        sensitive: true,
        required: true,
      },
      api_base: {
        type: 'string',
        title: 'API base URL',
        description: 'Only for a self-hosted orchestrator.',
        default: 'https://api.junglegrid.dev',
        required: false,
      },
    },
    compatibility: {
      platforms: [OS[platformKey.split('-')[0]]],
      runtimes: { node: pkg.engines.node.replace(/\s+/g, '') },
    },
  }
}

function binaryFor(key) {
  const file = `junglegrid-mcp.${key}.node`
  for (const p of [join(root, 'npm', key, file), join(root, file)]) if (existsSync(p)) return p
  return null
}

const keys = readdirSync(join(root, 'npm')).sort().filter(binaryFor)
if (keys.length === 0) {
  console.error('No platform binary found: run `npm run build` first.')
  process.exit(1)
}
const tools = serverTools()
mkdirSync(out, { recursive: true })
for (const key of keys) {
  const stage = join(out, `stage-${key}`)
  rmSync(stage, { recursive: true, force: true })
  const server = join(stage, 'server')
  mkdirSync(server, { recursive: true })
  for (const f of ['index.js', 'index.d.ts', 'LICENSE']) copyFileSync(join(root, f), join(server, f))
  for (const d of ['lib', 'bin']) cpSync(join(root, d), join(server, d), { recursive: true })
  copyFileSync(binaryFor(key), join(server, `junglegrid-mcp.${key}.node`))
  const { devDependencies, scripts, optionalDependencies, ...published } = pkg
  writeFileSync(join(server, 'package.json'), JSON.stringify(published, null, 2) + '\n')
  writeFileSync(join(stage, 'manifest.json'), JSON.stringify(manifest(key, tools), null, 2) + '\n')
  const file = join(out, `junglegrid-mcp-${pkg.version}-${key}.mcpb`)
  execFileSync(process.execPath, [mcpb, 'validate', join(stage, 'manifest.json')], { stdio: 'inherit' })
  execFileSync(process.execPath, [mcpb, 'pack', stage, file], { stdio: 'inherit' })
  rmSync(stage, { recursive: true, force: true })
  console.log(`bundle: ${file}`)
}
