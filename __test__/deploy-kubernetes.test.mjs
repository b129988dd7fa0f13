// deploy/kubernetes: the manifests validate against the Kubernetes schemas (kubernetes-validate,
// pinned, installed by `npm run test:setup`), the kustomization lists them all and renders (with the
// kustomize built into kubectl, where the machine has it), and they run the server as its Dockerfile
// builds it: the user, the port, settings that exist (read from the settings table), secrets from
// secretKeyRef, probes the server answers, and a grace period above the drain above the longest wait.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startFakeUpstream } from './helpers/fake-upstream.mjs'
import { startHosted } from './helpers/http-server.mjs'
import { needsSetup } from './helpers/setup.mjs'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))
const ROOT = here('../')
const DIR = here('../deploy/kubernetes/')
const PYDEPS = here('./deploy/.pydeps')
const TO_JSON = here('./deploy/manifests.py')
/** The oldest Kubernetes the manifests are for, and the newest schema the validator ships. */
const VERSIONS = ['1.30.0', '1.37.0']
const skip = needsSetup(!existsSync(PYDEPS) && 'kubernetes-validate is not installed: run `npm run test:setup`')
const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0

function python(args, input) {
  return spawnSync('python3', args, { encoding: 'utf8', input, env: { ...process.env, PYTHONPATH: PYDEPS } })
}

/** kubernetes-validate, strict (unknown fields are errors), against one Kubernetes version. */
function validate(files, version) {
  return python(['-m', 'kubernetes_validate', '--strict', '-k', version, ...files])
}

/** The YAML documents of `files` (or of `text` with '-'), parsed by PyYAML. */
function load(files, text) {
  const r = python([TO_JSON, ...files], text)
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout)
}

/** Every row of src/config/settings.rs: { name, env: [...], secret, modes }. */
function settingsTable() {
  const source = readFileSync(join(ROOT, 'src/config/settings.rs'), 'utf8')
  const rows = [...source.matchAll(/pub static (\w+): Setting = Setting \{([\s\S]*?)\n\};/g)]
  return rows.map(([, name, body]) => ({
    name,
    env: [...(/env: &\[([^\]]*)\]/.exec(body)?.[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]),
    secret: /secret: true/.test(body),
    modes: /modes: (&\[[^\]]*\]|\w+)/.exec(body)?.[1] ?? '',
  }))
}

