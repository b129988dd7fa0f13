// Cold and warm `npx -y @jungle-grid/mcp` start through a local npm registry (verdaccio, see
// __test__/helpers/registry.mjs): spawn -> initialize result, first from an empty npm cache (the
// install included), then again with that cache; and the bytes the cold start put in the cache
// (the tarballs and manifests it downloaded, plus npm's index). Also the gzipped size of the platform tarball.
// Run alone with `node bench/npx.mjs` (after `npm run build` and `npm run test:setup`); `npm run
// bench` runs it too.
import { spawn, execFileSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { NPX, publishRelease, registryAvailable, startRegistry } from '../__test__/helpers/registry.mjs'

const RUNS = Number(process.env.BENCH_NPX_RUNS || 3)
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

function dirBytes(dir) {
  let total = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size
  }
  return total
}

async function startOnce(registry, cwd) {
  const t0 = process.hrtime.bigint()
  const child = spawn(NPX, ['-y', '@jungle-grid/mcp'], { cwd, env: { ...registry.env, JUNGLE_GRID_API_KEY: 'jg_bench' }, stdio: ['pipe', 'pipe', 'ignore'] })
  const lines = createInterface({ input: child.stdout })
  child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } }) + '\n')
  for await (const line of lines) if (JSON.parse(line).id === 1) break
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  child.stdin.end()
  await once(child, 'exit')
  return ms
}

export async function benchNpx({ binary } = {}) {
  if (!registryAvailable()) return null
  const registry = await startRegistry()
  try {
    await publishRelease(registry, binary ? { binary } : {})
    const cold = [], warm = [], bytes = []
    for (let i = 0; i < RUNS; i++) {
      const cache = registry.newCache()
      const cwd = join(registry.work, `bench-${i}`)
      mkdirSync(cwd)
      cold.push(await startOnce(registry, cwd))
      bytes.push(dirBytes(join(cache, '_cacache'))) // what was downloaded; _npx holds the install
      warm.push(await startOnce(registry, cwd))
    }
    return { npx_cold_ms: median(cold), npx_warm_ms: median(warm), npx_cold_cache_bytes: median(bytes) }
  } finally {
    await registry.stop()
  }
}

/** gzip -9 size of the platform binary (what dominates the platform tarball). */
export function gzippedBinaryBytes(file) {
  return Number(execFileSync('sh', ['-c', `gzip -9 -c '${file}' | wc -c`]).toString().trim())
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // BENCH_BINARY: publish this .node instead of the checkout's (e.g. a release build kept aside).
  const root = new URL('..', import.meta.url).pathname
  const node = process.env.BENCH_BINARY || join(root, readdirSync(root).find((f) => f.endsWith('.node')))
  const r = await benchNpx({ binary: node })
  console.log(JSON.stringify({ ...r, node_file: node, node_bytes: statSync(node).size, node_gz_bytes: gzippedBinaryBytes(node) }))
}
