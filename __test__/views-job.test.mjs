// The job view (MCP Apps) in a real browser: headless Chromium (@sparticuz/chromium driven by
// playwright-core), the reference host bridge of @modelcontextprotocol/ext-apps (AppBridge +
// PostMessageTransport) in a host page, the view in a sandboxed iframe on another origin under the
// CSP a host builds from the resource's metadata, and behind it the real server in sandbox mode,
// reached through the official MCP client as a host's backend reaches it. The view's HTML comes
// from the server: tools/list names it (`_meta.ui.resourceUri`), resources/read serves it.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { browserSetupMissing, launchBrowser, startViewHost } from './helpers/browser.mjs'
import { connectV1, connectV2, text, waitFor } from './helpers/mcp.mjs'

const skip = browserSetupMissing()
const UI = { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } }
const SHOTS = fileURLToPath(new URL('./.tmp/views/', import.meta.url))
const DOCS = fileURLToPath(new URL('../docs/images/', import.meta.url))
const HOST_CAPABILITIES = { openLinks: {}, serverTools: {}, logging: {}, updateModelContext: { text: {} } }

/** Theme variables as a host sends them (a subset of the standard names, light-dark() values). */
const HOST_STYLES = {
  variables: {
    '--color-background-primary': 'light-dark(#faf9f5, #262624)',
    '--color-background-secondary': 'light-dark(#f0eee6, #30302e)',
    '--color-text-primary': 'light-dark(#141413, #faf9f5)',
    '--color-text-secondary': 'light-dark(#5e5d59, #b7b5a9)',
    '--color-border-primary': 'light-dark(#dedcd1, #4a4945)',
    '--font-sans': 'system-ui, sans-serif',
  },
}

const SUBMIT = { name: 'llama-finetune-demo', workload_type: 'fine_tuning', model_size: 7, image: 'jungle/trainer:1', command: 'python train.py', expected_artifacts: ['/workspace/artifacts/adapter.safetensors', '/workspace/artifacts/metrics.json'] }

