// A real npm registry for install-path tests and the bench: verdaccio (installed by
// __test__/registry/package.json, see `npm run test:setup`) on 127.0.0.1 with a throw-away storage,
// no uplinks (nothing reaches npmjs.org), and an npm environment (cache, userconfig, global prefix)
// that lives in a temp folder, so every install starts from an empty npm cache.
//
// publishRelease() publishes the way the release job does: the platform package with the binary,
// then the root with optionalDependencies written at publish time (scripts/sync-versions.mjs).
import { execFile } from 'node:child_process'
import { cpSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const exec = promisify(execFile)
export const ROOT = new URL('../..', import.meta.url).pathname
export const ROOT_PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
export const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'
export const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx'
const registryRequire = createRequire(join(ROOT, '__test__', 'registry', 'package.json'))

/** Whether verdaccio is installed (npm run test:setup). */
export function registryAvailable() {
  try {
    registryRequire.resolve('verdaccio')
    return true
  } catch {
    return false
  }
}

/**
 * Starts verdaccio on 127.0.0.1 (a free port chosen by the OS). Resolves to { url, work, env, npm,
 * newCache, stop }: `env` is the environment for npm/npx child processes (registry, cache, userconfig,
 * global prefix, no audit/fund/update notices), `npm(args, opts)` runs npm with it.
 */
export async function startRegistry() {
  const work = mkdtempSync(join(tmpdir(), 'jg-registry-'))
  const storage = join(work, 'storage')
  mkdirSync(storage)
  writeFileSync(join(work, 'htpasswd'), '')
  const { runServer } = registryRequire('verdaccio')
  const app = await runServer({
    self_path: work,
    storage,
    auth: { htpasswd: { file: join(work, 'htpasswd'), max_users: 10 } },
    uplinks: {},
    packages: { '**': { access: '$all', publish: '$authenticated', unpublish: '$authenticated' } },
    server: { keepAliveTimeout: 0 },
    log: { type: 'stdout', format: 'pretty', level: 'fatal' },
    web: { enable: false },
    max_body_size: '500mb', // a debug build of the addon is ~150 MB
    security: { api: { legacy: true } },
  })
  const server = await new Promise((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
    s.once('error', reject)
  })
  const url = `http://127.0.0.1:${server.address().port}/`

  // A user for publishing (verdaccio's htpasswd plugin adds it on first login).
  const login = await fetch(`${url}-/user/org.couchdb.user:release`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'release', password: 'release-pass', type: 'user', roles: [] }),
  })
  const { token } = await login.json()
  if (!token) throw new Error(`verdaccio gave no token (${login.status})`)
  const npmrc = join(work, 'npmrc')
  writeFileSync(npmrc, `registry=${url}\n//${url.slice('http://'.length)}:_authToken=${token}\n`)

  let caches = 0
  const env = {
    PATH: process.env.PATH,
    HOME: join(work, 'home'),
    npm_config_registry: url,
    npm_config_userconfig: npmrc,
    npm_config_globalconfig: join(work, 'npmrc-global'),
    npm_config_cache: join(work, 'cache-0'),
    npm_config_prefix: join(work, 'global'),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_loglevel: 'error',
  }
  mkdirSync(env.HOME)
  return {
    url,
    work,
    env,
    /** A fresh, empty npm cache folder for the next cold install; returns its path. */
    newCache() {
      env.npm_config_cache = join(work, `cache-${++caches}`)
      return env.npm_config_cache
    },
    npm(args, opts = {}) {
      return exec(NPM, args, { env: { ...env, ...(opts.env || {}) }, cwd: opts.cwd || work, timeout: opts.timeout || 120000, maxBuffer: 32 << 20 })
    },
    async stop() {
      await new Promise((resolve) => server.close(resolve))
      server.closeAllConnections?.()
      rmSync(work, { recursive: true, force: true })
    },
  }
}

/** Copies the root package's published files into a staging folder (what `npm pack` would take). */
function stageRoot(dir, { version, optional }) {
  mkdirSync(dir, { recursive: true })
  for (const f of ['index.js', 'index.d.ts', 'README.md', 'LICENSE']) copyFileSync(join(ROOT, f), join(dir, f))
  for (const d of ['lib', 'bin']) cpSync(join(ROOT, d), join(dir, d), { recursive: true })
  const pkg = { ...ROOT_PKG, version }
  delete pkg.devDependencies
  delete pkg.scripts
  if (optional) pkg.optionalDependencies = optional
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n')
}

/**
 * Publishes a release to the registry: with `platform: true` the linux-x64-gnu package holding the
 * binary built in this checkout (`binary`), then the root whose optionalDependencies name all eight
 * platform packages at `version` (as the release job writes them). `tag` is the dist-tag.
 */
export async function publishRelease(registry, { version = ROOT_PKG.version, platform = true, tag = 'latest', binary = join(ROOT, 'junglegrid-mcp.linux-x64-gnu.node') } = {}) {
  const stage = mkdtempSync(join(registry.work, 'stage-'))
  const { stdout } = await exec(process.execPath, [join(ROOT, 'scripts', 'sync-versions.mjs'), '--print-optional'])
  const optional = Object.fromEntries(Object.keys(JSON.parse(stdout)).map((name) => [name, version]))
  if (platform) {
    // All eight, as the release job does (npm needs every optional dependency's manifest to write a
    // lockfile that `npm ci` accepts). Only this machine's holds a real binary: the others are never
    // installed here, so a placeholder file stands in for their cross-built binaries.
    await Promise.all(readdirSync(join(ROOT, 'npm')).map(async (target) => {
      const dir = join(stage, target)
      cpSync(join(ROOT, 'npm', target), dir, { recursive: true })
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
      if (target === 'linux-x64-gnu') copyFileSync(binary, join(dir, pkg.main))
      else writeFileSync(join(dir, pkg.main), 'placeholder: cross-built by the release job\n')
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...pkg, version }, null, 2) + '\n')
      await registry.npm(['publish', '--ignore-scripts', '--tag', tag], { cwd: dir })
    }))
  }
  const rootDir = join(stage, 'root')
  stageRoot(rootDir, { version, optional })
  await registry.npm(['publish', '--ignore-scripts', '--tag', tag], { cwd: rootDir })
  rmSync(stage, { recursive: true, force: true })
}
