// The TypeScript reference server for the npx bench (see src/index.ts): built here, and published
// into the bench's local registry together with every package of its production dependency tree,
// so `npx -y @jungle-grid/mcp-ts-reference` resolves everything there, like ours.
//
// The dependency tree is the one the root package-lock.json already resolved for the same
// @modelcontextprotocol/sdk and zod (devDependencies there); each package is fetched once with
// `npm pack name@version` from the npm registry this machine is configured for (a throw-away
// cache in the bench's temp folder) and published as is: users download those same tarballs.
import { execFile } from 'node:child_process'
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { basename, join } from 'node:path'
import { promisify } from 'node:util'
import { gunzipSync } from 'node:zlib'

const exec = promisify(execFile)
const HERE = new URL('.', import.meta.url).pathname
const ROOT = join(HERE, '..', '..')
export const REFERENCE_PKG = JSON.parse(readFileSync(join(HERE, 'package.json'), 'utf8'))
export const REFERENCE_NAME = REFERENCE_PKG.name
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'

/**
 * Compiles src/*.ts to `outDir` (default bench/ts-reference/dist, where imports resolve to the root
 * node_modules) with the compiler options of tsconfig.json: one file at a time, without the type
 * check (`npx tsc -p bench/ts-reference --noEmit` does that). Returns the path of the bin.
 */
export function buildReference(outDir = join(HERE, 'dist')) {
  const ts = createRequire(join(ROOT, 'package.json'))('typescript')
  const { config } = ts.readConfigFile(join(HERE, 'tsconfig.json'), ts.sys.readFile)
  const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions, HERE)
  options.module = ts.ModuleKind.ES2022 // what NodeNext emits in a "type": "module" package, as tsc does
  mkdirSync(outDir, { recursive: true })
  for (const file of readdirSync(join(HERE, 'src')).filter((f) => f.endsWith('.ts'))) {
    const { outputText } = ts.transpileModule(readFileSync(join(HERE, 'src', file), 'utf8'), { compilerOptions: options, fileName: file })
    writeFileSync(join(outDir, file.replace(/\.ts$/, '.js')), outputText)
  }
  const bin = join(outDir, 'index.js')
  chmodSync(bin, 0o755)
  return bin
}

/** name@version of every package the reference's dependencies install, from the root lockfile. */
export function dependencyTree() {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')).packages
  const resolve = (from, name) => {
    for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
      const path = `${dir ? `${dir}/` : ''}node_modules/${name}`
      if (lock[path]) return path
      if (!dir) throw new Error(`package-lock.json has no ${name} for ${from || 'the root'} (npm install)`)
    }
  }
  const seen = new Map()
  const todo = Object.keys(REFERENCE_PKG.dependencies).map((name) => resolve('', name))
  while (todo.length) {
    const path = todo.pop()
    if (seen.has(path)) continue
    const entry = lock[path]
    seen.set(path, `${path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)}@${entry.version}`)
    const peers = Object.keys(entry.peerDependencies ?? {}).filter((name) => !entry.peerDependenciesMeta?.[name]?.optional)
    for (const name of [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}), ...peers]) todo.push(resolve(path, name))
  }
  return [...new Set(seen.values())].sort()
}

/** The package.json inside an npm tarball (its first-level folder, usually `package/`). */
function manifestOf(tgz) {
  const tar = gunzipSync(readFileSync(tgz))
  const field = (h, at, len) => h.subarray(at, at + len).toString('utf8').replace(/\0.*$/s, '')
  for (let off = 0; off + 512 <= tar.length && tar[off] !== 0;) {
    const h = tar.subarray(off, off + 512)
    const size = parseInt(field(h, 124, 12).trim() || '0', 8)
    const prefix = field(h, 345, 155)
    const name = (prefix ? `${prefix}/` : '') + field(h, 0, 100)
    if ('0\0'.includes(String.fromCharCode(h[156])) && /^[^/]+\/package\.json$/.test(name)) {
      return JSON.parse(tar.subarray(off + 512, off + 512 + size).toString('utf8'))
    }
    off += 512 + Math.ceil(size / 512) * 512
  }
  throw new Error(`${basename(tgz)} has no package.json`)
}

