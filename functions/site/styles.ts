/**
 * The site's one stylesheet. The CSP allows `style-src 'self'` only (middleware/security-headers.ts), so
 * it is served by the Worker at a content-hashed path with a year-long immutable lifetime: a new
 * stylesheet gets a new URL, so no reader ever mixes old CSS with new HTML.
 */
export const SITE_CSS = `
:root{--fg:#1b1f24;--muted:#4f5963;--bg:#fff;--accent:#0b5cad;--line:#d7dde3;--note:#f3f6f9;--focus:#ffbf47;color-scheme:light}
*{box-sizing:border-box}
html{font-size:100%;-webkit-text-size-adjust:100%}
body{margin:0;font:1.0625rem/1.6 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent);text-underline-offset:.15em}
a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px;box-shadow:0 0 0 5px var(--fg)}
.visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.skip-link{position:absolute;left:.5rem;top:-4rem;padding:.5rem 1rem;background:var(--fg);color:#fff;z-index:10}
.skip-link:focus{top:.5rem}
.wrap{max-width:46rem;margin:0 auto;padding:0 1rem}
header.site{border-bottom:1px solid var(--line);padding:.75rem 0}
header.site .wrap{display:flex;flex-wrap:wrap;gap:.75rem 1.5rem;align-items:center;justify-content:space-between}
.brand{font-weight:700;font-size:1.25rem;color:var(--fg);text-decoration:none}
nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
form.search{display:flex;gap:.5rem}
form.search input{font:inherit;padding:.35rem .5rem;border:1px solid var(--muted);border-radius:4px;min-width:12rem}
form.search button{font:inherit;padding:.35rem .75rem;border:1px solid var(--accent);background:var(--accent);color:#fff;border-radius:4px;cursor:pointer}
.account-link,form.sign-out button{font:inherit;padding:.35rem .75rem;border:1px solid var(--accent);border-radius:4px;background:var(--bg);color:var(--accent);cursor:pointer}
form.sign-out{margin:0}
form.account{display:grid;gap:.35rem;max-width:28rem;margin:1rem 0}
form.account label{font-weight:600;margin-top:.5rem}
form.account input,form.account select{font:inherit;padding:.45rem .5rem;border:1px solid var(--muted);border-radius:4px;min-height:2.5rem}
form.account input[aria-invalid=true],form.account select[aria-invalid=true]{border:2px solid #b3261e}
form.account button{font:inherit;margin-top:1rem;padding:.55rem 1rem;border:1px solid var(--accent);background:var(--accent);color:#fff;border-radius:4px;cursor:pointer;justify-self:start;min-height:2.75rem}
form.account .hint{margin:0;color:var(--muted);font-size:.95rem}
form.account .consent{display:flex;gap:.5rem;align-items:flex-start;margin-top:.75rem}
form.account .consent input{min-height:auto;width:1.5rem;height:1.5rem;flex:none;margin:.15rem 0 0}
form.account .consent label{font-weight:400;margin:0}
.form-error{border:2px solid #b3261e;border-radius:4px;padding:.5rem 1rem;margin:1rem 0}
.form-error h2{font-size:1.1rem;margin:.25rem 0;color:#b3261e}
main{padding:1.5rem 0 3rem}
h1{font-size:2rem;line-height:1.2;margin:.5rem 0 1rem}
h2{font-size:1.4rem;margin-top:2rem}
.meta{color:var(--muted);font-size:.95rem}
.review{background:var(--note);border-left:4px solid var(--accent);padding:.75rem 1rem;margin:1rem 0}
.review p{margin:.25rem 0}
.disclaimer{border-top:1px solid var(--line);margin-top:2rem;padding-top:1rem;color:var(--muted);font-size:.95rem}
.teaser{background:var(--note);padding:1rem;border-radius:4px}
.summary,.toc{border:1px solid var(--line);border-radius:4px;padding:.25rem 1rem;margin:1rem 0}
.summary h2,.toc h2{font-size:1.1rem;margin:.75rem 0 .5rem}
.toc ol{list-style:none;padding:0;margin:0 0 .75rem}
.toc .toc-level-3{padding-left:1rem}.toc .toc-level-4,.toc .toc-level-5,.toc .toc-level-6{padding-left:2rem}
ol.items,ul.items{list-style:none;padding:0}
.items li{border-bottom:1px solid var(--line);padding:1rem 0}
.items h2{margin:0 0 .25rem;font-size:1.25rem}
.items img{display:block;width:12rem;margin:0 0 .5rem}
figure.featured{margin:1rem 0}
.terms{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0}
.pager{display:flex;justify-content:space-between;margin-top:1.5rem}
img{max-width:100%;height:auto}
pre,code{font-family:ui-monospace,monospace;font-size:.95em}
pre{overflow:auto;background:var(--note);padding:.75rem}
blockquote{margin:1rem 0;padding-left:1rem;border-left:3px solid var(--line);color:var(--muted)}
table{border-collapse:collapse}th,td{border:1px solid var(--line);padding:.25rem .5rem}
footer.site{border-top:1px solid var(--line);padding:1rem 0 2rem;color:var(--muted);font-size:.9rem}
@media (prefers-reduced-motion:reduce){*{scroll-behavior:auto!important;transition:none!important}}
`.trim();

/** FNV-1a (32-bit) of an asset (the stylesheet, the script): a cache-busting fingerprint, not a security hash. */
export function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

export const SITE_CSS_PATH = `/assets/site.${fingerprint(SITE_CSS)}.css`;
