// The test host page's script (bundled by esbuild for the browser): the reference host bridge of
// MCP Apps (AppBridge + PostMessageTransport from @modelcontextprotocol/ext-apps/app-bridge) around
// one view iframe. The bridge has no MCP client of its own: tools/call goes to the Node side of the
// test (window.host* functions exposed by Playwright), which calls the real server through the
// official MCP client, as a host's backend does.
import { AppBridge, PostMessageTransport } from '@modelcontextprotocol/ext-apps/app-bridge'

window.mountView = async ({ src, hostContext, capabilities }) => {
  const iframe = document.createElement('iframe')
  // A host renders views in a sandboxed frame on another origin (here: localhost vs 127.0.0.1).
  iframe.setAttribute('sandbox', 'allow-scripts')
  iframe.setAttribute('title', 'Jungle Grid job')
  iframe.style.cssText = `border:0;display:block;width:${hostContext.containerDimensions?.width ?? 640}px;height:120px`
  document.body.append(iframe)
  const bridge = new AppBridge(null, { name: 'junglegrid-test-host', version: '1.0.0' }, capabilities, { hostContext })
  bridge.oncalltool = (params) => window.hostCallTool(params)
  bridge.onopenlink = async (params) => {
    await window.hostOpenLink(params.url)
    return {}
  }
  bridge.onupdatemodelcontext = async (params) => {
    await window.hostModelContext(params)
    return {}
  }
  bridge.onsizechange = ({ width, height }) => {
    if (height) iframe.style.height = `${height}px`
    window.hostEvent({ type: 'size', width, height })
  }
  bridge.oninitialized = () => window.hostEvent({ type: 'initialized', app: bridge.getAppVersion(), capabilities: bridge.getAppCapabilities() })
  bridge.onloggingmessage = (params) => window.hostEvent({ type: 'log', params })
  const transport = new PostMessageTransport(iframe.contentWindow, iframe.contentWindow)
  await bridge.connect(transport)
  window.bridge = bridge
  iframe.src = src
}