/** Publishes one tarball as is, the way `npm publish <tgz>` does (one PUT of the packument). */
async function publishTarball(registry, token, tgz) {
  const data = readFileSync(tgz)
  const pkg = manifestOf(tgz)
  const file = `${pkg.name.split('/').pop()}-${pkg.version}.tgz`
  const integrity = `sha512-${createHash('sha512').update(data).digest('base64')}`
  const shasum = createHash('sha1').update(data).digest('hex')
  const tarball = `${registry.url}${pkg.name}/-/${file}`
  const body = {
    _id: pkg.name,
    name: pkg.name,
    description: pkg.description,
    'dist-tags': { latest: pkg.version },
    versions: { [pkg.version]: { ...pkg, _id: `${pkg.name}@${pkg.version}`, dist: { integrity, shasum, tarball } } },
    _attachments: { [file]: { content_type: 'application/octet-stream', data: data.toString('base64'), length: data.length } },
  }
  const res = await fetch(`${registry.url}${pkg.name.replace('/', '%2f')}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`publishing ${pkg.name}@${pkg.version}: ${res.status} ${await res.text()}`)
  return { name: pkg.name, version: pkg.version, bytes: data.length }
}

/**
 * Fetches the dependency tree's tarballs from the npm registry into `dir` (one `npm pack` run,
 * bounded by `timeoutMs`). Throws with npm's message when the registry cannot be reached.
 */
export async function packDependencies(dir, { timeoutMs = 180_000 } = {}) {
  mkdirSync(dir, { recursive: true })
  const specs = dependencyTree()
  // The machine's own npm configuration (its registry, proxy, CA), with a throw-away cache.
  const env = { ...process.env, npm_config_cache: join(dir, '.npm-cache'), npm_config_loglevel: 'error', npm_config_update_notifier: 'false' }
  await exec(NPM, ['pack', ...specs, '--pack-destination', dir, '--ignore-scripts', '--json'], { env, cwd: dir, timeout: timeoutMs, maxBuffer: 64 << 20 })
  rmSync(join(dir, '.npm-cache'), { recursive: true, force: true })
  return readdirSync(dir).filter((f) => f.endsWith('.tgz')).map((f) => join(dir, f))
}

/**
 * Publishes the reference (built into a staging folder and packed, `private` dropped) and the
 * dependency tarballs into the local registry. Returns { packages, tarball_bytes } of the tree.
 */
export async function publishReference(registry, dependencyTarballs) {
  const token = /:_authToken=(.+)$/m.exec(readFileSync(registry.env.npm_config_userconfig, 'utf8'))?.[1]
  if (!token) throw new Error('the registry environment has no auth token')
  const stage = join(registry.work, 'ts-reference')
  buildReference(join(stage, 'dist'))
  const { private: _, ...pkg } = REFERENCE_PKG
  writeFileSync(join(stage, 'package.json'), JSON.stringify(pkg, null, 2) + '\n')
  const { stdout } = await registry.npm(['pack', '--json', '--ignore-scripts'], { cwd: stage })
  const own = join(stage, JSON.parse(stdout)[0].filename)
  // A few PUTs at a time (verdaccio takes ~0.1-0.4 s each); the versions of one package in turn.
  const byName = new Map()
  for (const tgz of [own, ...dependencyTarballs]) {
    const name = manifestOf(tgz).name
    byName.set(name, [...(byName.get(name) ?? []), tgz])
  }
  const queue = [...byName.values()]
  const published = []
  await Promise.all(Array.from({ length: 6 }, async () => {
    for (let group; (group = queue.shift());) for (const tgz of group) published.push(await publishTarball(registry, token, tgz))
  }))
  return { packages: published.length, tarball_bytes: published.reduce((a, p) => a + p.bytes, 0) }
}