/** The view's resource as a host gets it: the URI from tools/list, the HTML from resources/read. */
async function readView(mcp) {
  const { tools } = await mcp.client.listTools()
  const uri = tools.find((t) => t.name === 'submit_job')?._meta?.ui?.resourceUri
  assert.match(uri ?? '', /^ui:\/\//, 'submit_job names its view')
  const read = await mcp.client.readResource({ uri })
  const [content] = read.contents
  assert.equal(content.mimeType, 'text/html;profile=mcp-app')
  return { uri, html: content.text, csp: content._meta?.ui?.csp ?? {} }
}

describe('the job view in a browser, inside the reference host bridge', { skip }, () => {
  let browser, web, fast, slow

  before(async () => {
    // fast: a sandbox job ends in under a second; slow: it stays queued for minutes.
    fast = await connectV1(null, { args: ['--sandbox', '--sandbox-time-scale', '50'], capabilities: UI })
    slow = await connectV1(null, { args: ['--sandbox', '--sandbox-time-scale', '0.1'], capabilities: UI })
    const view = await readView(fast)
    web = await startViewHost({
      '/job.html': view,
      // A control page under the same policy: it must be refused, or "no violations" proves nothing.
      '/probe.html': { html: '<!doctype html><img src="http://127.0.0.1:9/x.png">', csp: view.csp },
    })
    browser = await launchBrowser()
  })

  after(async () => {
    await browser?.close()
    await web?.stop()
    await fast?.close()
    await slow?.close()
  })

  /** A host page with the view mounted and initialized; every message it sends is recorded. */
  async function mount(mcp, { theme = 'light', width = 640 } = {}) {
    const page = await browser.newPage({ viewport: { width: width + 40, height: 1000 }, colorScheme: theme })
    const record = { calls: [], links: [], contexts: [], events: [], console: [] }
    page.on('console', (message) => record.console.push(message.text()))
    await page.exposeFunction('hostCallTool', async (params) => {
      record.calls.push(params)
      return mcp.client.callTool(params)
    })
    await page.exposeFunction('hostOpenLink', (url) => record.links.push(url))
    await page.exposeFunction('hostModelContext', (params) => record.contexts.push(params))
    await page.exposeFunction('hostEvent', (event) => record.events.push(event))
    await page.goto(web.hostUrl)
    const hostContext = {
      theme,
      styles: HOST_STYLES,
      locale: 'en-US',
      timeZone: 'UTC',
      displayMode: 'inline',
      platform: 'web',
      containerDimensions: { width, maxHeight: 2000 },
    }
    await page.evaluate((options) => window.mountView(options), { src: web.viewUrl('/job.html'), hostContext, capabilities: HOST_CAPABILITIES })
    await waitFor(() => record.events.find((e) => e.type === 'initialized'), { what: 'ui/notifications/initialized' })
    const frame = page.frameLocator('iframe')
    /** The host's part of a tool call: the input, then the result. */
    const show = (args, result) =>
      page.evaluate(async ([args, result]) => {
        await window.bridge.sendToolInput({ arguments: args })
        await window.bridge.sendToolResult(result)
      }, [args, result])
    const calledTools = () => record.calls.map((c) => c.name)
    return { page, frame, record, show, calledTools }
  }

  test('the CSP the host builds refuses loads from elsewhere (control)', async () => {
    const page = await browser.newPage()
    const refused = []
    page.on('console', (message) => refused.push(message.text()))
    await page.goto(web.viewUrl('/probe.html'))
    await waitFor(() => refused.some((t) => /Content Security Policy/i.test(t)), { what: 'a CSP refusal of the probe image' })
    await page.close()
  })

  for (const [generation, connect] of [['2025 (initialize)', connectV1], ['2026-07-28 (stateless)', connectV2]]) {
    test(`handshake, a submit_job result, following the job to completed, then stopping (${generation})`, async () => {
      const mcp = await connect(null, { args: ['--sandbox', '--sandbox-time-scale', '50'], capabilities: UI })
      try {
        const { page, frame, record, show, calledTools } = await mount(mcp)
        const initialized = record.events.find((e) => e.type === 'initialized')
        assert.equal(initialized.app.name, 'junglegrid-job-view')
        assert.deepEqual(initialized.capabilities.availableDisplayModes, ['inline'])

        const submitted = await mcp.call('submit_job', SUBMIT)
        assert.ok(!submitted.isError, text(submitted))
        const jobId = submitted.structuredContent.data.job_id
        await show(SUBMIT, submitted)

        await frame.locator('#job-name', { hasText: SUBMIT.name }).waitFor()
        await frame.locator('#job-id', { hasText: jobId }).waitFor()
        assert.equal(await frame.locator('#simulated').isVisible(), true, 'sandbox jobs are labelled simulated')
        await frame.locator('#status[data-status="completed"]').waitFor({ timeout: 30_000 })
        await frame.locator('#following', { hasText: 'No longer following' }).waitFor()

        // What a completed job shows: timeline, logs, artifacts with sizes, the cost.
        assert.ok((await frame.locator('#timeline li').count()) >= 3, 'the timeline has the lifecycle events')
        assert.match(await frame.locator('#logs').innerText(), /simulated step 3\/3/)
        const artifacts = frame.locator('#artifacts li')
        assert.ok((await artifacts.count()) >= 1)
        assert.match(await artifacts.first().innerText(), /\S+\s+\d+(\.\d)? (B|KB)\s+Download/)
        assert.match(await frame.locator('#cost').innerText(), /Estimate\s+\$\d+\.\d+/)
        assert.match(await frame.locator('#cost').innerText(), /nothing \(simulated\)/)
        assert.equal(await frame.locator('#cancel').isVisible(), false, 'no cancel for an ended job')

        // It followed through tools/call (job, events, logs; artifacts once it completed) ...
        const tools = new Set(calledTools())
        for (const name of ['get_job', 'get_job_events', 'get_job_logs', 'list_artifacts']) assert.ok(tools.has(name), name)
        assert.ok(record.calls.every((c) => c.arguments.job_id === jobId))
        // ... and stopped: a full round trip with the view later, not one call more.
        const calls = record.calls.length
        await page.evaluate(() => window.bridge.sendHostContextChange({ theme: 'dark' }))
        await frame.locator('html[data-theme="dark"]').waitFor()
        assert.equal(record.calls.length, calls)

        // The model got one short line per status, never a URL or a log line.
        const lines = record.contexts.map((c) => c.content.map((b) => b.text).join(''))
        assert.ok(lines.some((l) => l.includes(jobId) && /completed/.test(l)), lines.join('\n'))
        assert.ok(lines.every((l) => !/https?:|simulated step/.test(l) && l.length < 300), lines.join('\n'))
        // It reported its size; it loaded nothing (no CSP refusal).
        assert.ok(record.events.some((e) => e.type === 'size' && e.height > 100))
        assert.deepEqual(record.console.filter((t) => /Content Security Policy|Refused to/i.test(t)), [])
        await page.close()
      } finally {
        await mcp.close()
      }
    })
  }

  test('a failed job: the failure and its reason, the last lines, no cancel, and it stops', async () => {
    const { page, frame, record, show } = await mount(fast)
    const failing = { ...SUBMIT, name: 'bad-run', command: 'python train.py; exit 2' }
    const submitted = await fast.call('submit_job', failing)
    await show(failing, submitted)
    await frame.locator('#status[data-status="failed"]').waitFor({ timeout: 30_000 })
    await frame.locator('#following', { hasText: 'No longer following' }).waitFor()
    assert.match(await frame.locator('#status-message').innerText(), /exited with code 2/)
    assert.match(await frame.locator('#logs').innerText(), /simulated failure requested by the command/)
    assert.equal(await frame.locator('#cancel').isVisible(), false)
    const lines = record.contexts.map((c) => c.content.map((b) => b.text).join(''))
    assert.ok(lines.some((l) => /failed/.test(l)), lines.join('\n'))
    await page.close()
  })

  for (const tool of ['get_job', 'wait_for_job']) {
    test(`a ${tool} result shows the job it names`, async () => {
      const submitted = await fast.call('submit_job', { ...SUBMIT, name: `via-${tool}` })
      const jobId = submitted.structuredContent.data.job_id
      const result = await fast.call(tool, { job_id: jobId })
      assert.ok(!result.isError, text(result))
      const { page, frame, show } = await mount(fast)
      await show({ job_id: jobId }, result)
      await frame.locator('#job-id', { hasText: jobId }).waitFor()
      await frame.locator('#job-name', { hasText: `via-${tool}` }).waitFor()
      await frame.locator('#status[data-status="completed"]').waitFor({ timeout: 30_000 })
      await frame.locator('#artifacts li').first().waitFor()
      await page.close()
    })
  }

  test('a download opens through ui/open-link on a click only, and the signed URL goes nowhere else', async () => {
    const { page, frame, record, show, calledTools } = await mount(fast)
    const submitted = await fast.call('submit_job', SUBMIT)
    await show(SUBMIT, submitted)
    await frame.locator('#status[data-status="completed"]').waitFor({ timeout: 30_000 })
    await frame.locator('#artifacts li button').first().waitFor()
    assert.ok(!calledTools().includes('get_artifact'), 'no download before the click')
    assert.deepEqual(record.links, [])

    await frame.locator('#artifacts li button').first().click()
    await waitFor(() => record.links.length === 1, { what: 'ui/open-link' })
    const [url] = record.links
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/sandbox\/downloads\/\S+$/)
    assert.ok(calledTools().includes('get_artifact'))
    assert.ok(!(await frame.locator('html').innerHTML()).includes(url), 'the URL is never shown')
    assert.ok(!JSON.stringify(record.contexts).includes(url), 'the URL never reaches the model')
    await page.close()
  })

  test('cancel asks first (Escape keeps the job), then cancels it, by keyboard', async () => {
    const { page, frame, record, show, calledTools } = await mount(slow)
    const submitted = await slow.call('submit_job', { ...SUBMIT, name: 'to-cancel' })
    const jobId = submitted.structuredContent.data.job_id
    await show({ ...SUBMIT, name: 'to-cancel' }, submitted)
    await frame.locator('#status[data-status="queued"]').waitFor()

    await frame.locator('#cancel').focus()
    await page.keyboard.press('Enter')
    await frame.locator('#confirm').waitFor()
    assert.match(await frame.locator('#confirm-text').innerText(), new RegExp(`Cancel "to-cancel" \\(${jobId}\\)\\?`))
    assert.equal(await frame.locator('#confirm-no').evaluate((el) => el === document.activeElement), true, 'focus goes to the safe choice')
    await page.keyboard.press('Escape')
    await frame.locator('#confirm').waitFor({ state: 'hidden' })
    assert.equal(await frame.locator('#cancel').evaluate((el) => el === document.activeElement), true)
    assert.ok(!calledTools().includes('cancel_job'), 'nothing is cancelled without confirmation')

    await page.keyboard.press('Enter')
    await frame.locator('#confirm').waitFor()
    await page.keyboard.press('Shift+Tab')
    assert.equal(await frame.locator('#confirm-yes').evaluate((el) => el === document.activeElement), true)
    await page.keyboard.press('Enter')
    await frame.locator('#status[data-status="cancelled"]').waitFor()
    await frame.locator('#following', { hasText: 'No longer following' }).waitFor()
    assert.deepEqual(record.calls.filter((c) => c.name === 'cancel_job').map((c) => c.arguments), [{ job_id: jobId }])
    const job = await slow.call('get_job', { job_id: jobId })
    assert.equal(job.structuredContent.data.status, 'cancelled', 'the server cancelled the job')
    await page.close()
  })

  test('the host tearing the view down stops it', async () => {
    const { page, frame, record, show } = await mount(slow)
    const submitted = await slow.call('submit_job', { ...SUBMIT, name: 'torn-down' })
    await show(SUBMIT, submitted)
    await frame.locator('#status[data-status="queued"]').waitFor()
    await waitFor(() => record.calls.some((c) => c.name === 'get_job'), { what: 'a get_job from the view' })
    const answer = await page.evaluate(() => window.bridge.teardownResource({ reason: 'test' }))
    assert.deepEqual(answer, {})
    await frame.locator('#following', { hasText: 'Stopped following' }).waitFor()
    await page.close()
  })

  test('a connection that offers fewer tools: the view says what it cannot show and still follows the job', async () => {
    const narrow = await connectV1(null, { args: ['--sandbox', '--sandbox-time-scale', '50', '--tools', 'submit_job,get_job,cancel_job'], capabilities: UI })
    try {
      const { page, frame, show, calledTools } = await mount(narrow)
      const submitted = await narrow.call('submit_job', SUBMIT)
      await show(SUBMIT, submitted)
      await frame.locator('#status[data-status="completed"]').waitFor({ timeout: 30_000 })
      await frame.locator('#timeline-empty', { hasText: 'not available' }).waitFor()
      await frame.locator('#logs-empty', { hasText: 'not available' }).waitFor()
      await frame.locator('#artifacts-empty', { hasText: 'not available' }).waitFor()
      // Each refused tool was asked once, then left alone.
      const asked = calledTools()
      for (const name of ['get_job_events', 'get_job_logs', 'list_artifacts']) {
        assert.equal(asked.filter((n) => n === name).length, 1, `${name}: ${asked.join(' ')}`)
      }
      assert.equal(await frame.locator('#error').isVisible(), false, 'not an error: the job is followed')
      await page.close()
    } finally {
      await narrow.close()
    }
  })

  test('an error result is shown, and the view calls nothing', async () => {
    const { page, frame, record, show } = await mount(fast)
    const failed = await fast.call('get_job', { job_id: 'job_does_not_exist' })
    assert.equal(failed.isError, true)
    await show({ job_id: 'job_does_not_exist' }, failed)
    await frame.locator('#error', { hasText: text(failed) }).waitFor()
    assert.match(await frame.locator('#error').getAttribute('role'), /alert/)
    assert.deepEqual(record.calls, [])
    await page.close()
  })

  for (const theme of ['light', 'dark']) {
    test(`readable in the ${theme} theme (contrast measured; screenshot for the README)`, async () => {
      const { page, frame, show } = await mount(fast, { theme })
      const submitted = await fast.call('submit_job', { ...SUBMIT, name: 'llama-7b-finetune' })
      await show(SUBMIT, submitted)
      await frame.locator('#status[data-status="completed"]').waitFor({ timeout: 30_000 })
      await frame.locator('#artifacts li').first().waitFor()
      const measured = await frame.locator('body').evaluate(() => {
        const rgb = (c) => (c.match(/[\d.]+/g) || []).slice(0, 3).map(Number)
        const lum = ([r, g, b]) => {
          const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
          return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b)
        }
        const contrast = (a, b) => (Math.max(lum(a), lum(b)) + 0.05) / (Math.min(lum(a), lum(b)) + 0.05)
        const background = rgb(getComputedStyle(document.body).backgroundColor)
        const ratios = {}
        for (const selector of ['#job-name', '#job-id', '#timeline time', '.event-title', 'h2', '#artifacts .muted', '#following']) {
          const el = document.querySelector(selector)
          ratios[selector] = contrast(rgb(getComputedStyle(el).color), background)
        }
        const badge = document.querySelector('#status')
        ratios['#status'] = contrast(rgb(getComputedStyle(badge).color), rgb(getComputedStyle(badge).backgroundColor))
        return { backgroundLuminance: lum(background), ratios }
      })
      if (theme === 'dark') assert.ok(measured.backgroundLuminance < 0.1, JSON.stringify(measured))
      else assert.ok(measured.backgroundLuminance > 0.8, JSON.stringify(measured))
      for (const [selector, ratio] of Object.entries(measured.ratios)) {
        assert.ok(ratio >= 4.5, `${selector} contrast ${ratio.toFixed(2)} in ${theme} (WCAG AA needs 4.5)`)
      }
      mkdirSync(SHOTS, { recursive: true })
      const shot = `${SHOTS}job-view-${theme}.png`
      await page.locator('iframe').screenshot({ path: shot })
      if (process.env.UPDATE_SCREENSHOTS) {
        mkdirSync(DOCS, { recursive: true })
        copyFileSync(shot, `${DOCS}job-view-${theme}.png`)
      }
      await page.close()
    })
  }
})
