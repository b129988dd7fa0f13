// Cold and warm `npx -y` start through a local npm registry (verdaccio, see
// __test__/helpers/registry.mjs), ours beside a TypeScript server of the same shape
// (bench/ts-reference: the same tools on the official SDK + zod, compiled, its dependency tree
// published to the same registry at the root lockfile's versions). For each, spawn -> initialize
// result, first from an empty npm cache (the install included), then again with that cache; the
// bytes the cold start put in the cache (tarballs and manifests downloaded, plus npm's index); the
// packages, files and bytes it installed. Runs alternate between the two, so both see the same
// load. Also the gzipped size of the platform binary.
// Run alone with `node bench/npx.mjs` (after `npm run build` and `npm run test:setup`; BENCH_BINARY
// publishes another .node, e.g. a release build kept aside); `npm run bench` runs it too.
// Skips with a message without verdaccio; the reference is skipped (ours still measured) when the
// npm registry its dependency tarballs come from cannot be reached.
import { spawn, execFileSync } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { NPX, ROOT_PKG, publishRelease, registryAvailable, startRegistry } from '../__test__/helpers/registry.mjs'
import { REFERENCE_NAME, packDependencies, publishReference } from './ts-reference/reference.mjs'

const RUNS = Number(process.env.BENCH_NPX_RUNS || 3)
const START_TIMEOUT_MS = Number(process.env.BENCH_NPX_TIMEOUT_MS || 120_000)
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** Total size of the files under `dir` and how many there are. */
function walk(dir) {
  let bytes = 0, files = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) {
      const sub = walk(p)
      bytes += sub.bytes
      files += sub.files
    } else if (e.isFile()) {
      bytes += statSync(p).size
      files++
    }
  }
  return { bytes, files }
}

/** Packages installed under a node_modules folder (scoped and nested ones included). */
function countPackages(nodeModules) {
  let n = 0
  const pkg = (dir) => {
    n++
    if (existsSync(join(dir, 'node_modules'))) scan(join(dir, 'node_modules'))
  }
  const scan = (nm) => {
    for (const e of readdirSync(nm, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name.startsWith('.')) continue
      if (e.name.startsWith('@')) for (const s of readdirSync(join(nm, e.name))) pkg(join(nm, e.name, s))
      else pkg(join(nm, e.name))
    }
  }
  scan(nodeModules)
  return n
}

/** What the cold start left in the npm cache: downloads (_cacache) and the npx install (_npx). */
function coldStats(cache) {
  const npx = join(cache, '_npx')
  const installs = readdirSync(npx).map((h) => join(npx, h, 'node_modules')).filter(existsSync)
  const installed = installs.map(walk).reduce((a, w) => ({ bytes: a.bytes + w.bytes, files: a.files + w.files }), { bytes: 0, files: 0 })
  return {
    cache_bytes: walk(join(cache, '_cacache')).bytes,
    packages: installs.reduce((a, nm) => a + countPackages(nm), 0),
    files: installed.files,
    installed_bytes: installed.bytes,
  }
}

/** `npx -y <pkg>`: spawn -> initialize result, in ms (killed after START_TIMEOUT_MS). */
async function startOnce(registry, cwd, pkg) {
  const t0 = process.hrtime.bigint()
  const child = spawn(NPX, ['-y', pkg], { cwd, env: { ...registry.env, JUNGLE_GRID_API_KEY: 'jg_bench' }, stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)))
  const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS)
  try {
    const lines = createInterface({ input: child.stdout })
    child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } }) + '\n')
    for await (const line of lines) if (JSON.parse(line).id === 1) return Number(process.hrtime.bigint() - t0) / 1e6
    throw new Error(`npx -y ${pkg} ended without answering initialize: ${stderr.trim()}`)
  } finally {
    clearTimeout(timer)
    child.stdin.end()
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit')
  }
}

/**
 * Publishes ours (and, unless `reference: false`, the TypeScript reference with its dependency
 * tree) to a fresh local registry and measures both, RUNS times each, alternating. Returns null
 * when verdaccio is not installed. Ours keeps the flat npx_* keys; the reference is `ts_reference`
 * (or `ts_reference_skipped` with the reason).
 */
