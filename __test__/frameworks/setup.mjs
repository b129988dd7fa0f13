#!/usr/bin/env node
// Installs the agent frameworks the framework tests drive (part of `npm run test:setup`): one Python
// virtual environment per group of frameworks that can share one (`requirements/<group>.in` names
// the pinned frameworks, `requirements/<group>.txt` is the full lock pip installs), in
// `__test__/frameworks/.venv-<group>`. The groups exist because the frameworks conflict:
// langchain-mcp-adapters and mcp-use need the MCP Python SDK 1.x, llama-index-tools-mcp needs 2.x,
// and fast-agent-mcp needs Python 3.12 or newer.
//
// An environment whose lock and interpreter have not changed since it was installed is kept (a
// stamp file records both), so a second run costs a second. The groups install in parallel (the
// time goes mostly to downloads).
//
import { execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))

export const GROUPS = {
  mcp2: { minor: 11, frameworks: 'openai-agents, llama-index-tools-mcp, google-genai, pydantic-ai-slim' },
  mcp1: { minor: 11, frameworks: 'langchain-mcp-adapters, mcp-use' },
  py312: { minor: 12, frameworks: 'fast-agent-mcp' },
}

export const venvDir = (group) => join(here, `.venv-${group}`)
export const venvPython = (group) => join(venvDir(group), 'bin', 'python')
const stampFile = (group) => join(venvDir(group), '.jg-lock-stamp')

function version(python) {
  try {
    const out = execFileSync(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    const [major, minor] = out.trim().split('.').map(Number)
    return major === 3 ? minor : -1
  } catch {
    return -1
  }
}

// The first Python 3.<minor>+ found: python3, versioned names on PATH, then pyenv's versions (the
// machine image ships 3.12 and 3.13 there, outside PATH).
export function findPython(minor) {
  const candidates = ['python3', 'python3.13', 'python3.12', 'python3.14', 'python3.11']
  const pyenvRoot = process.env.PYENV_ROOT || join(homedir(), '.pyenv')
  const versions = join(pyenvRoot, 'versions')
  if (existsSync(versions)) {
    const newestFirst = readdirSync(versions)
      .filter((v) => /^3\.\d+\.\d+$/.test(v))
      .sort((a, b) => Number(b.split('.')[1]) - Number(a.split('.')[1]))
    for (const v of newestFirst) candidates.push(join(versions, v, 'bin', 'python3'))
  }
  for (const c of candidates) {
    const m = version(c)
    if (m >= minor) return { python: c, minor: m }
  }
  return null
}

function run(cmd, args, label) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${label}: \`${cmd} ${args.join(' ')}\` exited ${code}\n${out.slice(-4000)}`))))
  })
}

async function install(group) {
  const { minor } = GROUPS[group]
  const found = findPython(minor)
  if (!found) throw new Error(`${group} (${GROUPS[group].frameworks}) needs Python 3.${minor} or newer and none was found (python3, python3.1x, ~/.pyenv/versions)`)
  const lock = join(here, 'requirements', `${group}.txt`)
  const stamp = createHash('sha256').update(readFileSync(lock)).update(`\npython 3.${found.minor} ${found.python}\n`).digest('hex')
  if (existsSync(stampFile(group)) && readFileSync(stampFile(group), 'utf8') === stamp && version(venvPython(group)) >= minor) {
    return `${group}: up to date (${GROUPS[group].frameworks})`
  }
  const started = Date.now()
  rmSync(venvDir(group), { recursive: true, force: true })
  await run(found.python, ['-m', 'venv', venvDir(group)], group)
  await run(venvPython(group), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '-r', lock], group)
  writeFileSync(stampFile(group), stamp)
  return `${group}: installed ${GROUPS[group].frameworks} on Python 3.${found.minor} in ${((Date.now() - started) / 1000).toFixed(0)} s`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now()
  const results = await Promise.allSettled(Object.keys(GROUPS).map(install))
  let failed = false
  for (const r of results) {
    if (r.status === 'fulfilled') console.log(`frameworks ${r.value}`)
    else {
      failed = true
      console.error(`frameworks: ${r.reason.message}`)
    }
  }
  console.log(`frameworks: setup took ${((Date.now() - started) / 1000).toFixed(0)} s`)
  process.exit(failed ? 1 : 0)
}
