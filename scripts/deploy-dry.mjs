// `npm run deploy:dry`: bundles every Worker exactly as `wrangler deploy` would, without uploading: the main
// Worker into dist/, each Worker under workers/ into dist-workers/<folder>/.
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { extraWorkers } from "./extra-workers.mjs";

const root = new URL("..", import.meta.url).pathname;
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
const wrangler = (args) =>
  execFileSync(join(root, "node_modules", ".bin", "wrangler"), ["deploy", "--dry-run", ...args], {
    cwd: root,
    env,
    stdio: "inherit",
  });

wrangler(["--outdir", "dist"]);
rmSync(join(root, "dist-workers"), { recursive: true, force: true });
for (const worker of extraWorkers(root)) {
  wrangler(["--config", worker.config, "--outdir", join(root, "dist-workers", worker.folder)]);
}