export async function benchNpx({ binary, reference = true } = {}) {
  if (!registryAvailable()) {
    console.error('npx bench skipped: verdaccio is not installed (npm run test:setup)')
    return null
  }
  const load_before = loadavg()
  const registry = await startRegistry()
  try {
    await publishRelease(registry, binary ? { binary } : {})
    const subjects = [{ key: 'ours', pkg: ROOT_PKG.name }]
    let skipped, tree
    if (reference) {
      try {
        tree = await publishReference(registry, await packDependencies(join(registry.work, 'reference-deps')))
        subjects.push({ key: 'ts', pkg: REFERENCE_NAME })
      } catch (e) {
        const why = String(e.stderr || e.message).split('\n').filter((l) => l.trim() && !/complete log/.test(l)).slice(0, 2)
        skipped = `its dependencies could not be fetched from the npm registry: ${why.map((l) => l.replace(/^npm error\s*/, '').trim()).join('; ')}`
        console.error(`npx bench: TypeScript reference skipped (${skipped})`)
      }
    }
    const runs = Object.fromEntries(subjects.map((s) => [s.key, { cold: [], warm: [], stats: [] }]))
    for (let i = 0; i < RUNS; i++) {
      for (const { key, pkg } of subjects) {
        const cache = registry.newCache()
        const cwd = join(registry.work, `bench-${key}-${i}`)
        mkdirSync(cwd)
        runs[key].cold.push(await startOnce(registry, cwd, pkg))
        runs[key].stats.push(coldStats(cache))
        runs[key].warm.push(await startOnce(registry, cwd, pkg))
      }
    }
    const summary = ({ cold, warm, stats }) => ({
      cold_ms: median(cold),
      warm_ms: median(warm),
      cache_bytes: median(stats.map((s) => s.cache_bytes)),
      packages: median(stats.map((s) => s.packages)),
      files: median(stats.map((s) => s.files)),
      installed_bytes: median(stats.map((s) => s.installed_bytes)),
    })
    const ours = summary(runs.ours)
    return {
      npx_runs: RUNS,
      npx_cold_ms: ours.cold_ms,
      npx_warm_ms: ours.warm_ms,
      npx_cold_cache_bytes: ours.cache_bytes,
      npx_packages: ours.packages,
      npx_files: ours.files,
      npx_installed_bytes: ours.installed_bytes,
      ...(runs.ts ? { ts_reference: { ...summary(runs.ts), published_packages: tree.packages, tarball_bytes: tree.tarball_bytes } } : {}),
      ...(skipped ? { ts_reference_skipped: skipped } : {}),
      npx_load: { before: load_before.map((x) => +x.toFixed(2)), after: loadavg().map((x) => +x.toFixed(2)) },
    }
  } finally {
    await registry.stop()
  }
}

/** The side-by-side table (markdown) of a benchNpx() result. */
export function npxTable(r) {
  const mb = (b) => `${(b / 1e6).toFixed(2)} MB`
  const s = (ms) => `${(ms / 1000).toFixed(1)} s`
  const row = (label, x) => `| ${label} | ${s(x.cold_ms)} | ${s(x.warm_ms)} | ${mb(x.cache_bytes)} | ${x.packages} | ${x.files} | ${mb(x.installed_bytes)} |`
  const lines = [
    `npx -y through a local registry (verdaccio on loopback), spawn -> initialize result, medians of ${r.npx_runs} runs each; load average ${r.npx_load.before.join(' ')} before, ${r.npx_load.after.join(' ')} after:`,
    '',
    '| Server | cold (empty npm cache) | warm | downloaded (npm cache) | packages installed | files | installed size |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    row(`${ROOT_PKG.name} (Rust addon)`, { cold_ms: r.npx_cold_ms, warm_ms: r.npx_warm_ms, cache_bytes: r.npx_cold_cache_bytes, packages: r.npx_packages, files: r.npx_files, installed_bytes: r.npx_installed_bytes }),
  ]
  if (r.ts_reference) lines.push(row(`TypeScript SDK server of the same shape (${REFERENCE_NAME})`, r.ts_reference))
  else lines.push(`| TypeScript reference | skipped: ${r.ts_reference_skipped} | | | | | |`)
  return lines.join('\n')
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
  if (r) {
    console.log(npxTable(r) + '\n')
    console.log(JSON.stringify({ ...r, node_file: node, node_bytes: statSync(node).size, node_gz_bytes: gzippedBinaryBytes(node) }))
  }
}
