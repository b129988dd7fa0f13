#!/usr/bin/env node
// Benchmarks the MCP server against a local fake Jungle Grid API and prints a table and JSON.
//   npm run bench            (builds the release addon first)
//   node bench/run.mjs       (uses the addon already built)
//   BENCH_ONLY=hosted        only the hosted side-by-side table
//   BENCH_ONLY=cpu           only server CPU ms per call (stdio and hosted) of each .node in
//                            BENCH_BINARIES (comma-separated paths), rounds interleaved;
//                            BENCH_TRACES=off,on also runs each with OpenTelemetry traces on
//                            (exported to the fake API's /v1/traces), every call carrying a
//                            client traceparent either way
// Figures: cold start (spawn -> initialize result) vs a bare node process answering one line;
// tool-call latency p50/p99 at 1 and 64 in flight vs a direct HTTP request to the same fake API;
// throughput over 10,000 calls; peak RSS of the server; size of the .node file; and 1000
// concurrent tool calls over the hosted HTTP mode; hosted mode side by side (npm bin, plain binary,
// the TypeScript SDK's stateless Streamable HTTP server doing the same work: calls/s, CPU per
// call, peak RSS); cold and warm `npx -y` through a local registry beside a TypeScript SDK server
// of the same shape (bench/npx.mjs). Each figure is the median of several runs.
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { join } from 'node:path'
import os from 'node:os'
import { benchNpx, gzippedBinaryBytes, npxTable } from './npx.mjs'

const root = new URL('..', import.meta.url).pathname
const BIN = join(root, 'bin', 'junglegrid-mcp.js')
const RUNS = Number(process.env.BENCH_RUNS || 5)
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS || 15)
const CALLS = Number(process.env.BENCH_CALLS || 10000)
const KEY = 'jg_bench_key'

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}
const ms = (ns) => Number(ns) / 1e6

// ---- fake API: answers instantly, like the contract (envelope), and introspects tokens ---------
function startFakeApi() {
  const body = JSON.stringify({ ok: true, data: { job_id: 'job_1', status: 'running', billing: { status: 'pending' } } })
  const server = createServer((req, res) => {
    let raw = ''
    req.on('data', (c) => (raw += c))
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        // The OTLP collector of BENCH_TRACES=on: an empty ExportTraceServiceResponse.
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end()
        return
      }
      if (req.url === '/oauth/introspect') {
        const out = JSON.stringify({
          active: true, iss: 'https://api.junglegrid.dev', aud: 'https://mcp.junglegrid.dev',
          sub: 'u', workspace_id: 'w', scope: 'jobs:read', exp: Math.floor(Date.now() / 1000) + 3600,
        })
        res.writeHead(200, { 'content-type': 'application/json' }).end(out)
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(body)
    })
  })
  server.keepAliveTimeout = 60_000
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

// ---- a minimal newline-delimited JSON-RPC client over a child's stdio --------------------------
class RawClient {
  constructor(child) {
    this.child = child
    this.next = 1
    this.pending = new Map()
    createInterface({ input: child.stdout }).on('line', (line) => {
      const msg = JSON.parse(line)
      const p = this.pending.get(msg.id)
      if (p) {
        this.pending.delete(msg.id)
        p(msg)
      }
    })
  }
  request(method, params) {
    const id = this.next++
    return new Promise((resolve) => {
      this.pending.set(id, resolve)
      this.child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n')
    })
  }
  notify(method) {
    this.child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method }) + '\n')
  }
}

const INIT = { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } }

function spawnServer(apiBase, extra = [], env = {}) {
  return spawn(process.execPath, [BIN, ...extra], {
    env: { ...process.env, JUNGLE_GRID_API_KEY: KEY, JUNGLEGRID_API_BASE: apiBase, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  })
}

async function coldStart(apiBase) {
  const t0 = process.hrtime.bigint()
  const child = spawnServer(apiBase)
  const client = new RawClient(child)
  await client.request('initialize', INIT)
  const t = process.hrtime.bigint() - t0
  child.stdin.end()
  await once(child, 'exit')
  return ms(t)
}

async function bareNode() {
  const script = "process.stdin.once('data', () => { process.stdout.write('{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\\n'); process.exit(0) })"
  const t0 = process.hrtime.bigint()
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] })
  const client = new RawClient(child)
  await client.request('initialize', INIT)
  const t = process.hrtime.bigint() - t0
  await once(child, 'exit')
  return ms(t)
}

