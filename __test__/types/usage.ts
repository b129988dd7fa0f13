// Type-checked by the test suite (tsc --noEmit): the library's public types as a user writes them.
import { JungleGridClient, JungleGridError, startSandbox, TERMINAL_STATUSES } from '@jungle-grid/mcp'
import type { Job, LogPage, SubmitJobArgs } from '@jungle-grid/mcp'

async function main(): Promise<void> {
  const jg = new JungleGridClient({ apiKey: 'jg_x', apiBase: 'http://127.0.0.1:1', timeoutMs: 1000 })
  const estimate = await jg.estimateJob({ workload_type: 'fine_tuning', model_size: 7, routing_mode: 'cost' })
  const cost: number | undefined = typeof estimate.estimated_cost_usd === 'object' ? estimate.estimated_cost_usd.max : estimate.estimated_cost_usd
  const args: SubmitJobArgs = {
    name: 'n', workload_type: 'batch', image: 'python:3.11-slim',
    command: ['python', 'x.py'], env: { A: '1' }, input_files: [{ input_id: 'inp_1' }, 'inp_2'],
  }
  const submitted = await jg.submitJob(args)
  const job: Job = await jg.waitForJob(submitted.job_id ?? '', {
    timeoutMs: 1000, pollIntervalMs: 10, signal: AbortSignal.timeout(5000), onUpdate: (j) => j.status,
  })
  const spent: number | null = job.actual_cost_usd
  for await (const page of jg.iterateLogs('job_1', { limit: 100 })) {
    const p: LogPage = page
    p.items?.forEach((e) => e.category === 'workload_stdout' && e.message)
  }
  const input = await jg.uploadFile(Buffer.from('x'), { filename: 'a.txt', kind: 'input' })
  const saved = await jg.downloadArtifact('job_1', 'art_1', '/tmp/out')
  const bytes: number = saved.bytes
  const sandbox = await startSandbox({ timeScale: 10 })
  await sandbox.stop()
  try {
    await jg.getJob({ job_id: 'x' })
  } catch (e) {
    if (e instanceof JungleGridError) {
      const code: string = e.code
      const status: number | undefined = e.status
      void code, status
    }
  }
  void cost, spent, input.input_id, bytes, TERMINAL_STATUSES
}
void main
