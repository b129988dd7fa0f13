// Issue 14 items 2 and 3: API calls follow no redirects (a 3xx is an error, never retried, and
// nothing reaches the other host); signed URLs never reach loopback, link-local or private
// addresses unless the API base is one; upstream text reaches the agent without control or bidi
// characters. Through the official MCP client and the JS library, against the one fake API.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { API_KEY, SIGNATURE, FakeUpstream } from './helpers/fake-upstream.mjs'
import { connectV1, fakeApis, text } from './helpers/mcp.mjs'

const require = createRequire(import.meta.url)
const { JungleGridClient } = require('../lib/index.js')

const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/

const SUBMIT = { name: 'secret-env', workload_type: 'batch', image: 'python:3.11-slim', command: ['true'], env: { HF_TOKEN: 'hf_SECRET_value' } }

describe('the API client follows no redirects', () => {
  let upstream
  let elsewhere
  let mcp
  fakeApis(2, ([a, b]) => {
    upstream = a
    elsewhere = b
  })
  before(async () => {
    mcp = await connectV1(upstream)
  })
  after(() => mcp.close())

  test('a 307 on submit_job is an error and the other host receives nothing', async () => {
    upstream.override('submit', { status: 307, headers: { location: `${elsewhere.base}/v1/mcp/jobs` } })
    const result = await mcp.client.callTool({ name: 'submit_job', arguments: SUBMIT })
    assert.equal(result.isError, true)
    assert.match(text(result), /UNEXPECTED_REDIRECT/)
    assert.match(text(result), /status 307/)
    assert.match(text(result), /does not redirect/)
    assert.doesNotMatch(text(result), /job_123/)
    assert.equal(elsewhere.requests.length, 0, 'the redirect target got a request')
    assert.equal(upstream.apiRequests().filter((r) => r.route === 'submit').length, 1)
  })

  test('a 302 on a read is an error, not the other host\'s JSON', async () => {
    elsewhere.fixtures.job = { job_id: 'job_from_elsewhere', status: 'completed' }
    upstream.override('job', { status: 302, headers: { location: `${elsewhere.base}/v1/mcp/jobs/job_123` } })
    const result = await mcp.client.callTool({ name: 'get_job', arguments: { job_id: 'job_123' } })
    assert.equal(result.isError, true)
    assert.match(text(result), /UNEXPECTED_REDIRECT.*status 302/)
    assert.doesNotMatch(text(result), /job_from_elsewhere/)
    assert.equal(elsewhere.requests.length, 0)
  })

  test('a redirect loop costs one request, not a retry storm', async () => {
    upstream.override('job', { status: 302, headers: { location: '/v1/mcp/jobs/job_123' }, times: 50 })
    const result = await mcp.client.callTool({ name: 'get_job', arguments: { job_id: 'job_123' } })
    assert.equal(result.isError, true)
    assert.equal(upstream.apiRequests().filter((r) => r.route === 'job').length, 1)
  })

  test('control and bidi characters in an API error never reach the agent', async () => {
    upstream.override('job', {
      status: 400,
      body: { ok: false, error: { code: 'BAD\u001b[2J', message: 'evil\u001b[31m \u202etxt.exe\u2066x\u2069 \u200fa\u061c\r\nline two\u0007\u009b' } },
    })
    const result = await mcp.client.callTool({ name: 'get_job', arguments: { job_id: 'job_123' } })
    assert.equal(result.isError, true)
    assert.doesNotMatch(text(result), UNSAFE)
    assert.match(text(result), /evil\[31m txt\.exex a\nline two/)
    assert.doesNotMatch(JSON.stringify(result), /\\u001b|\\u202e|\u202e/)
  })

  test('every string of an API answer is cleaned, keys included', async () => {
    upstream.fixtures.job = { job_id: 'job_123', status: 'running', name: 'run\u001b]0;pwned\u0007\u202e', ['note\u0000']: 'a\tb\nc\u0085' }
    const result = await mcp.client.callTool({ name: 'get_job', arguments: { job_id: 'job_123' } })
    assert.ok(!result.isError, text(result))
    assert.doesNotMatch(text(result), UNSAFE)
    assert.doesNotMatch(JSON.stringify(result.structuredContent), /\\u00(0|1)[0-9a-f]|\\u0085|\u202e/)
    assert.match(JSON.stringify(result.structuredContent), /run\]0;pwned/)
  })
})