async function runPool(n, inFlight, fn) {
  const latencies = new Array(n)
  let next = 0
  let errors = 0
  const t0 = process.hrtime.bigint()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (;;) {
        const i = next++
        if (i >= n) return
        const s = process.hrtime.bigint()
        try {
          if (!(await fn(i))) errors++
        } catch {
          errors++
        }
        latencies[i] = ms(process.hrtime.bigint() - s)
      }
    }),
  )
  const seconds = ms(process.hrtime.bigint() - t0) / 1000
  return { latencies, errors, throughput: n / seconds }
}

/** user + system CPU seconds a process has used so far (Linux). */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100 // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return null
  }
}

const HOSTED_CALLS = Number(process.env.BENCH_HOSTED_CALLS || 5000)
/** The client trace context every measured call carries (ignored with traces off). */
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'

/** One hosted server: start, warm up, HOSTED_CALLS get_job calls at 64 in flight, stop. */
async function hostedRun(command, args, env) {
  const port = 20000 + Math.floor(Math.random() * 20000)
  const child = spawn(command, args, {
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  await new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => String(d).includes('listening') && resolve())
    child.on('exit', (code) => reject(new Error(`${command} exited ${code}`)))
  })
  const headers = {
    authorization: 'Bearer bench-token', 'content-type': 'application/json',
    accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18',
    traceparent: TRACEPARENT,
  }
  const call = async (i) => {
    const res = await fetch(`http://127.0.0.1:${port}/mcp`, {
      method: 'POST', headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'get_job', arguments: { job_id: `job_${i}` } } }),
    })
    const msg = await res.json()
    return res.ok && msg.result && !msg.result.isError && msg.result.structuredContent?.data?.job_id === 'job_1'
  }
  await runPool(500, 16, call)
  const cpu0 = cpuSeconds(child.pid)
  const r = await runPool(HOSTED_CALLS, 64, call)
  const cpu = cpuSeconds(child.pid) - cpu0
  const rss = peakRssMb(child.pid)
  child.removeAllListeners('exit')
  child.kill('SIGTERM')
  await once(child, 'exit')
  return { tput: r.throughput, cpu_ms_per_call: (cpu * 1000) / HOSTED_CALLS, rss, errors: r.errors }
}

/** Server CPU ms per tools/call over stdio: CALLS get_job calls at 64 in flight (after a warm-up). */
async function stdioCpuRun(apiBase, env = {}) {
  const child = spawnServer(apiBase, [], env)
  const client = new RawClient(child)
  await client.request('initialize', INIT)
  client.notify('notifications/initialized')
  const call = async (i) => {
    const r = await client.request('tools/call', { name: 'get_job', arguments: { job_id: `job_${i}` }, _meta: { traceparent: TRACEPARENT } })
    return r.result && !r.result.isError
  }
  await runPool(500, 8, call)
  const cpu0 = cpuSeconds(child.pid)
  const r = await runPool(CALLS, 64, call)
  const cpu = cpuSeconds(child.pid) - cpu0
  const rss = peakRssMb(child.pid)
  child.stdin.end()
  await once(child, 'exit')
  return { cpu_ms_per_call: (cpu * 1000) / CALLS, rss, errors: r.errors }
}

/**
 * Per-call CPU of several builds of the addon, back to back (BENCH_ONLY=cpu): each .node in
 * BENCH_BINARIES (comma-separated absolute paths, loaded through NAPI_RS_NATIVE_LIBRARY_PATH;
 * default the checkout's) is measured once per round, rounds interleaved so that load from other
 * processes falls on every build alike; medians of RUNS rounds. CPU time is the server's own
 * (user + system of the node process), which other load barely moves; wall-clock figures would.
 */
