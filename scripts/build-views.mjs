#!/usr/bin/env node
// Builds the MCP Apps views from their sources into one self-contained HTML file each, which the
// server embeds (include_str! in src/views/mod.rs):
//
//   src/views/<view>/index.html   the page, with /*STYLE*/ and /*SCRIPT*/ where the rest goes
//   src/views/<view>/view.css     inlined, minified
//   src/views/<view>/view.js      the entry; bundled with its imports and minified by esbuild
//   -> src/views/<view>.html      committed; the binary embeds it
//
// `node scripts/build-views.mjs` writes the files; `--check` builds in memory and fails when a
// committed file differs from what its sources build to (CI runs it: __test__/views-build.test.mjs).
// The output must load nothing from elsewhere (hosts' default CSP allows no network) and stay
// under 1 MB.
import { readFile, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const VIEWS = ['job']
const MAX_BYTES = 1024 * 1024

export async function buildView(name) {
  const dir = join(root, 'src', 'views', name)
  const script = await esbuild.build({
    entryPoints: [join(dir, 'view.js')],
    bundle: true,
    write: false,
    minify: true,
    format: 'iife',
    target: ['es2022', 'chrome111', 'safari16.4', 'firefox113'],
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  })
  const style = await esbuild.transform(await readFile(join(dir, 'view.css'), 'utf8'), {
    loader: 'css',
    minify: true,
    // light-dark() is kept as written: every host that renders MCP Apps supports it.
    target: ['chrome123', 'safari17.5', 'firefox120'],
  })
  const js = script.outputFiles[0].text.trim()
  const css = style.code.trim()
  // Inline content must not close its own element early.
  if (/<\/script/i.test(js) || /<\/style/i.test(css)) {
    throw new Error(`${name}: the bundled script or style contains a closing tag`)
  }
  const template = await readFile(join(dir, 'index.html'), 'utf8')
  if (!template.includes('/*STYLE*/') || !template.includes('/*SCRIPT*/')) {
    throw new Error(`${name}: index.html needs /*STYLE*/ and /*SCRIPT*/`)
  }
  const html = template
    .replace('<html lang="en">', `<html lang="en">\n<!-- Built by scripts/build-views.mjs from src/views/${name}/ (npm run build:views); do not edit. -->`)
    .replace('/*STYLE*/', () => css)
    .replace('/*SCRIPT*/', () => js)
  const external = html.match(/\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i) || html.match(/@import|url\(\s*["']?(?:https?:)?\/\//i)
  if (external) throw new Error(`${name}: the view loads something from elsewhere (${external[0]})`)
  const size = Buffer.byteLength(html)
  if (size > MAX_BYTES) throw new Error(`${name}: ${size} bytes, over the 1 MB budget`)
  return { path: join(root, 'src', 'views', `${name}.html`), html, size }
}

async function main() {
  const check = process.argv.includes('--check')
  let stale = 0
  for (const name of VIEWS) {
    const { path, html, size } = await buildView(name)
    const shown = relative(root, path)
    if (check) {
      const committed = await readFile(path, 'utf8').catch(() => null)
      if (committed !== html) {
        stale++
        console.error(`${shown} differs from what src/views/${name}/ builds to: run npm run build:views and commit it`)
      } else {
        console.log(`${shown}: up to date (${size} bytes)`)
      }
    } else {
      await writeFile(path, html)
      console.log(`${shown}: ${size} bytes`)
    }
  }
  if (stale) process.exitCode = 1
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`build-views: ${error.message}`)
    process.exitCode = 1
  })
}
