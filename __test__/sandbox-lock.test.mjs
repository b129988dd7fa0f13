// A --sandbox-dir is shared by every process using it (issue 19 replaced issue 14's one process per
// directory: LangChain starts a server process per tool call, and two hosts may run --sandbox at
// once), and every submit acknowledged before a kill -9 or a full disk is on disk after, or was
// reported as failed. The bin is driven over raw JSON-RPC, as a host drives it.
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnRaw } from './helpers/mcp.mjs'

const dirs = []
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

function freshDir(tag) {
  const dir = mkdtempSync(join(tmpdir(), `jg-sandbox-${tag}-`))
  dirs.push(dir)
  return dir
}

async function startOn(dir) {
  const server = spawnRaw(null, { args: ['--sandbox', '--sandbox-dir', dir] })
  await server.initialize()
  return server
}

let nextId = 1
/** Calls a tool; resolves to the result (isError included). */
async function callTool(server, name, args) {
  const id = `call-${nextId++}`
  server.send({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } })
  const reply = await server.next((m) => m.id === id, 30000)
  assert.ok(reply.result, JSON.stringify(reply))
  return reply.result
}

const submitArgs = (name) => ({ name, workload_type: 'batch', image: 'python:3.11-slim', command: ['true'] })
const textOf = (result) => result.content.map((c) => c.text).join('\n')

async function allJobIds(server) {
  const listed = await callTool(server, 'list_jobs', { limit: 100 })
  assert.ok(!listed.isError, textOf(listed))
  return new Set(listed.structuredContent.data.jobs.map((j) => j.job_id))
}

describe('a sandbox directory is shared by the processes using it', () => {
  test('two processes at once see each other\'s jobs, and neither loses one', async () => {
    const dir = freshDir('shared')
    const first = await startOn(dir)
    const second = await startOn(dir)
    const mine = await callTool(first, 'submit_job', submitArgs('mine'))
    assert.ok(!mine.isError, textOf(mine))
    const mineId = mine.structuredContent.data.job_id
    const seen = await callTool(second, 'get_job', { job_id: mineId })
    assert.ok(!seen.isError, textOf(seen))
    assert.equal(seen.structuredContent.data.name, 'mine')

    // Submits from both at the same time: every one acknowledged is seen by both.
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => callTool(i % 2 ? first : second, 'submit_job', submitArgs(`both-${i}`))))
    for (const r of results) assert.ok(!r.isError, textOf(r))
    const expected = [mineId, ...results.map((r) => r.structuredContent.data.job_id)]
    for (const server of [first, second]) {
      const ids = await allJobIds(server)
      for (const id of expected) assert.ok(ids.has(id), `${id} missing`)
    }
    assert.equal(await first.close(), 0)
    // The other one goes on alone, and a third finds everything after both stopped.
    assert.ok(!(await callTool(second, 'get_job', { job_id: mineId })).isError)
    assert.equal(await second.close(), 0)
    const third = await startOn(dir)
    assert.equal((await allJobIds(third)).size, expected.length)
    await third.close()
  })

  test('every submit acknowledged before kill -9 is there after restart', async () => {
    const dir = freshDir('kill')
    const first = await startOn(dir)
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => callTool(first, 'submit_job', submitArgs(`k${i}`))))
    const acknowledged = results.filter((r) => !r.isError).map((r) => r.structuredContent.data.job_id)
    assert.equal(acknowledged.length, 20, results.filter((r) => r.isError).map(textOf).join('\n'))
    first.child.kill('SIGKILL')
    await first.exited

    const second = await startOn(dir)
    const ids = await allJobIds(second)
    for (const id of acknowledged) assert.ok(ids.has(id), `${id} was acknowledged but lost`)
    await second.close()
  })

  test('on a full disk a submit either is saved or reports the failure', async (t) => {
    const dir = freshDir('full')
    const mount = join(dir, 'small')
    mkdirSync(mount)
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount], { encoding: 'utf8' })
    if (mounted.status !== 0) {
      return t.skip(`cannot make a small full disk here (mount -t tmpfs: ${(mounted.stderr || mounted.error || '').toString().trim()})`)
    }
    try {
      const server = await startOn(mount)
      const acknowledged = []
      const failures = []
      for (let i = 0; i < 80 && failures.length < 3; i++) {
        const result = await callTool(server, 'submit_job', submitArgs(`full-${i}`))
        if (result.isError) failures.push(textOf(result))
        else acknowledged.push(result.structuredContent.data.job_id)
      }
      assert.ok(acknowledged.length > 0, 'nothing fit on the disk at all')
      assert.ok(failures.length > 0, 'the disk never filled up')
      for (const failure of failures) assert.match(failure, /SANDBOX_SAVE_FAILED: The sandbox could not save this change/)
      server.child.kill('SIGKILL')
      await server.exited
      const saved = JSON.parse(readFileSync(join(mount, 'state.json'), 'utf8'))
      const ids = new Set(saved.jobs.map((j) => j.job_id))
      for (const id of acknowledged) assert.ok(ids.has(id), `${id} was acknowledged but is not on disk`)
    } finally {
      spawnSync('umount', [mount])
    }
  })
})
