// No existence oracle outside the allowed folders (issue 22): upload_job_input `path` and
// get_artifact `save_to` answer a path outside the folders (or hidden below them) with the same
// refusal whether it exists or not, so an agent steered by hostile text cannot probe the disk
// (`/etc/passwd` against `/etc/nonexistent`). Inside the folders a missing file is still named.
import { after, afterEach, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFakeUpstream } from './helpers/fake-upstream.mjs'
import { connectV1, text } from './helpers/mcp.mjs'

let upstream, base, root, outside, mcp
before(async () => {
  upstream = await startFakeUpstream()
  base = realpathSync(mkdtempSync(join(tmpdir(), 'jg-oracle-')))
  root = join(base, 'root')
  outside = join(base, 'outside')
  for (const d of [root, outside, join(root, '.ssh'), join(outside, 'locked')]) mkdirSync(d, { recursive: true })
  writeFileSync(join(outside, 'secret.txt'), 'outside secret\n')
  writeFileSync(join(root, '.ssh', 'id_ed25519'), 'PRIVATE KEY\n')
  symlinkSync(join(outside, 'secret.txt'), join(root, 'link-out.txt'))
  symlinkSync(outside, join(root, 'linkdir'))
  mcp = await connectV1(upstream, { env: { JUNGLE_GRID_FILES_DIRS: root } })
})
after(async () => {
  await mcp?.close()
  await upstream.stop()
  rmSync(base, { recursive: true, force: true })
})
afterEach(() => upstream.reset())

const upload = (path) => mcp.client.callTool({ name: 'upload_job_input', arguments: { filename: 'x.txt', path } })
const save = (saveTo) => mcp.client.callTool({ name: 'get_artifact', arguments: { job_id: 'job_123', artifact_id: 'art_1', save_to: saveTo } })

/** The refusal with the path the agent gave taken out: what is left must not depend on the disk. */
async function refusal(call, path) {
  const result = await call(path)
  assert.equal(result.isError, true, text(result))
  return text(result).replaceAll(path, '<path>')
}

describe('upload_job_input path', () => {
  for (const [what, existing, missing, pattern] of [
    ['/etc', () => '/etc/passwd', () => '/etc/nonexistent-jg-22', /<path> is outside the folders this server may use/],
    ['a folder outside', () => join(outside, 'secret.txt'), () => join(outside, 'missing.txt'), /outside the folders/],
    ['a missing folder outside', () => join(outside, 'secret.txt'), () => join(outside, 'no-such-dir', 'x.txt'), /outside the folders/],
    ['.. climbing out of the root', () => join(root, '..', 'outside', 'secret.txt'), () => join(root, '..', 'outside', 'missing.txt'), /outside the folders/],
    ['.. below a missing folder in the root', () => join(root, '..', 'outside', 'secret.txt'), () => join(root, 'gone', '..', '..', 'outside', 'secret.txt'), /outside the folders/],
    ['through a symlinked folder', () => join(root, 'linkdir', 'secret.txt'), () => join(root, 'linkdir', 'missing.txt'), /outside the folders/],
    ['a hidden folder in the root', () => join(root, '.ssh', 'id_ed25519'), () => join(root, '.ssh', 'missing'), /inside a hidden file or folder \(\.ssh\)/],
  ]) {
    test(`${what}: an existing and a missing path get the same answer`, async () => {
      const a = await refusal(upload, existing())
      const b = await refusal(upload, missing())
      assert.match(a, pattern)
      assert.equal(b, a)
      assert.doesNotMatch(b, /No such file|Cannot read|os error/)
      assert.deepEqual(upstream.requests.map((r) => r.route), [], 'nothing was created upstream')
    })
  }

  test('inside the folders a missing file is still named as missing', async () => {
    const answer = await refusal(upload, join(root, 'missing.txt'))
    assert.match(answer, /Cannot read <path>: No such file/)
  })
})

describe('get_artifact save_to', () => {
  for (const [what, existing, missing] of [
    ['a folder outside', () => join(outside, 'x.bin'), () => join(outside, 'no-such-dir', 'x.bin')],
    ['/etc', () => '/etc/x.bin', () => '/nonexistent-jg-22/x.bin'],
    ['through a symlinked folder', () => join(root, 'linkdir', 'x.bin'), () => join(root, 'linkdir', 'no-such-dir', 'x.bin')],
  ]) {
    test(`${what}: an existing and a missing folder get the same answer`, async () => {
      const a = await refusal(save, existing())
      const b = await refusal(save, missing())
      assert.match(a, /<path> is outside the folders this server may use/)
      assert.equal(b, a)
      assert.deepEqual(upstream.requests.map((r) => r.route), [], 'no download URL was requested')
    })
  }

  test('inside the folders a missing folder is still named', async () => {
    assert.match(await refusal(save, join(root, 'no-such-folder', 'x.bin')), /its folder .* is not usable/)
  })
})