/** A non-loopback IPv4 address of this machine, or null. */
function outsideAddress() {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list || []) if (a.family === 'IPv4' && !a.internal) return a.address
  }
  return null
}

describe('signed URLs only reach the API base\'s kind of address', () => {
  let upstream
  let other
  let tmp
  fakeApis(2, ([a, b]) => {
    upstream = a
    other = b
  })
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'jg-redirects-'))
  })
  after(() => rmSync(tmp, { recursive: true, force: true }))

  const client = (base) => new JungleGridClient({ apiKey: API_KEY, apiBase: base })

  test('a download URL at the cloud metadata address is refused (loopback API)', async () => {
    upstream.fixtures.download.download_url = 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'
    const dest = join(tmp, 'meta.txt')
    await assert.rejects(client(upstream.base).downloadArtifact('job_123', 'art_1', dest), (e) => {
      assert.equal(e.name, 'JungleGridError')
      assert.equal(e.code, 'UNSAFE_TRANSFER_URL')
      assert.match(e.message, /169\.254\.169\.254.*link-local/)
      return true
    })
    assert.equal(existsSync(dest), false)
  })

  test('an upload URL at the metadata address gets no bytes and the upload is not completed', async () => {
    upstream.fixtures.upload.upload.upload_url = `http://169.254.169.254/latest/user-data?${SIGNATURE}`
    await assert.rejects(client(upstream.base).uploadFile(Buffer.from('secret bytes'), { filename: 'a.txt' }), (e) => {
      assert.equal(e.code, 'UNSAFE_TRANSFER_URL')
      assert.match(e.message, /link-local/)
      return true
    })
    assert.deepEqual(upstream.apiRequests().map((r) => r.route), ['upload'])
  })

  test('a signed URL redirecting to the metadata address is refused', async () => {
    other.override('job', { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } })
    upstream.fixtures.download.download_url = `${other.base}/v1/mcp/jobs/hop?${SIGNATURE}`
    await assert.rejects(client(upstream.base).downloadArtifact('job_123', 'art_1', join(tmp, 'hop.txt')), (e) => {
      assert.equal(e.code, 'UNSAFE_TRANSFER_URL')
      assert.match(e.message, /link-local/)
      return true
    })
  })

  test('a same-scheme redirect between allowed hosts is followed without the API key', async () => {
    other.override('job', { status: 302, headers: { location: `${upstream.base}/storage/art_1?${SIGNATURE}` } })
    upstream.fixtures.download.download_url = `${other.base}/v1/mcp/jobs/hop?${SIGNATURE}`
    const dest = join(tmp, 'followed.txt')
    const result = await client(upstream.base).downloadArtifact('job_123', 'art_1', dest)
    assert.equal(result.bytes, 12)
    const hops = [...other.requests, ...upstream.requests.filter((r) => r.route === 'storage')]
    assert.equal(hops.length, 2)
    for (const hop of hops) assert.equal(hop.headers.authorization, undefined, `${hop.url} got the key`)
  })

  test('loopback download URLs are refused when the API is not on loopback', async (t) => {
    const address = outsideAddress()
    if (!address) return t.skip('this machine has no non-loopback IPv4 address to serve the fake API on')
    // The same fake API, reached through this machine's network address: to the client the API
    // base is then not loopback, like a real deployment.
    const outside = await new FakeUpstream().start(address)
    try {
      for (const url of [`${upstream.base}/storage/art_1?${SIGNATURE}`, `http://localhost:${upstream.base.split(':').pop()}/storage/art_1?${SIGNATURE}`]) {
        outside.fixtures.download.download_url = url
        await assert.rejects(client(outside.base).downloadArtifact('job_123', 'art_1', join(tmp, 'local.txt')), (e) => {
          assert.equal(e.code, 'UNSAFE_TRANSFER_URL', e.message)
          assert.match(e.message, /loopback/)
          return true
        })
      }
      assert.equal(upstream.requests.length, 0, 'the loopback service was reached')
      // Its own storage, on the API's address, still works.
      outside.fixtures.download.download_url = `${outside.base}/storage/art_1?${SIGNATURE}`
      const ok = await client(outside.base).downloadArtifact('job_123', 'art_1', join(tmp, 'outside.txt'))
      assert.equal(ok.bytes, 12)
    } finally {
      await outside.stop()
    }
  })
})
