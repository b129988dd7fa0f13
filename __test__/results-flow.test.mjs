// Done-when of issue 10: an agent that sees only `content`, and one that sees only
// `structuredContent`, can each run the whole production flow (estimate -> upload -> submit ->
// wait -> events -> logs -> artifacts -> get_artifact -> cancel) with no other information.
// Against the embedded sandbox through the official TS client: ids are generated there, so they can
// only come from what the agent was shown.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { BIN, text } from './helpers/mcp.mjs'

const IMAGE = 'python:3.11-slim'
/** The sandbox's documented key (README, Sandbox): what a user completing an upload would send. */

/** What each kind of host hands the model. */
const VIEWS = {
  'content text only': (result) => {
    const all = text(result)
    return JSON.parse(all.slice(all.indexOf('\n') + 1))
  },
  'structuredContent only': (result) => result.structuredContent.data,
}

for (const [view, see] of Object.entries(VIEWS)) {
  describe(`the production flow, seeing ${view}`, () => {
    let client
    before(async () => {
      const transport = new StdioClientTransport({
        command: process.execPath,
        // Slow enough that a job submitted and cancelled at once is still running (18 simulated s = 4.5 s).
        args: [BIN, '--sandbox', '--sandbox-time-scale', '4'],
        env: { PATH: process.env.PATH, JUNGLE_GRID_LOG: 'warn' },
        stderr: 'pipe',
      })
      client = new Client({ name: 'results-flow', version: '1.0.0' })
      await client.connect(transport)
    })
    after(() => client.close())

    /** One tool call as the agent sees it: only `view` of a successful result. */
    async function call(name, args) {
      const result = await client.callTool({ name, arguments: args })
      assert.ok(!result.isError, `${name}: ${text(result)}`)
      return see(result)
    }

    test('estimate -> upload -> submit -> wait -> events -> logs -> artifacts -> get_artifact -> cancel', async () => {
      const estimate = await call('estimate_job', { workload_type: 'inference', model_size: 7, image: IMAGE })
      assert.equal(estimate.can_submit, true)
      assert.equal(estimate.available, true)
      assert.ok(estimate.likely_gpu_type)
      assert.ok(estimate.estimated_cost_usd.max >= estimate.estimated_cost_usd.min)

      // Upload outside MCP with the slot the agent was shown.
      const { upload } = await call('upload_job_input', { filename: 'audio.txt', content_type: 'text/plain', kind: 'input' })
      assert.match(upload.input_id, /^inp_/)
      const bytes = Buffer.from('hello from the agent')
      const put = await fetch(upload.upload_url, { method: 'PUT', body: bytes, headers: { 'content-type': 'text/plain' } })
      assert.ok(put.ok, `PUT ${put.status}`)
      const done = await fetch(new URL(upload.complete_url, upload.upload_url), {
        method: 'POST',
        // The agent's own HTTP client has the slot's token, never the sandbox's per-run key.
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: upload.token, filename: 'audio.txt', content_type: 'text/plain', size_bytes: bytes.length }),
      })
      assert.ok(done.ok, `complete ${done.status}: ${await done.clone().text()}`)
      const inputs = await call('list_job_inputs', {})
      assert.equal(inputs.inputs.find((i) => i.input_id === upload.input_id).ready, true)

      const job = await call('submit_job', {
        name: 'results-flow', workload_type: 'inference', image: IMAGE,
        command: ['cat', '/workspace/inputs/audio.txt'], input_files: [{ input_id: upload.input_id }],
        expected_artifacts: ['/workspace/artifacts/out.txt'],
      })
      assert.match(job.job_id, /^job_/)

      let waited
      for (let i = 0; i < 20; i++) {
        waited = await call('wait_for_job', { job_id: job.job_id, poll_interval_seconds: 0.1 })
        assert.equal(typeof waited.waited_seconds, 'number')
        if (!waited.timed_out) break
      }
      assert.equal(waited.job.status, 'completed')

      const events = await call('get_job_events', { job_id: job.job_id })
      assert.equal(events.items.at(-1).type, 'job.completed')
      for (const e of events.items) assert.ok(e.type && e.title && e.message, JSON.stringify(e))

      const logs = await call('get_job_logs', { job_id: job.job_id })
      assert.ok(logs.items.some((l) => l.message.includes('cat /workspace/inputs/audio.txt')), JSON.stringify(logs.items))

      const { artifacts } = await call('list_artifacts', { job_id: job.job_id })
      assert.equal(artifacts.length, 1)
      assert.equal(artifacts[0].ready, true)
      const info = await call('get_artifact', { job_id: job.job_id, artifact_id: artifacts[0].artifact_id })
      assert.ok(Date.parse(info.expires_at) > Date.now())
      const download = await fetch(info.download_url)
      assert.equal(download.status, 200)
      assert.equal((await download.arrayBuffer()).byteLength, artifacts[0].size_bytes)

      const second = await call('submit_job', { name: 'to-cancel', workload_type: 'batch', image: IMAGE })
      const cancelled = await call('cancel_job', { job_id: second.job_id })
      assert.equal(cancelled.status, 'cancelled')
      const status = await call('get_job', { job_id: second.job_id })
      assert.equal(status.status, 'cancelled')
    })
  })
}
