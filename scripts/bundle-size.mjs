// Prints each deployable Worker's size (everything `npm run deploy:dry` wrote, minus source maps), raw and
// gzipped, and fails when one exceeds its budget: 1 MiB gzipped for the main Worker (`dist/`, started by every
// request), 3 MiB for each Worker under workers/ (`dist-workers/<folder>/`, Cloudflare's limit on the Free plan).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const MAIN_BUDGET = 1024 * 1024;
const EXTRA_BUDGET = 3 * 1024 * 1024;
const dir = process.argv[2] ?? "dist";
const extrasDir = join(dir, "..", "dist-workers");
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

function measure(label, folder, budget) {
  let raw = 0;
  let gzipped = 0;
  for (const file of readdirSync(folder)) {
    const path = join(folder, file);
    if (file.endsWith(".map") || file.endsWith(".md") || !statSync(path).isFile()) continue;
    const bytes = readFileSync(path);
    raw += bytes.length;
    gzipped += gzipSync(bytes, { level: 9 }).length;
  }
  console.log(`${label}: ${kib(raw)} raw, ${kib(gzipped)} gzipped (budget ${kib(budget)} gzipped)`);
  return gzipped <= budget;
}

let ok = measure("Worker bundle", dir, MAIN_BUDGET);
if (existsSync(extrasDir)) {
  for (const folder of readdirSync(extrasDir).sort()) {
    ok = measure(`Worker bundle workers/${folder}`, join(extrasDir, folder), EXTRA_BUDGET) && ok;
  }
}
if (!ok) {
  console.error("A Worker bundle is over its size budget.");
  process.exit(1);
}
