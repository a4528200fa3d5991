// Writes the embed loader that `manyi serve` serves at /embed.js: embed/embed.js without its
// whole-line `//` comments (they are for whoever edits it; every byte of the loader is paid by
// every host page), into dist/embed.js. Prints its raw and gzip size and exits 1 when it is over
// its budget of 3 KB gzip. Run by scripts/build-app.sh; the e2e tests check the same budget.
//
//   node scripts/build-loader.mjs [--check]   (--check: measure only, write nothing)
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = resolve(import.meta.dirname, "..");
export const LOADER_SOURCE = join(ROOT, "embed", "embed.js");
export const LOADER_DIST = join(ROOT, "dist", "embed.js");
/** 3 KB, as the project counts kilobytes (1,024 bytes). */
export const LOADER_GZIP_BUDGET = 3 * 1024;

/** The loader as served, its raw size and its gzip size (level 9, as a server would send it). */
export function buildLoader() {
  const source = readFileSync(LOADER_SOURCE, "utf8");
  const built = source.replace(/^[ \t]*\/\/.*\n/gm, "");
  const bytes = Buffer.from(built);
  return { built, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { built, raw, gzip } = buildLoader();
  if (!process.argv.includes("--check")) {
    mkdirSync(join(ROOT, "dist"), { recursive: true });
    writeFileSync(LOADER_DIST, built);
  }
  console.log(`embed.js: ${raw} bytes, ${gzip} bytes gzip (budget ${LOADER_GZIP_BUDGET})`);
  if (gzip > LOADER_GZIP_BUDGET) {
    console.error("embed.js is over its gzip budget");
    process.exitCode = 1;
  }
}
