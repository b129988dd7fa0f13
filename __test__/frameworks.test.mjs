// The agent frameworks' own MCP integrations, pinned, with their default settings and no model: each
// Python driver in frameworks/ builds the framework's tool objects as an agent does, checks what the
// framework hands a model (tool definitions: strict conversion, allowed values, description length,
// titles) and runs the seed's production flow against `--sandbox` (estimate, submit, wait until the
// job has completed, logs, artifacts, the artifact's bytes) by invoking the tools the way the
// framework does when a model asks. A timeout, an error handed to the model, a schema warning or a
// WARNING log record fails the driver; its JSON report names each problem.
//
// Sandbox jobs take 18 simulated seconds; `timeScale` below 1 makes a job outlive the framework's
// request timeout (openai-agents 5 s: 18 s at scale 1; llama-index 30 s: 36 s at scale 0.5), so the
// waits must come back in time by themselves. Installed by `npm run test:setup`
// (frameworks/setup.mjs: three virtual environments, because the frameworks' `mcp` pins conflict).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { needsSetup } from './helpers/setup.mjs'
import { BIN } from './helpers/mcp.mjs'
import { venvPython } from './frameworks/setup.mjs'

const dir = fileURLToPath(new URL('./frameworks/', import.meta.url))
// Drivers run this many at a time: the rest of each run is waiting on simulated time, but the
// framework imports are CPU-heavy and a loaded machine must not push a call past a 5 s timeout.
const PARALLEL = 4
// A driver that has not reported by then is stuck (a hang is a failure with its output, not a CI timeout).
const DRIVER_LIMIT_MS = 240_000

const CASES = [
  { name: 'openai-agents (MCPServerStdio defaults: 5 s per request)', group: 'mcp2', script: 'openai_agents.py', timeScale: 1, requestTimeout: 5 },
  { name: 'openai-agents, convert_schemas_to_strict=True', group: 'mcp2', script: 'openai_agents.py', args: ['strict'], timeScale: 1, requestTimeout: 5 },
  { name: 'langchain-mcp-adapters get_tools() (a server process per call)', group: 'mcp1', script: 'langchain_adapters.py', args: ['default'], timeScale: 1 },
  { name: 'langchain-mcp-adapters load_mcp_tools(session)', group: 'mcp1', script: 'langchain_adapters.py', args: ['session'], timeScale: 1 },
  { name: 'llama-index-tools-mcp (BasicMCPClient defaults: 30 s, a process per call)', group: 'mcp2', script: 'llama_index_mcp.py', timeScale: 0.5, requestTimeout: 30 },
  { name: "google-genai's MCP path (ClientSession in tools)", group: 'mcp2', script: 'google_genai_mcp.py', timeScale: 1 },
  { name: 'pydantic-ai MCPToolset', group: 'mcp2', script: 'pydantic_ai_mcp.py', timeScale: 1 },
  { name: 'pydantic-ai MCPToolset, strict tools', group: 'mcp2', script: 'pydantic_ai_mcp.py', args: ['strict'], timeScale: 1 },
  { name: 'mcp-use MCPClient + LangChainAdapter', group: 'mcp1', script: 'mcp_use_adapter.py', timeScale: 1 },
  { name: 'fast-agent (FastAgent app, MCP aggregator)', group: 'py312', script: 'fast_agent_mcp.py', timeScale: 1 },
]

const missing = [...new Set(CASES.map((c) => c.group))].filter((g) => !existsSync(venvPython(g)))
const skip = needsSetup(missing.length > 0 && `the agent frameworks (${missing.join(', ')}) are not installed: run \`npm run test:setup\``)

function runDriver(c) {
  const home = mkdtempSync(join(tmpdir(), 'jg-fw-'))
  return new Promise((resolve) => {
    const child = spawn(venvPython(c.group), [join(dir, c.script), ...(c.args || [])], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        // The server's sandbox state and the frameworks' own files stay in this run's folder.
        HOME: home,
        TMPDIR: home,
        JG_BIN: BIN,
        JG_NODE: process.execPath,
        JG_TIME_SCALE: String(c.timeScale),
        PYTHONDONTWRITEBYTECODE: '1',
        PYTHONUNBUFFERED: '1',
      },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), DRIVER_LIMIT_MS)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      rmSync(home, { recursive: true, force: true })
      // Some frameworks log to stdout: the report is the last line that is one.
      const line = stdout.split('\n').reverse().find((l) => l.startsWith('{"framework"'))
      let report = null
      try {
        report = line ? JSON.parse(line) : null
      } catch {}
      resolve({ code, signal, report, stdout, stderr })
    })
  })
}

function explain(c, r) {
  if (!r.report) {
    return `${c.name}: the driver gave no report (exit ${r.code}${r.signal ? `, killed by ${r.signal} after ${DRIVER_LIMIT_MS / 1000} s` : ''}).\nstderr: ${r.stderr.slice(-3000)}\nstdout: ${r.stdout.slice(-1000)}`
  }
  const steps = r.report.steps.map((s) => `  ${s.tool} ${s.seconds}s ${s.error ? `ERROR ${s.error}` : ''}`).join('\n')
  return `${c.name}: ${r.report.problems.length} problem(s):\n- ${r.report.problems.join('\n- ')}\nsteps:\n${steps}\nserver/framework stderr (tail):\n${r.stderr.slice(-1500)}`
}

describe('agent frameworks drive the production flow in --sandbox', { skip }, () => {
  const results = new Map()
  before(async () => {
    const queue = [...CASES]
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) results.set(c, await runDriver(c))
    }
    await Promise.all(Array.from({ length: PARALLEL }, worker))
  })
  after(() => results.clear())

  for (const c of CASES) {
    test(c.name, () => {
      const r = results.get(c)
      assert.ok(r, `${c.name}: not run`)
      assert.ok(r.report && r.report.ok && r.code === 0, explain(c, r))
      // What the model was handed carried the ids, and the artifact's bytes were fetched.
      assert.match(r.report.job_id, /^job_/)
      assert.match(r.report.artifact_id, /^art_/)
      assert.ok(r.report.artifact_bytes > 0)
      const waits = r.report.steps.filter((s) => s.tool === 'wait_for_job')
      assert.ok(waits.length > 0)
      if (c.requestTimeout) {
        // The job ran longer than the framework's request timeout, so it took more than one wait,
        // each back in time (otherwise this case no longer tests the timeout).
        assert.ok(waits.length >= 2, `${c.name}: the job completed within one wait: make it run longer than ${c.requestTimeout} s`)
        for (const w of waits) assert.ok(w.seconds < c.requestTimeout, `${c.name}: a wait took ${w.seconds} s, over the ${c.requestTimeout} s timeout`)
      }
    })
  }
})
