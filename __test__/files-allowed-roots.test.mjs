// Local safety of the agent's files (issue 14, items 1 and 6): upload_job_input path and
// get_artifact save_to only inside the allowed roots (configured folders narrowed to the client's MCP
// roots, else the home folder), never hidden paths, symlinks resolved, regular files only, safe
// writes (random exclusive temp file, atomic no-clobber rename). Real files, symlinks, a FIFO,
// /dev/zero and /proc through the official TypeScript client and the library; every refusal is
// asserted to have created nothing upstream.
import { after, afterEach, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { API_KEY, startFakeUpstream } from './helpers/fake-upstream.mjs'
import { BIN, connectV1, hostEnv, text } from './helpers/mcp.mjs'

const require = createRequire(import.meta.url)
const { JungleGridClient } = require('../lib/index.js')

let upstream
let base // a private temp folder: root/ is allowed, outside/ is not
let root
let outside
before(async () => {
  upstream = await startFakeUpstream()
  base = realpathSync(mkdtempSync(join(tmpdir(), 'jg-files-')))
  root = join(base, 'root')
  outside = join(base, 'outside')
  for (const d of [root, outside, join(root, 'a'), join(root, 'b'), join(root, '.ssh'), join(root, 'dir')]) mkdirSync(d, { recursive: true })
  writeFileSync(join(root, 'in.txt'), 'inside bytes\n')
  writeFileSync(join(root, 'a', 'a.txt'), 'a')
  writeFileSync(join(root, 'b', 'b.txt'), 'b')
  writeFileSync(join(root, '.env'), 'SECRET=1\n')
  writeFileSync(join(root, '.ssh', 'id_ed25519'), 'PRIVATE KEY\n')
  writeFileSync(join(outside, 'secret.txt'), 'outside secret\n')
  symlinkSync(join(outside, 'secret.txt'), join(root, 'link-out.txt'))
  symlinkSync(join(root, 'in.txt'), join(root, 'link-in.txt'))
  symlinkSync(outside, join(root, 'linkdir'))
  execFileSync('mkfifo', [join(root, 'fifo')])
})
after(async () => {
  await upstream.stop()
  rmSync(base, { recursive: true, force: true })
})
afterEach(() => upstream.reset())

const upload = (mcp, path) => mcp.client.callTool({ name: 'upload_job_input', arguments: { filename: 'x.txt', path } })
const save = (mcp, saveTo, extra = {}) => mcp.client.callTool({ name: 'get_artifact', arguments: { job_id: 'job_123', artifact_id: 'art_1', save_to: saveTo, ...extra } })
const routes = () => upstream.requests.map((r) => r.route)

function assertRefused(result, pattern) {
  assert.equal(result.isError, true, text(result))
  assert.match(text(result), pattern)
}

describe('configured roots (JUNGLE_GRID_FILES_DIRS), a client without roots', () => {
  let mcp
  before(async () => {
    mcp = await connectV1(upstream, { env: { JUNGLE_GRID_FILES_DIRS: root } })
  })
  after(() => mcp.close())

  test('a regular file inside the root is uploaded with its real bytes and size', async () => {
    const result = await upload(mcp, join(root, 'in.txt'))
    assert.equal(result.isError, false, text(result))
    assert.equal(upstream.stored.get('inp_123').toString(), 'inside bytes\n')
    assert.equal(upstream.requests.find((r) => r.route === 'complete').body.size_bytes, 13)
  })

  test('a symlink inside the root to a file inside it is followed', async () => {
    const result = await upload(mcp, join(root, 'link-in.txt'))
    assert.equal(result.isError, false, text(result))
    assert.equal(upstream.stored.get('inp_123').toString(), 'inside bytes\n')
  })

  for (const [name, path, pattern] of [
    ['a file outside the roots', () => join(outside, 'secret.txt'), /FORBIDDEN: .*secret\.txt is outside the folders this server may use: .*root \(configured\).*--allow-dir DIR \(repeatable\) or JUNGLE_GRID_FILES_DIRS/],
    ['/etc/passwd', () => '/etc/passwd', /FORBIDDEN: \/etc\/passwd is outside the folders/],
    ['a symlink in the root pointing outside', () => join(root, 'link-out.txt'), /FORBIDDEN: .*link-out\.txt is outside the folders/],
    ['a path through a symlinked folder pointing outside', () => join(root, 'linkdir', 'secret.txt'), /is outside the folders/],
    ['.. climbing out of the root', () => join(root, '..', 'outside', 'secret.txt'), /is outside the folders/],
    ['a hidden file', () => join(root, '.env'), /FORBIDDEN: .*\.env is inside a hidden file or folder \(\.env\)/],
    ['a file in a hidden folder', () => join(root, '.ssh', 'id_ed25519'), /inside a hidden file or folder \(\.ssh\)/],
    ['a directory', () => join(root, 'dir'), /dir is a directory; only regular files can be uploaded/],
    ['a FIFO (without hanging)', () => join(root, 'fifo'), /fifo is not a regular file/],
    ['a missing file', () => join(root, 'missing.txt'), /Cannot read .*missing\.txt/],
  ]) {
    test(`upload refuses ${name} before anything is created upstream`, async () => {
      assertRefused(await upload(mcp, path()), pattern)
      assert.deepEqual(routes(), [], 'no upload slot, no storage request')
    })
  }

  test('save_to inside the root writes the bytes; outside, hidden or through a link is refused before any request', async () => {
    upstream.stored.set('art_1', Buffer.from('artifact bytes'))
    const dest = join(root, 'out.bin')
    const ok = await save(mcp, dest)
    assert.equal(ok.isError, false, text(ok))
    assert.equal(readFileSync(dest, 'utf8'), 'artifact bytes')
    upstream.reset()
    for (const [target, pattern] of [
      [join(outside, 'x.bin'), /is outside the folders/],
      [join(root, '.bashrc'), /hidden file or folder \(\.bashrc\)/],
      [join(root, '.ssh', 'authorized_keys'), /hidden file or folder \(\.ssh\)/],
      [join(root, 'linkdir', 'x.bin'), /is outside the folders/],
      [join(root, 'no-such-folder', 'x.bin'), /its folder .* is not usable/],
    ]) {
      assertRefused(await save(mcp, target), pattern)
    }
    assert.deepEqual(routes(), [], 'no download URL was even requested')
    assert.equal(existsSync(join(outside, 'x.bin')), false)
    assert.equal(existsSync(join(root, '.bashrc')), false)
  })

  test("the agent's overwrite: true does not replace a file unless the user allowed it", async () => {
    const dest = join(root, 'keep.txt')
    writeFileSync(dest, 'original')
    assertRefused(await save(mcp, dest), /already exists/)
    assertRefused(await save(mcp, dest, { overwrite: true }), /does not replace files; the user can allow it with --allow-overwrite or JUNGLE_GRID_ALLOW_OVERWRITE=1/)
    assert.equal(readFileSync(dest, 'utf8'), 'original')
  })

  test('an existing symlink at the destination is neither followed nor replaced', async () => {
    const victim = join(outside, 'victim.txt')
    writeFileSync(victim, 'victim')
    const dest = join(root, 'planted-link.txt')
    symlinkSync(victim, dest)
    assertRefused(await save(mcp, dest), /outside the folders|already exists/)
    assert.equal(readFileSync(victim, 'utf8'), 'victim')
    assert.equal(lstatSync(dest).isSymbolicLink(), true)
  })

  test('a link planted at the old temporary name is not followed', async () => {
    const victim = join(outside, 'victim2.txt')
    writeFileSync(victim, 'victim')
    const dest = join(root, 'fresh.bin')
    // The old writer used `<dest>.<pid>.part`; plant that name (and a few neighbours) as links.
    const pid = mcp.transport.pid
    for (const name of [`fresh.bin.${pid}.part`, 'fresh.bin.part', '.fresh.bin.part']) symlinkSync(victim, join(root, name))
    upstream.stored.set('art_1', Buffer.from('artifact'))
    const result = await save(mcp, dest)
    assert.equal(result.isError, false, text(result))
    assert.equal(readFileSync(dest, 'utf8'), 'artifact')
    assert.equal(readFileSync(victim, 'utf8'), 'victim')
    assert.equal(readlinkSync(join(root, `fresh.bin.${pid}.part`)), victim)
  })
})

describe('settings', () => {
  test('--allow-dir opens exactly the folders named, and --allow-overwrite lets overwrite: true replace', async () => {
    const mcp = await connectV1(upstream, { args: ['--allow-dir', join(root, 'a'), '--allow-dir', join(root, 'b'), '--allow-overwrite'], env: { JUNGLE_GRID_FILES_DIRS: outside } })
    try {
      assert.equal((await upload(mcp, join(root, 'a', 'a.txt'))).isError, false)
      assert.equal((await upload(mcp, join(root, 'b', 'b.txt'))).isError, false)
      upstream.reset()
      assertRefused(await upload(mcp, join(root, 'in.txt')), /is outside the folders/)
      assertRefused(await upload(mcp, join(outside, 'secret.txt')), /is outside the folders/) // the flag wins over the variable
      assert.deepEqual(routes(), [])
      const dest = join(root, 'a', 'a.txt')
      upstream.stored.set('art_1', Buffer.from('replaced'))
      const result = await save(mcp, dest, { overwrite: true })
      assert.equal(result.isError, false, text(result))
      assert.equal(readFileSync(dest, 'utf8'), 'replaced')
      assertRefused(await save(mcp, join(root, 'b', 'b.txt')), /already exists/) // without overwrite: true
    } finally {
      await mcp.close()
    }
  })

  test('without settings the home folder is the root (hidden files still refused)', async () => {
    const mcp = await connectV1(upstream, { env: { HOME: root } })
    try {
      assert.equal((await upload(mcp, join(root, 'in.txt'))).isError, false)
      upstream.reset()
      assertRefused(await upload(mcp, join(outside, 'secret.txt')), /outside the folders this server may use: .*root \(the default: your home folder\)/)
      assertRefused(await upload(mcp, join(root, '.env')), /hidden/)
      assert.deepEqual(routes(), [])
    } finally {
      await mcp.close()
    }
  })

  test('a configured folder that does not exist stops the server with a Fatal line', () => {
    let failure
    try {
      execFileSync(process.execPath, [BIN], { env: hostEnv(upstream, { JUNGLE_GRID_FILES_DIRS: join(base, 'nope') }), stdio: 'pipe' })
    } catch (error) {
      failure = error
    }
    assert.ok(failure, 'the server should not start')
    assert.equal(failure.status, 1)
    assert.match(failure.stderr.toString(), /Fatal: JUNGLE_GRID_FILES_DIRS must name existing folders by absolute path; ".*nope" does not exist\./)
  })
})

describe("the client's MCP roots narrow the configured ones", () => {
  let client
  let transport
  let roots
  let asked = 0
  let waiters = []
  before(async () => {
    roots = [{ uri: `file://${join(root, 'a')}`, name: 'a' }, { uri: `file://${outside}`, name: 'outside' }]
    transport = new StdioClientTransport({ command: process.execPath, args: [BIN], env: hostEnv(upstream, { JUNGLE_GRID_FILES_DIRS: root }), stderr: 'pipe' })
    client = new Client({ name: 'roots-client', version: '1.0.0' }, { capabilities: { roots: { listChanged: true } } })
    client.setRequestHandler(ListRootsRequestSchema, async () => {
      asked++
      for (const w of waiters.splice(0)) w()
      return { roots }
    })
    await client.connect(transport)
  })
  after(() => client.close())
  const call = (path) => client.callTool({ name: 'upload_job_input', arguments: { filename: 'x.txt', path } })

  test('only paths inside both a configured root and a client root are allowed', async () => {
    assert.equal((await call(join(root, 'a', 'a.txt'))).isError, false)
    assert.ok(asked >= 1, 'the server asked for roots/list')
    upstream.reset()
    const refused = await call(join(root, 'b', 'b.txt'))
    assertRefused(refused, /outside the folders this server may use: .*root \(configured\), narrowed to the client's roots .*[/]a/)
    // A client root outside the configured ones does not widen them.
    assertRefused(await call(join(outside, 'secret.txt')), /outside the folders/)
    assert.deepEqual(routes(), [])
  })

  test('roots/list_changed makes the server read the roots again', async () => {
    roots = [{ uri: `file://${join(root, 'b')}` }]
    const seen = asked
    const askedAgain = new Promise((resolve) => waiters.push(resolve))
    await client.sendRootsListChanged()
    await askedAgain
    assert.equal(asked, seen + 1)
    assert.equal((await call(join(root, 'b', 'b.txt'))).isError, false)
    upstream.reset()
    assertRefused(await call(join(root, 'a', 'a.txt')), /outside the folders/)
    assert.deepEqual(routes(), [])
  })
})

describe('the library: not confined, but the same safe open and safe write', () => {
  let jg
  before(() => {
    jg = new JungleGridClient({ apiKey: API_KEY, apiBase: upstream.base })
  })

  test('uploadFile refuses a FIFO, /dev/zero and a directory before any request', async () => {
    for (const [path, pattern] of [[join(root, 'fifo'), /not a regular file/], ['/dev/zero', /not a regular file/], [join(root, 'dir'), /is a directory/]]) {
      await assert.rejects(jg.uploadFile(path, { filename: 'x' }), (e) => e.code === 'INVALID_ARGUMENT' && pattern.test(e.message))
    }
    assert.deepEqual(routes(), [])
  })

  test('a /proc file (size 0 on stat) uploads its real bytes and byte count', { skip: !existsSync('/proc/self/status') && 'no /proc on this system' }, async () => {
    const input = await jg.uploadFile('/proc/self/status', { filename: 'status.txt' })
    const stored = upstream.stored.get('inp_123')
    assert.ok(stored.length > 0)
    assert.equal(upstream.requests.find((r) => r.route === 'complete').body.size_bytes, stored.length)
    assert.equal(input.size_bytes, stored.length)
  })

  test('downloadArtifact never replaces a file unless overwrite: true', async () => {
    const dest = join(outside, 'lib-out.txt')
    writeFileSync(dest, 'mine')
    upstream.stored.set('art_1', Buffer.from('theirs'))
    await assert.rejects(jg.downloadArtifact('job_123', 'art_1', dest), (e) => e.code === 'INVALID_ARGUMENT' && /already exists/.test(e.message))
    assert.equal(readFileSync(dest, 'utf8'), 'mine')
    await assert.rejects(jg.downloadArtifact('job_123', 'art_1', dest, { overwrite: 'yes' }), (e) => e.code === 'INVALID_ARGUMENT' && /overwrite must be true or false/.test(e.message))
    const done = await jg.downloadArtifact('job_123', 'art_1', dest, { overwrite: true })
    assert.equal(done.bytes, 6)
    assert.equal(readFileSync(dest, 'utf8'), 'theirs')
    const fresh = join(outside, 'lib-new.txt')
    await jg.downloadArtifact('job_123', 'art_1', fresh)
    assert.equal(readFileSync(fresh, 'utf8'), 'theirs')
  })
})
