// Minifies the JavaScript a browser downloads in a release build: the wasm-bindgen glue of each
// bundle and public/boot.js, in place in dist/. Trunk minifies the stylesheet and the pages
// (Trunk.toml, `minify = "on_release"`), but its JavaScript minifier gives up on the glue and
// leaves it whole; terser takes the respondent's glue from 7.9 to 6.2 KB gzip. Exports and the
// string keys wasm imports are looked up by stay as they are (no property mangling).
// Run by scripts/build-app.sh --release.
//
//   node scripts/minify-js.mjs FILE...
import { readFileSync, writeFileSync } from "node:fs";
import { minify } from "terser";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node scripts/minify-js.mjs FILE...");
  process.exit(2);
}
for (const file of files) {
  const source = readFileSync(file, "utf8");
  const { code } = await minify(source, { module: true, compress: true, mangle: true });
  writeFileSync(file, code);
  console.log(`minify-js: ${file} ${source.length} -> ${code.length} bytes`);
}
