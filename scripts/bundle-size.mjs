// Prints the deployable Worker's size (everything `wrangler deploy --dry-run --outdir dist` wrote, minus
// source maps), raw and gzipped, and fails when the gzipped total exceeds the budget of 1 MiB.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET = 1024 * 1024;
const dir = process.argv[2] ?? "dist";
let raw = 0;
let gzipped = 0;
for (const file of readdirSync(dir)) {
  if (file.endsWith(".map") || file.endsWith(".md")) continue;
  const bytes = readFileSync(join(dir, file));
  raw += bytes.length;
  gzipped += gzipSync(bytes, { level: 9 }).length;
}
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`Worker bundle: ${kib(raw)} raw, ${kib(gzipped)} gzipped (budget ${kib(BUDGET)} gzipped)`);
if (gzipped > BUDGET) {
  console.error("The Worker bundle is over its size budget.");
  process.exit(1);
}
