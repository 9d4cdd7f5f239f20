/** The page served at `/` until the editor is built: how to use the API. */
export function landingPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Inkgraph</title>
<style>body{font-family:system-ui,sans-serif;max-width:760px;margin:40px auto;padding:0 16px;line-height:1.5}code,pre{background:#f3f3f3;padding:2px 4px;border-radius:4px}pre{padding:12px;overflow:auto}</style>
</head><body>
<h1>Inkgraph</h1>
<p>The Inkgraph server is running. It speaks the ComfyUI API, so ComfyUI clients and API-format workflows work unchanged.</p>
<h2>Queue a workflow</h2>
<pre>curl -X POST http://127.0.0.1:8188/prompt -d '{"prompt": {…API-format workflow…}, "client_id": "me"}'</pre>
<p>Watch it on <code>ws://127.0.0.1:8188/ws?clientId=me</code>; fetch results from <code>/history/{prompt_id}</code> and images from <code>/view?filename=…</code>.</p>
<p>Node specs: <a href="/object_info">/object_info</a> · Queue: <a href="/queue">/queue</a> · History: <a href="/history">/history</a> · Saved workflows: <a href="/api/workflows">/api/workflows</a></p>
<p>From the command line: <code>npx inkgraph run workflows/invert-image.json</code></p>
</body></html>`;
}
