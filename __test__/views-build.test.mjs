// The views are built from source (scripts/build-views.mjs) and the build is committed, because the
// binary embeds it: this fails when src/views/<view>.html is not what its sources build to.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { buildView } from '../scripts/build-views.mjs'

const SCRIPT = fileURLToPath(new URL('../scripts/build-views.mjs', import.meta.url))

test('the committed job view is exactly what its sources build to', async () => {
  const { path, html, size } = await buildView('job')
  assert.equal(readFileSync(path, 'utf8'), html, 'src/views/job.html is stale: run npm run build:views and commit it')
  assert.ok(size < 1024 * 1024, `${size} bytes`)
})

test('npm run build:views -- --check passes on a clean tree', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [SCRIPT, '--check'])
  assert.match(stdout, /src\/views\/job\.html: up to date \(\d+ bytes\)/)
})
