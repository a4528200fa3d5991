// Writes dist/sw.js, the service worker that lets a kiosk start and run with the server out of
// reach. Workbox precaches every file a kiosk loads under its content hash, so a page is always
// served from one release: a new release is downloaded in the background and takes over on
// the next start, after every page of the old one has closed (no skipWaiting, no clientsClaim).
// Survey definitions and the server's config are cached as they are fetched, network first.
//
//   node scripts/build-sw.mjs    (run by scripts/build-app.sh after the Trunk builds)
import { generateSW } from "workbox-build";
import { join } from "node:path";
import { DIST } from "./serve.mjs";

const { count, size, warnings } = await generateSW({
  globDirectory: DIST,
  globPatterns: ["**/*.{html,js,css,wasm,json,svg,png}"],
  // The compressed copies are the same files in another encoding, sent by the server itself.
  // Only kiosk pages register the worker, so the other bundles (the respondent's, the embed
  // screen's and the staff's: 2.6 MB of the 3.5 MB release build) and the embed loader for other
  // sites are left to the network; a kiosk's install downloads about a quarter of what it did.
  globIgnores: [
    "sw.js",
    "workbox-*.js",
    "**/*.br",
    "**/*.gz",
    "embed.js",
    "manyi-app*",
    "manyi-embed*",
    "manyi-staff*",
  ],
  swDest: join(DIST, "sw.js"),
  inlineWorkboxRuntime: true,
  mode: "production",
  sourcemap: false,
  // The wasm bundles are larger than Workbox's 2 MB default only in debug builds.
  maximumFileSizeToCacheInBytes: 200 * 1024 * 1024,
  // Every app path (/kiosk/…, /s/…) is the same page; the API and the loader are not.
  navigateFallback: "/index.html",
  navigateFallbackDenylist: [/^\/api\//, /^\/healthz$/, /^\/embed\.js$/],
  runtimeCaching: [
    {
      urlPattern: ({ url }) =>
        url.pathname === "/manyi-config.json" || /^\/api\/v1\/surveys\/[^/]+$/.test(url.pathname),
      handler: "NetworkFirst",
      options: { cacheName: "manyi-definitions", networkTimeoutSeconds: 4 },
    },
  ],
});
for (const warning of warnings) console.warn(`build-sw: ${warning}`);
console.log(`build-sw: dist/sw.js precaches ${count} files, ${size} bytes`);
