// A real OTLP/HTTP trace receiver (helpers/otlp-receiver.py): decodes the exporter's
// protobuf with the OpenTelemetry project's own classes (PyPI `opentelemetry-proto`, installed
// into `peers/.pydeps` by `npm run test:setup`) and hands the decoded spans back here.
//
//   const otlp = await startOtlpReceiver()
//   ... start the server with env { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url } ...
//   const spans = await otlp.waitForSpans((s) => s.some((x) => x.name === 'tools/call get_job'))
//   otlp.requests   // every export: { path, contentType, headers, spans } or { error }
//   await otlp.stop()
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { waitFor } from './mcp.mjs'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))
export const OTLP_PYDEPS = here('../peers/.pydeps')

/** The skip reason when the decoder is not installed (for `needsSetup`). */
export const otlpMissing = () =>
  !existsSync(`${OTLP_PYDEPS}/opentelemetry/proto/collector/trace/v1`) &&
  'the OTLP protobuf classes (opentelemetry-proto) are not installed: run `npm run test:setup`'

export async function startOtlpReceiver() {
  const child = spawn('python3', [here('./otlp-receiver.py')], {
    env: { ...process.env, PYTHONPATH: OTLP_PYDEPS },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (d) => { stderr += d })
  const requests = []
  let port = null
  createInterface({ input: child.stdout }).on('line', (line) => {
    const listening = /^listening (\d+)$/.exec(line)
    if (listening) port = Number(listening[1])
    else requests.push(JSON.parse(line))
  })
  await waitFor(() => port !== null || child.exitCode !== null, { what: 'the OTLP receiver to listen' })
  if (port === null) throw new Error(`the OTLP receiver did not start: ${stderr}`)
  const spans = () => requests.flatMap((r) => r.spans ?? [])
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    spans,
    stderr: () => stderr,
    /** Waits until `predicate(spans)` holds for every span received so far, then returns them. */
    async waitForSpans(predicate, what = 'the expected spans') {
      await waitFor(() => predicate(spans()), { what, timeoutMs: 20_000 })
      return spans()
    },
    reset() { requests.length = 0 },
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
  }
}
