// The test helpers form no import cycle (issue 22: http-server.mjs and mcp.mjs imported each other,
// which works only while neither reads the other's exports at load time). Every relative import,
// re-export and literal dynamic import between helpers is a graph edge; any cycle fails, named.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const DIR = fileURLToPath(new URL('./helpers/', import.meta.url))

/** The helpers a module's text imports (static imports, re-exports, literal dynamic imports). */
export function relativeImports(source) {
  const found = new Set()
  const patterns = [
    /^\s*(?:import|export)\s[^'"`;]*?\sfrom\s*['"](\.[^'"]+)['"]/gm,
    /^\s*import\s*['"](\.[^'"]+)['"]/gm,
    /\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g,
  ]
  for (const re of patterns) for (const m of source.matchAll(re)) found.add(m[1].replace(/^\.\//, ''))
  return [...found]
}

/** The first cycle in a graph { node: [nodes] }, as a path that ends where it starts; null if none. */
export function findCycle(graph) {
  const state = new Map() // node -> 'visiting' | 'done'
  const stack = []
  const visit = (node) => {
    if (state.get(node) === 'done') return null
    if (state.get(node) === 'visiting') return [...stack.slice(stack.indexOf(node)), node]
    state.set(node, 'visiting')
    stack.push(node)
    for (const next of graph[node] ?? []) {
      const cycle = visit(next)
      if (cycle) return cycle
    }
    stack.pop()
    state.set(node, 'done')
    return null
  }
  for (const node of Object.keys(graph)) {
    const cycle = visit(node)
    if (cycle) return cycle
  }
  return null
}

test('the cycle finder finds cycles (so the check below can fail)', () => {
  assert.deepEqual(findCycle({ 'a.mjs': ['b.mjs'], 'b.mjs': ['a.mjs'] }), ['a.mjs', 'b.mjs', 'a.mjs'])
  assert.deepEqual(findCycle({ a: ['b'], b: ['c'], c: ['b'] }), ['b', 'c', 'b'])
  assert.equal(findCycle({ a: ['b', 'c'], b: ['c'], c: [] }), null)
  assert.deepEqual(
    relativeImports("import { x } from './a.mjs'\nexport {\n  y,\n} from './b.mjs'\nimport './c.mjs'\nconst m = await import('./d.mjs')\nimport z from 'node:fs'"),
    ['a.mjs', 'b.mjs', 'c.mjs', 'd.mjs'],
  )
})

test('the helpers import each other without a cycle', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.mjs'))
  const graph = Object.fromEntries(files.map((f) => [f, relativeImports(readFileSync(DIR + f, 'utf8'))]))
  for (const [file, imports] of Object.entries(graph)) {
    for (const i of imports) assert.ok(files.includes(i), `${file} imports ${i}, which is not a helper`)
  }
  assert.ok(graph['mcp.mjs'].includes('http-server.mjs'), 'the graph was read (mcp.mjs re-exports http-server.mjs)')
  const cycle = findCycle(graph)
  assert.equal(cycle, null, `import cycle: ${cycle?.join(' -> ')}`)
})
