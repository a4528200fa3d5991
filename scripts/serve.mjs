// Serves the built app (dist/) over HTTP: client routes fall back to index.html, .wasm is sent
// as application/wasm, and every page carries the strict Content-Security-Policy the app is
// built for. Used by the run command and by the end-to-end tests, so the tests exercise what
// users run. Until `manyi serve` lands, this is the app's server.
//
//   node scripts/serve.mjs [--port 8080] [--host 127.0.0.1]
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export const ROOT = resolve(import.meta.dirname, "..");
export const DIST = join(ROOT, "dist");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
};

export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:";

/** Serves dist/ on `port` (0 picks a free one); resolves to the server and its base URL. */
export async function startServer({ port = 0, host = "127.0.0.1" } = {}) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    const file = join(DIST, path);
    let body;
    let type;
    try {
      if (!file.startsWith(DIST) || path.endsWith("/")) throw new Error("not a file");
      body = await readFile(file);
      type = TYPES[extname(file)] ?? "application/octet-stream";
    } catch {
      body = await readFile(join(DIST, "index.html"));
      type = TYPES[".html"];
    }
    res.writeHead(200, {
      "content-type": type,
      "content-security-policy": CSP,
      "x-content-type-options": "nosniff",
      "referrer-policy": "strict-origin-when-cross-origin",
    });
    res.end(body);
  });
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, ok);
  });
  return { server, base: `http://${host}:${server.address().port}` };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const port = Number(option("--port", process.env.PORT ?? 8080));
  const host = option("--host", "127.0.0.1");
  try {
    const { base } = await startServer({ port, host });
    console.log(`manyi is running at ${base}/  (Ctrl-C to stop)`);
  } catch (error) {
    console.error(`cannot listen on ${host}:${port}: ${error.message}`);
    process.exit(1);
  }
}