async function cpuPerBuild(apiBase) {
  const paths = (process.env.BENCH_BINARIES || '').split(',').filter(Boolean)
  const traces = (process.env.BENCH_TRACES || 'off').split(',').filter(Boolean)
  const variants = (paths.length ? paths : [null]).flatMap((path) => traces.map((trace) => ({ path, trace })))
  const per = variants.map(() => ({ stdio: [], hosted: [], stdioRss: [], hostedRss: [], errors: 0 }))
  const hostedEnv = { JUNGLEGRID_API_BASE: apiBase, JUNGLEGRID_INTERNAL_SERVICE_TOKEN: 'svc', MCP_RATE_LIMIT_PER_MINUTE: '0' }
  // Traces on: exported to the fake API's /v1/traces; off: no OTEL_* variable at all.
  const otel = { on: { OTEL_EXPORTER_OTLP_ENDPOINT: apiBase }, off: { OTEL_EXPORTER_OTLP_ENDPOINT: undefined, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined } }
  for (let run = 0; run < RUNS; run++) {
    for (const [i, { path, trace }] of variants.entries()) {
      const env = { ...(path ? { NAPI_RS_NATIVE_LIBRARY_PATH: path } : {}), ...otel[trace] }
      const s = await stdioCpuRun(apiBase, env)
      const h = await hostedRun(process.execPath, [BIN, '--http', '--host', '127.0.0.1'], { ...hostedEnv, ...env })
      per[i].stdio.push(s.cpu_ms_per_call)
      per[i].hosted.push(h.cpu_ms_per_call)
      per[i].stdioRss.push(s.rss)
      per[i].hostedRss.push(h.rss)
      per[i].errors += s.errors + h.errors
    }
  }
  console.log(`\nServer CPU ms per get_job call (stdio: ${CALLS} calls, hosted: ${HOSTED_CALLS} calls, 64 in flight; medians of ${RUNS} interleaved rounds):\n`)
  console.log('| .node | traces | bytes | CPU ms/call stdio | CPU ms/call hosted | peak RSS stdio | peak RSS hosted | errors |\n| --- | --- | --- | --- | --- | --- | --- | --- |')
  for (const [i, { path, trace }] of variants.entries()) {
    const file = path ?? join(root, readdirSync(root).find((f) => f.endsWith('.node')) ?? '')
    const bytes = statSync(file, { throwIfNoEntry: false })?.size ?? 'n/a'
    const mb = (xs) => `${median(xs).toFixed(1)} MB`
    console.log(`| ${file} | ${trace} | ${bytes} | ${median(per[i].stdio).toFixed(4)} | ${median(per[i].hosted).toFixed(4)} | ${mb(per[i].stdioRss)} | ${mb(per[i].hostedRss)} | ${per[i].errors} |`)
    console.log(`<!-- runs stdio ${per[i].stdio.map((x) => x.toFixed(4)).join(' ')}; hosted ${per[i].hosted.map((x) => x.toFixed(4)).join(' ')} -->`)
  }
}

/** Hosted mode side by side, medians of RUNS runs each. */
async function hostedSideBySide(apiBase) {
  const plain = join(root, 'target', 'release', 'junglegrid-mcp')
  const ours = { JUNGLEGRID_API_BASE: apiBase, JUNGLEGRID_INTERNAL_SERVICE_TOKEN: 'svc', MCP_RATE_LIMIT_PER_MINUTE: '0' }
  const servers = [
    ['junglegrid-mcp --http (npm bin: node + addon)', process.execPath, [BIN, '--http', '--host', '127.0.0.1'], ours],
    ['junglegrid-mcp --http (plain binary)', plain, ['--http', '--host', '127.0.0.1'], ours],
    ['TS SDK stateless Streamable HTTP', process.execPath, [join(root, 'bench', 'ts-hosted-server.mjs')], { JUNGLEGRID_API_BASE: apiBase }],
  ]
  const out = []
  for (const [label, command, args, env] of servers) {
    try {
      statSync(command)
    } catch {
      out.push({ label, missing: `${command} (cargo build --release --bin junglegrid-mcp)` })
      continue
    }
    const runs = []
    for (let run = 0; run < Math.min(RUNS, 3); run++) runs.push(await hostedRun(command, args, env))
    out.push({
      label,
      tput: median(runs.map((r) => r.tput)),
      cpu_ms_per_call: median(runs.map((r) => r.cpu_ms_per_call)),
      rss: Math.max(...runs.map((r) => r.rss ?? 0)),
      errors: runs.reduce((a, r) => a + r.errors, 0),
    })
  }
  return out
}

function peakRssMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const m = status.match(/VmHWM:\s+(\d+) kB/)
    return m ? Number(m[1]) / 1024 : null
  } catch {
    return null
  }
}

