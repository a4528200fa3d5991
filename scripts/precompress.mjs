// Writes a brotli (quality 11) and a gzip (level 9) copy beside every text and wasm file in
// dist/, which `manyi serve` sends to browsers that accept them (tower-http's ServeDir with
// precompressed files): compressing once at build time costs nothing per request and gets the
// best ratio. Copies that would not be smaller than the file are not written.
//
//   node scripts/precompress.mjs    (run by scripts/build-app.sh last)
import { readdirSync, readFileSync, statSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";
import { DIST } from "./serve.mjs";

const EXTENSIONS = /\.(wasm|js|css|html|json|svg)$/;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (EXTENSIONS.test(name)) yield path;
  }
}

let raw = 0;
let br = 0;
let count = 0;
for (const path of files(DIST)) {
  const data = readFileSync(path);
  const copies = {
    br: brotliCompressSync(data, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
    }),
    gz: gzipSync(data, { level: 9 }),
  };
  for (const [ext, copy] of Object.entries(copies)) {
    // A stale copy of an earlier build must never outlive its file's change.
    rmSync(`${path}.${ext}`, { force: true });
    if (copy.length < data.length) writeFileSync(`${path}.${ext}`, copy);
  }
  raw += data.length;
  br += Math.min(copies.br.length, data.length);
  count += 1;
}
console.log(`precompress: ${count} files, ${raw} bytes, ${br} bytes as brotli`);
