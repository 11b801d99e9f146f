/**
 * The admin SPA build: `npx vite build --config admin/vite.config.ts` → admin/dist.
 *
 * Layout of admin/dist (the Worker's `[assets]` directory, see wrangler.toml):
 *   admin/index.html, admin/assets/*   the app, served under /admin/ (Vite `base`)
 *   index.html                         the same page at the root: Workers' single-page-application mode
 *                                      answers unknown asset paths (/admin/posts/…) with /index.html
 *   _headers                           the strict CSP and caching for /admin/* (Workers static assets)
 * Only /admin/* reaches the assets at all (`run_worker_first`); the Worker answers everything else.
 */
import { copyFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, "dist");

/**
 * The media bucket's origin(s), set at build time, space-separated, e.g.
 * ADMIN_UPLOAD_ORIGINS="https://vitalis-media.s3.sa-east-1.amazonaws.com" (local: http://127.0.0.1:4569). The
 * browser PUTs uploads there (connect-src; the bucket's CORS must allow PUT from the admin origin and expose
 * ETag) and loads the library's thumbnails from there (img-src: presigned GETs, no CORS needed).
 */
const UPLOAD_ORIGINS = (process.env.ADMIN_UPLOAD_ORIGINS ?? "https://*.amazonaws.com").split(/\s+/).filter(Boolean);

/** Strict CSP: no inline script or style anywhere in the app (Vite's build emits external files only). */
export const ADMIN_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  `img-src 'self' data: blob: ${UPLOAD_ORIGINS.join(" ")}`,
  "font-src 'self'",
  `connect-src 'self' ${UPLOAD_ORIGINS.join(" ")}`,
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const ADMIN_HEADERS = `/admin/*
  Content-Security-Policy: ${ADMIN_CSP}
  X-Content-Type-Options: nosniff
  Referrer-Policy: no-referrer
  X-Frame-Options: DENY
  Cross-Origin-Opener-Policy: same-origin
  Permissions-Policy: camera=(), microphone=(), geolocation=()
/admin/assets/*
  Cache-Control: public, max-age=31536000, immutable
`;

function assetsLayout(): Plugin {
  return {
    name: "vitalis-admin-assets-layout",
    apply: "build",
    async closeBundle(error?: Error) {
      if (error) return;
      await copyFile(join(dist, "admin", "index.html"), join(dist, "index.html"));
      await writeFile(join(dist, "_headers"), ADMIN_HEADERS);
    },
  };
}

export default defineConfig({
  root,
  base: "/admin/",
  publicDir: false,
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  resolve: {
    alias: { react: "preact/compat", "react-dom": "preact/compat" },
  },
  build: {
    outDir: join(dist, "admin"),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    modulePreload: { polyfill: false },
    // Never inline assets as data: URLs into JS/CSS: everything is a file under 'self'.
    assetsInlineLimit: 0,
  },
  plugins: [assetsLayout()],
});