describe('Kubernetes manifests', { skip }, () => {
  let kustomization, resources, docs, byKind
  before(() => {
    kustomization = load([join(DIR, 'kustomization.yaml')])[0].doc
    resources = kustomization.resources.map((f) => join(DIR, f))
    docs = load(resources).map((d) => d.doc)
    byKind = (kind) => docs.find((d) => d.kind === kind)
  })

  test('each resource validates against the Kubernetes schemas, strictly', () => {
    for (const version of VERSIONS) {
      const r = validate(resources, version)
      assert.equal(r.status, 0, `${version}:\n${r.stdout}${r.stderr}`)
      for (const kind of ['namespace', 'deployment', 'service', 'horizontalpodautoscaler', 'poddisruptionbudget', 'networkpolicy', 'ingress']) {
        assert.match(r.stdout + r.stderr, new RegExp(`passed for resource ${kind}/junglegrid-mcp`), `${version}: ${kind}`)
      }
    }
  })

  test('the validator refuses a wrong manifest (so the check above can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jg-k8s-'))
    try {
      const deployment = readFileSync(join(DIR, 'deployment.yaml'), 'utf8')
      const wrong = join(dir, 'wrong.yaml')
      writeFileSync(wrong, deployment.replace('runAsNonRoot: true', 'runAsNonRoot: "yes"').replace('containerPort: 3000', 'containerPort: 3000\n              hostPorts: 1'))
      const r = validate([wrong], VERSIONS[0])
      assert.notEqual(r.status, 0, r.stdout)
      assert.match(r.stdout + r.stderr, /runAsNonRoot|hostPorts/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('the kustomization lists every manifest of the folder, and only those', () => {
    const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml').sort()
    assert.deepEqual([...kustomization.resources].sort(), files)
    assert.equal(kustomization.namespace, 'junglegrid-mcp')
    assert.deepEqual(kustomization.images.map((i) => i.name), ['junglegrid-mcp'])
  })

  test('kustomize renders it: one namespace, the image set, and the result validates', { skip: !kubectl && 'kubectl (with its built-in kustomize) is not on this machine' }, () => {
    const r = spawnSync('kubectl', ['kustomize', DIR], { encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
    const rendered = load(['-'], r.stdout).map((d) => d.doc)
    assert.deepEqual(rendered.map((d) => d.kind).sort(), ['Deployment', 'HorizontalPodAutoscaler', 'Ingress', 'Namespace', 'NetworkPolicy', 'PodDisruptionBudget', 'Service'])
    for (const d of rendered.filter((d) => d.kind !== 'Namespace')) assert.equal(d.metadata.namespace, 'junglegrid-mcp', d.kind)
    const image = rendered.find((d) => d.kind === 'Deployment').spec.template.spec.containers[0].image
    assert.equal(image, `${kustomization.images[0].newName}:${kustomization.images[0].newTag}`)
    const dir = mkdtempSync(join(tmpdir(), 'jg-k8s-'))
    try {
      writeFileSync(join(dir, 'rendered.yaml'), r.stdout)
      const v = validate([join(dir, 'rendered.yaml')], VERSIONS[0])
      assert.equal(v.status, 0, v.stdout + v.stderr)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('every variable the pod sets is a hosted setting of the server; secrets come from secretKeyRef', () => {
    const table = settingsTable()
    assert.ok(table.length > 30, 'the settings table was read')
    const container = byKind('Deployment').spec.template.spec.containers[0]
    const names = container.env.map((e) => e.name)
    for (const e of container.env) {
      const row = table.find((s) => s.env.includes(e.name))
      assert.ok(row, `${e.name} is not in src/config/settings.rs`)
      assert.ok(/Http|EVERY/.test(row.modes), `${e.name} is not read in hosted mode (${row.modes})`)
      if (row.secret) {
        assert.equal(e.value, undefined, `${e.name} is a secret: it must not be written in the manifest`)
        assert.equal(e.valueFrom?.secretKeyRef?.name, 'junglegrid-mcp', `${e.name} comes from the Secret`)
      }
    }
    // The values every replica must share.
    for (const name of ['JUNGLEGRID_INTERNAL_SERVICE_TOKEN', 'JUNGLE_GRID_TASK_SIGNING_KEY', 'JUNGLE_GRID_APPROVAL_KEY']) {
      assert.ok(names.includes(name), `${name} is set`)
    }
    assert.equal(new Set(names).size, names.length, 'no variable is set twice')
    // Behind the ingress controller the client address comes from X-Forwarded-For.
    assert.match(container.env.find((e) => e.name === 'MCP_TRUSTED_PROXIES').value, /10\.0\.0\.0\/8/)
  })

  test('the pod runs as the Dockerfile builds the image: its user, its port, its command', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
    const [, uid, gid] = /^USER (\d+):(\d+)$/m.exec(dockerfile) ?? []
    assert.ok(uid, 'the Dockerfile names its user by number')
    const [, port] = /^EXPOSE (\d+)$/m.exec(dockerfile) ?? []
    assert.match(dockerfile, /ENTRYPOINT \["junglegrid-mcp"\]/)
    const pod = byKind('Deployment').spec.template.spec
    const container = pod.containers[0]
    assert.equal(String(pod.securityContext.runAsUser), uid)
    assert.equal(String(pod.securityContext.runAsGroup), gid)
    assert.equal(String(container.ports.find((p) => p.name === 'http').containerPort), port)
    assert.equal(container.env.find((e) => e.name === 'PORT').value, port)
    assert.equal(container.command, undefined, "the image's entrypoint runs")
  })

  test('locked down: non-root, read-only root, no capabilities, RuntimeDefault seccomp, no API token', () => {
    const pod = byKind('Deployment').spec.template.spec
    const sc = pod.containers[0].securityContext
    assert.equal(pod.securityContext.runAsNonRoot, true)
    assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault')
    assert.equal(sc.runAsNonRoot, true)
    assert.equal(sc.readOnlyRootFilesystem, true)
    assert.equal(sc.allowPrivilegeEscalation, false)
    assert.deepEqual(sc.capabilities.drop, ['ALL'])
    assert.equal(sc.seccompProfile.type, 'RuntimeDefault')
    assert.equal(pod.automountServiceAccountToken, false)
    assert.ok(pod.containers[0].resources.requests.cpu && pod.containers[0].resources.limits.memory)
    assert.equal(byKind('Namespace').metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted')
  })

  test('no request is cut by a rollout: grace > preStop + drain > longest held wait; ingress timeouts above it', () => {
    const deployment = byKind('Deployment')
    const pod = deployment.spec.template.spec
    const env = Object.fromEntries(pod.containers[0].env.filter((e) => 'value' in e).map((e) => [e.name, e.value]))
    const maxWait = Number(env.JUNGLE_GRID_MAX_WAIT_SECONDS)
    const drain = Number(env.MCP_DRAIN_TIMEOUT_MS) / 1000
    const preStop = Number(pod.containers[0].lifecycle.preStop.exec.command.at(-1))
    assert.ok(drain > maxWait, `drain ${drain} s > wait ${maxWait} s`)
    assert.ok(pod.terminationGracePeriodSeconds > preStop + drain, `grace ${pod.terminationGracePeriodSeconds} s > ${preStop} + ${drain} s`)
    assert.equal(deployment.spec.strategy.rollingUpdate.maxUnavailable, 0)
    assert.equal(pod.containers[0].readinessProbe.httpGet.path, '/readyz')
    assert.equal(pod.containers[0].livenessProbe.httpGet.path, '/healthz')
    const annotations = byKind('Ingress').metadata.annotations
    assert.equal(annotations['nginx.ingress.kubernetes.io/proxy-buffering'], 'off')
    assert.equal(annotations['nginx.ingress.kubernetes.io/proxy-request-buffering'], 'off')
    for (const t of ['proxy-read-timeout', 'proxy-send-timeout']) {
      assert.ok(Number(annotations[`nginx.ingress.kubernetes.io/${t}`]) > maxWait, t)
    }
    assert.ok(byKind('HorizontalPodAutoscaler').spec.minReplicas >= 2)
    assert.equal(byKind('PodDisruptionBudget').spec.maxUnavailable, 1)
  })

  test('the NetworkPolicy lets out only DNS to the cluster resolver and HTTPS to public addresses', () => {
    const policy = byKind('NetworkPolicy')
    assert.deepEqual(policy.spec.policyTypes.sort(), ['Egress', 'Ingress'])
    const [dns, api, ...rest] = policy.spec.egress
    assert.equal(rest.length, 0)
    assert.deepEqual(dns.ports.map((p) => `${p.port}/${p.protocol}`).sort(), ['53/TCP', '53/UDP'])
    assert.equal(dns.to[0].podSelector.matchLabels['k8s-app'], 'kube-dns')
    assert.deepEqual(api.ports.map((p) => `${p.port}/${p.protocol}`), ['443/TCP'])
    for (const blocked of ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']) {
      assert.ok(api.to[0].ipBlock.except.includes(blocked), `${blocked} is not reachable`)
    }
  })

  describe('the probes, against the server started with the manifest\'s settings', () => {
    let api, server
    before(async () => {
      api = await startFakeUpstream()
      const container = load([join(DIR, 'deployment.yaml')])[0].doc.spec.template.spec.containers[0]
      const env = Object.fromEntries(container.env.filter((e) => 'value' in e).map((e) => [e.name, e.value]))
      // Here: the fake API, loopback only, and a free metrics port.
      server = await startHosted(api, { ...env, JUNGLEGRID_API_BASE: api.base, OAUTH_ISSUER: api.base, MCP_METRICS_ADDR: '127.0.0.1:0', JUNGLE_GRID_TASK_SIGNING_KEY: 'k'.repeat(32), JUNGLE_GRID_APPROVAL_KEY: 'a'.repeat(32) })
    })
    after(async () => {
      await server?.stop()
      await api?.stop()
    })

    test('readiness and liveness answer 200 while serving', async () => {
      const container = byKind('Deployment').spec.template.spec.containers[0]
      for (const probe of [container.readinessProbe, container.livenessProbe]) {
        const res = await fetch(`${server.url}${probe.httpGet.path}`)
        assert.equal(res.status, 200, probe.httpGet.path)
        await res.body?.cancel()
      }
      assert.doesNotMatch(server.stderr(), /not set|Fatal/, 'the manifest sets every shared key')
    })
  })
})