async function main() {
  const api = await startFakeApi()
  const apiBase = `http://127.0.0.1:${api.address().port}`
  const results = {}
  if (process.env.BENCH_ONLY === 'hosted') {
    // Only the hosted side-by-side table (BENCH_ONLY=hosted node bench/run.mjs).
    const hosted = await hostedSideBySide(apiBase)
    api.close()
    printHosted(hosted)
    return
  }
  if (process.env.BENCH_ONLY === 'cpu') {
    await cpuPerBuild(apiBase)
    api.close()
    return
  }

  // Cold start.
  await coldStart(apiBase) // warm the page cache
  const cold = [], bare = []
  for (let i = 0; i < COLD_RUNS; i++) {
    cold.push(await coldStart(apiBase))
    bare.push(await bareNode())
  }
  results.cold_start_ms = median(cold)
  results.bare_node_ms = median(bare)
  results.cold_start_ratio = results.cold_start_ms / results.bare_node_ms

  // Direct requests (the floor), with Node's own fetch.
  const direct = async () => (await fetch(`${apiBase}/v1/mcp/jobs/job_1`, { headers: { authorization: `Bearer ${KEY}` } })).ok
  const call = (client) => async (i) => {
    const r = await client.request('tools/call', { name: 'get_job', arguments: { job_id: `job_${i}` } })
    return r.result && !r.result.isError
  }

  const per = { p50_1: [], p99_1: [], p50_64: [], p99_64: [], direct_p50_1: [], direct_p99_1: [], direct_p50_64: [], direct_p99_64: [], tput: [], direct_tput: [], rss: [], rss_calls: [], errors: 0 }
  for (let run = 0; run < RUNS; run++) {
    const d1 = await runPool(2000, 1, direct)
    const d64 = await runPool(CALLS, 64, direct)
    const child = spawnServer(apiBase)
    const client = new RawClient(child)
    await client.request('initialize', INIT)
    client.notify('notifications/initialized')
    await runPool(500, 8, call(client)) // warm up the connection pool
    const s1 = await runPool(2000, 1, call(client))
    const s64 = await runPool(CALLS, 64, call(client))
    per.rss_calls.push(peakRssMb(child.pid)) // peak after the 10,000 calls at 64 in flight
    const burst = await runPool(1000, 1000, call(client)) // no stall at 1000 in flight
    per.rss.push(peakRssMb(child.pid))
    child.stdin.end()
    await once(child, 'exit')
    per.errors += s1.errors + s64.errors + burst.errors
    per.p50_1.push(pct(s1.latencies, 50)); per.p99_1.push(pct(s1.latencies, 99))
    per.p50_64.push(pct(s64.latencies, 50)); per.p99_64.push(pct(s64.latencies, 99))
    per.direct_p50_1.push(pct(d1.latencies, 50)); per.direct_p99_1.push(pct(d1.latencies, 99))
    per.direct_p50_64.push(pct(d64.latencies, 50)); per.direct_p99_64.push(pct(d64.latencies, 99))
    per.tput.push(s64.throughput); per.direct_tput.push(d64.throughput)
  }
  for (const k of ['p50_1', 'p99_1', 'p50_64', 'p99_64', 'direct_p50_1', 'direct_p99_1', 'direct_p50_64', 'direct_p99_64', 'tput', 'direct_tput']) {
    results[k] = median(per[k])
  }
  results.overhead_p50_1_ms = results.p50_1 - results.direct_p50_1
  results.throughput_ratio = results.tput / results.direct_tput
  results.peak_rss_mb = per.rss.every((x) => x !== null) ? Math.max(...per.rss) : null
  results.peak_rss_after_calls_mb = per.rss_calls.every((x) => x !== null) ? Math.max(...per.rss_calls) : null
  results.stdio_errors = per.errors

  // Hosted HTTP: 1000 concurrent tool calls.
  const port = 20000 + Math.floor(Math.random() * 20000)
  const http = spawn(process.execPath, [BIN, '--http', '--port', String(port), '--host', '127.0.0.1'], {
    env: { ...process.env, JUNGLEGRID_API_BASE: apiBase, JUNGLEGRID_INTERNAL_SERVICE_TOKEN: 'svc', MCP_RATE_LIMIT_PER_MINUTE: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  await new Promise((resolve, reject) => {
    http.stderr.on('data', (d) => String(d).includes('listening') && resolve())
    http.on('exit', (code) => reject(new Error(`HTTP server exited ${code}`)))
  })
  const headers = {
    authorization: 'Bearer bench-token', 'content-type': 'application/json',
    accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18',
  }
  const httpCall = async (i) => {
    const res = await fetch(`http://127.0.0.1:${port}/mcp`, {
      method: 'POST', headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'get_job', arguments: { job_id: `job_${i}` } } }),
    })
    const msg = await res.json()
    return res.ok && msg.result && !msg.result.isError
  }
  const h = await runPool(1000, 1000, httpCall)
  results.http_1000_concurrent_errors = h.errors
  results.http_1000_concurrent_p50_ms = pct(h.latencies, 50)
  http.kill('SIGTERM')
  await once(http, 'exit')
  results.hosted = await hostedSideBySide(apiBase)
  api.close()

  // Binary size.
  const node = readdirSync(root).find((f) => f.endsWith('.node'))
  results.node_file = node
  results.node_file_mb = node ? statSync(join(root, node)).size / 1024 / 1024 : null
  results.node_gz_mb = node ? gzippedBinaryBytes(join(root, node)) / 1024 / 1024 : null

  // npx through a local registry, cold (empty npm cache) and warm.
  Object.assign(results, (await benchNpx()) ?? {})

  const machine = `${os.cpus().length} x ${os.cpus()[0]?.model?.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${process.platform}-${process.arch}, node ${process.version}`
  const f = (x, d = 2) => (x === null || x === undefined ? 'n/a' : x.toFixed(d))
  const rows = [
    ['cold start (spawn -> initialize)', `${f(results.cold_start_ms, 1)} ms`, `bare node ${f(results.bare_node_ms, 1)} ms`, `ratio ${f(results.cold_start_ratio)} (target <= 1.10)`],
    ['tools/call p50 / p99, 1 in flight', `${f(results.p50_1, 3)} / ${f(results.p99_1, 3)} ms`, `direct ${f(results.direct_p50_1, 3)} / ${f(results.direct_p99_1, 3)} ms`, `overhead p50 ${f(results.overhead_p50_1_ms, 3)} ms (target <= 0.1)`],
    ['tools/call p50 / p99, 64 in flight', `${f(results.p50_64, 3)} / ${f(results.p99_64, 3)} ms`, `direct ${f(results.direct_p50_64, 3)} / ${f(results.direct_p99_64, 3)} ms`, ''],
    [`throughput, ${CALLS} calls at 64`, `${f(results.tput, 0)} calls/s`, `direct ${f(results.direct_tput, 0)} req/s`, `ratio ${f(results.throughput_ratio)} (target >= 1)`],
    ['errors (stdio, incl. 1000 in flight)', `${results.stdio_errors}`, '', 'target 0'],
    [`peak RSS after ${CALLS} calls`, `${f(results.peak_rss_after_calls_mb, 1)} MB`, `after 1000 in flight too: ${f(results.peak_rss_mb, 1)} MB`, 'target <= 50'],
    ['HTTP: 1000 concurrent tools/call', `${results.http_1000_concurrent_errors} errors`, `p50 ${f(results.http_1000_concurrent_p50_ms, 1)} ms`, 'target 0 errors'],
    ['.node file', `${f(results.node_file_mb)} MB`, `${f(results.node_gz_mb)} MB gzipped`, 'target <= 3 gzipped'],
    ['npx -y start, cold / warm', `${f(results.npx_cold_ms, 0)} / ${f(results.npx_warm_ms, 0)} ms`, `cold cache ${f((results.npx_cold_cache_bytes ?? NaN) / 1024 / 1024)} MB`, 'local registry, empty cache'],
    ['npx -y TS reference, cold / warm', `${f(results.ts_reference?.cold_ms, 0)} / ${f(results.ts_reference?.warm_ms, 0)} ms`, `cold cache ${f((results.ts_reference?.cache_bytes ?? NaN) / 1024 / 1024)} MB`, results.ts_reference ? `${results.ts_reference.packages} packages installed` : 'skipped'],
  ]
  console.log(`\nJungle Grid MCP benchmark (${RUNS} runs, medians) on ${machine}\n`)
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c].length)))
  for (const r of rows) console.log('  ' + r.map((cell, c) => cell.padEnd(widths[c])).join('   '))
  printHosted(results.hosted)
  if (results.npx_runs) console.log('\n' + npxTable(results))
  const out = { machine, runs: RUNS, date: new Date().toISOString(), results }
  writeFileSync(join(root, 'bench', 'last-run.json'), JSON.stringify(out, null, 2) + '\n')
  console.log('\n' + JSON.stringify(out))
}

function printHosted(hosted) {
  const f = (x, d = 2) => (x === null || x === undefined ? 'n/a' : x.toFixed(d))
  console.log(`\nHosted mode, get_job over Streamable HTTP, ${HOSTED_CALLS} calls at 64 in flight (medians of ${Math.min(RUNS, 3)} runs):\n`)
  console.log('| Server | calls/s | CPU ms per call | peak RSS | errors |\n| --- | --- | --- | --- | --- |')
  for (const h of hosted) {
    console.log(h.missing ? `| ${h.label} | not built: ${h.missing} | | | |` : `| ${h.label} | ${f(h.tput, 0)} | ${f(h.cpu_ms_per_call, 3)} | ${f(h.rss, 1)} MB | ${h.errors} |`)
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
