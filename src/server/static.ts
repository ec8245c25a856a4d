/**
 * The dashboard's files: the page, its script and style from `src/server/dashboard/`, and
 * lightweight-charts' standalone build from `node_modules`. Read once, served from memory.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";
import { SessiondataError } from "../domain/errors.js";

/** A served file. */
interface Asset {
  readonly body: string;
  readonly type: string;
}

/**
 * The dashboard folder: beside this module when run from source, or the source tree's copy when
 * run from `dist/` (tsc does not copy non-TypeScript files).
 */
function dashboardDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, "dashboard"),
    join(here, "..", "..", "src", "server", "dashboard"),
  ];
  for (const dir of candidates) if (existsSync(join(dir, "index.html"))) return dir;
  throw new SessiondataError(`dashboard files not found (looked in ${candidates.join(", ")})`);
}

function chartsScript(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve("lightweight-charts/package.json");
  return join(dirname(pkg), "dist", "lightweight-charts.standalone.production.js");
}

/** Loads the dashboard's files into memory. Throws when one is missing. */
export function loadDashboard(): ReadonlyMap<string, Asset> {
  const dir = dashboardDir();
  const read = (path: string): string => readFileSync(path, "utf8");
  return new Map<string, Asset>([
    ["/", { body: read(join(dir, "index.html")), type: "text/html; charset=utf-8" }],
    // The page's modules.
    ...["app.js", "chart.js", "chart-data.js", "heatmap.js", "lists.js", "util.js"].map(
      (f): [string, Asset] => [
        `/dashboard/${f}`,
        { body: read(join(dir, f)), type: "text/javascript; charset=utf-8" },
      ],
    ),
    [
      "/dashboard/style.css",
      { body: read(join(dir, "style.css")), type: "text/css; charset=utf-8" },
    ],
    [
      "/dashboard/lightweight-charts.js",
      { body: read(chartsScript()), type: "text/javascript; charset=utf-8" },
    ],
  ]);
}

/** Adds `GET` routes for the dashboard's files. They hold no data, so they need no token. */
export function mountDashboard(app: Hono, assets: ReadonlyMap<string, Asset>): void {
  for (const [path, asset] of assets) {
    app.get(path, (c) => {
      c.header("Content-Type", asset.type);
      c.header("Cache-Control", "no-cache");
      c.header("X-Content-Type-Options", "nosniff");
      return c.body(asset.body);
    });
  }
}
