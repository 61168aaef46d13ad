// Build the explorer page into the API's static files (api/web/explorer/static):
// its script bundled with esbuild, its style sheet, and the Natural Earth basemap
// from world-atlas. `node explorer/build.mjs [OUTDIR]`; the default is the API's
// folder, and a test builds into another to prove the checked-in files are fresh.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(process.argv[2] ?? join(here, "../../../api/web/explorer/static"));
mkdirSync(outdir, { recursive: true });

await build({
  entryPoints: {
    explorer: join(here, "src/main.tsx"),
  },
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  legalComments: "eof",
  jsx: "automatic",
  jsxImportSource: "preact",
  outdir,
  logLevel: "warning",
});
await build({
  entryPoints: { explorer: join(here, "src/explorer.css") },
  bundle: true,
  minify: true,
  outdir,
  logLevel: "warning",
});
copyFileSync(
  join(here, "../node_modules/world-atlas/countries-50m.json"),
  join(outdir, "countries-50m.json"),
);
