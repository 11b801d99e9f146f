/**
 * Images in articles: an upload is stored without its camera metadata (GPS is personal data), an editor marks an
 * image public with its alt text, and the site serves it at fixed widths from `/media/<id>/<width>.<ext>`, as WebP
 * when the reader accepts it, resized by the resizer Worker (workers/image-resizer) running beside the main one.
 * Only images with no data subject, marked public, are ever served; a hostile header is refused before decoding.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createUser } from "../support/auth.js";
import { containsText, decodeImage, GPS_FIXTURE, jpegWithGps, pngChunk, pngImage } from "../support/images.js";
import { insertMedia, insertSubject, testS3 } from "../support/media.js";
import { signInWithMfa } from "../support/mfa.js";
import { eventually, type SiteFixture, siteFixture } from "../support/site.js";
import { startSuite, stopSuite, type Suite } from "../support/suite.js";

interface MediaView {
  id: string;
  size: number;
  sha256: string;
  width: number | null;
  height: number | null;
  altText: string | null;
  public: boolean;
  publicRefusal: string | null;
}

let suite: Suite;
let f: SiteFixture;
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

const site = (path: string, headers: Record<string, string> = {}) =>
  suite.worker.fetch(path, { host: suite.tenant.hostname, headers, redirect: "manual" });
const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());
const codeOf = async (res: Response) => ((await res.json()) as { code?: string }).code;

async function upload(
  bytes: Uint8Array<ArrayBuffer>,
  contentType: string,
  extra: Record<string, unknown> = {},
): Promise<Response> {
  const started = await f.as("editor", "/api/uploads", {
    filename: "foto.jpg",
    size: bytes.length,
    contentType,
    sha256: sha256(bytes),
    kind: "image",
    ...extra,
  });
  expect(started.status).toBe(201);
  const ticket = (await started.json()) as { id: string; url: string };
  const put = await fetch(ticket.url, { method: "PUT", headers: { "content-type": contentType }, body: bytes });
  expect(put.status).toBe(200);
  return f.as("editor", `/api/uploads/${ticket.id}/complete`, {});
}

async function uploaded(bytes: Uint8Array<ArrayBuffer>, contentType: string, extra = {}): Promise<MediaView> {
  const res = await upload(bytes, contentType, extra);
  expect(res.status).toBe(201);
  return (await res.json()) as MediaView;
}

const patch = (id: string, body: unknown, who: "editor" | "author" = "editor") =>
  f.as(who, `/api/media/${id}`, body, "PATCH");

async function stored(id: string): Promise<Uint8Array> {
  const link = (await (await f.as("editor", `/api/media/${id}/download`, undefined, "GET")).json()) as { url: string };
  return bytesOf(await fetch(link.url));
}

function expectNoGps(bytes: Uint8Array): void {
  expect(containsText(bytes, GPS_FIXTURE.method)).toBe(false);
  expect(containsText(bytes, GPS_FIXTURE.xmp)).toBe(false);
  expect(containsText(bytes, GPS_FIXTURE.comment)).toBe(false);
  expect(containsText(bytes, "PhoneCo")).toBe(false);
}

const purgeCalls = async () =>
  (await (await fetch(`${suite.worker.env.cloudflare.apiBase}/__calls`)).json()) as Array<{ tags: string[] }>;

beforeAll(async () => {
  suite = await startSuite("public-images");
  f = await siteFixture(suite.admin, suite.worker, suite.tenant);
});

afterAll(async () => {
  await stopSuite(suite ?? {});
});

describe("a photo with GPS", () => {
  let photo: MediaView;
  const original = jpegWithGps(1000, 600);

  beforeAll(async () => {
    expect(containsText(original, GPS_FIXTURE.method)).toBe(true);
    photo = await uploaded(original, "image/jpeg");
  });

  it("is stored without its Exif GPS, XMP and comment, with its new size and hash and its dimensions", async () => {
    expect(photo.width).toBe(1000);
    expect(photo.height).toBe(600);
    expect(photo.size).toBeLessThan(original.length);
    const bytes = await stored(photo.id);
    expectNoGps(bytes);
    expect(sha256(bytes)).toBe(photo.sha256);
    expect(photo.sha256).not.toBe(sha256(original));
    expect(decodeImage(bytes)).toEqual({ format: "jpeg", width: 1000, height: 600 });
  });

  it("is not served until an editor marks it public, which needs its alt text (audited)", async () => {
    expect((await site(`/media/${photo.id}/640.jpg?v=${photo.sha256.slice(0, 12)}`)).status).toBe(404);
    const noAlt = await patch(photo.id, { public: true });
    expect(noAlt.status).toBe(422);
    expect(await codeOf(noAlt)).toBe("media_alt_text_required");
    expect((await patch(photo.id, { public: true, altText: "Médica mede a pressão" }, "author")).status).toBe(403);
    const marked = await patch(photo.id, { public: true, altText: "Médica mede a pressão" });
    expect(marked.status).toBe(200);
    expect(((await marked.json()) as MediaView).public).toBe(true);
    const audited = await suite.admin.query(
      "select 1 from audit_events where action = 'media.made_public' and target_id = $1",
      [photo.id],
    );
    expect(audited.rowCount).toBe(1);
  });

  it("is served at the requested width, as WebP when accepted, immutable under a versioned URL, without GPS", async () => {
    const unversioned = await site(`/media/${photo.id}/640.jpg`);
    expect(unversioned.status).toBe(302);
    const location = unversioned.headers.get("location")!;
    expect(location).toBe(`/media/${photo.id}/640.jpg?v=${photo.sha256.slice(0, 12)}`);

    const webp = await site(location, { accept: "image/avif,image/webp,*/*" });
    expect(webp.status).toBe(200);
    expect(webp.headers.get("content-type")).toBe("image/webp");
    expect(webp.headers.get("vary")).toBe("Accept");
    expect(webp.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(webp.headers.get("cache-tag")).toContain(`media:${photo.id}`);
    const webpBytes = await bytesOf(webp);
    expect(decodeImage(webpBytes)).toEqual({ format: "webp", width: 640, height: 384 });
    expectNoGps(webpBytes);

    const jpeg = await site(location, { accept: "image/jpeg,*/*;q=0.8" });
    expect(jpeg.headers.get("content-type")).toBe("image/jpeg");
    const jpegBytes = await bytesOf(jpeg);
    expect(decodeImage(jpegBytes)).toEqual({ format: "jpeg", width: 640, height: 384 });
    expectNoGps(jpegBytes);

    // Never upscaled: the widest step is the original's own width.
    const widest = await site(`/media/${photo.id}/1920.jpg?v=${photo.sha256.slice(0, 12)}`, { accept: "image/jpeg" });
    const widestBytes = await bytesOf(widest);
    expect(decodeImage(widestBytes)).toEqual({ format: "jpeg", width: 1000, height: 600 });
    expectNoGps(widestBytes);

    // Only the fixed widths and the original's extension exist.
    expect((await site(`/media/${photo.id}/641.jpg?v=${photo.sha256.slice(0, 12)}`)).status).toBe(404);
    expect((await site(`/media/${photo.id}/640.png?v=${photo.sha256.slice(0, 12)}`)).status).toBe(404);
    // Another tenant's host does not find it.
    const other = await suite.worker.fetch(location, { host: "unknown-host.example" });
    expect(other.status).not.toBe(200);
  });

  it("replacing the picture changes its URLs and purges its tag", async () => {
    const before = (await purgeCalls()).length;
    const replacement = await uploaded(pngImage(800, 400), "image/png", { replacesMediaId: photo.id });
    expect(replacement.id).toBe(photo.id);
    expect(replacement.sha256).not.toBe(photo.sha256);
    expect(replacement.public).toBe(true);
    const old = await site(`/media/${photo.id}/640.jpg?v=${photo.sha256.slice(0, 12)}`);
    expect(old.status).toBe(404); // the extension was the JPEG's
    const moved = await site(`/media/${photo.id}/640.png?v=${photo.sha256.slice(0, 12)}`);
    expect(moved.status).toBe(302);
    expect(moved.headers.get("location")).toContain(`v=${replacement.sha256.slice(0, 12)}`);
    await eventually(async () => {
      const calls = (await purgeCalls()).slice(before);
      expect(calls.flatMap((call) => call.tags)).toContain(`media:${photo.id}`);
    });
    const png = await site(`/media/${photo.id}/320.png?v=${replacement.sha256.slice(0, 12)}`, { accept: "image/png" });
    expect(decodeImage(await bytesOf(png))).toEqual({ format: "png", width: 320, height: 160 });
  });

  it("stops being served, and is purged, when it is made private", async () => {
    const now = (await (await f.as("editor", `/api/media/${photo.id}`, undefined, "GET")).json()) as MediaView;
    const url = `/media/${photo.id}/320.png?v=${now.sha256.slice(0, 12)}`;
    expect((await site(url)).status).toBe(200);
    const before = (await purgeCalls()).length;
    expect((await patch(photo.id, { public: false })).status).toBe(200);
    expect((await site(url)).status).toBe(404);
    await eventually(async () => {
      expect((await purgeCalls()).slice(before).flatMap((call) => call.tags)).toContain(`media:${photo.id}`);
    });
    expect((await patch(photo.id, { public: true })).status).toBe(200);
  });
});

describe("PNG text chunks", () => {
  it("are dropped on upload; the colour profile is kept", async () => {
    const iccp = pngChunk(
      "iCCP",
      new Uint8Array([...new TextEncoder().encode("sRGB\0\0"), 0x78, 0x9c, 0x03, 0, 0, 0, 0, 1]),
    );
    const text = pngChunk("tEXt", new TextEncoder().encode(`Comment\0${GPS_FIXTURE.comment}`));
    const media = await uploaded(pngImage(20, 10, { ancillary: [iccp, text] }), "image/png");
    const bytes = await stored(media.id);
    expect(containsText(bytes, GPS_FIXTURE.comment)).toBe(false);
    expect(containsText(bytes, "iCCP")).toBe(true);
    expect(decodeImage(bytes)).toEqual({ format: "png", width: 20, height: 10 });
  });
});

describe("an image of a data subject", () => {
  it("can never be marked public, and is never served even if the row says public", async () => {
    const { admin, tenant, worker } = suite;
    const subjectId = await insertSubject(admin, tenant.id, "paciente-imagem@example.test");
    const owner = await createUser(admin, tenant, { roles: ["editor"] });
    const session = await signInWithMfa(worker, tenant.hostname, owner);
    const item = await insertMedia(admin, testS3(worker.env), worker.env, {
      tenantId: tenant.id,
      userId: owner.id,
      retentionClass: "medical_record",
      lastEntryAt: new Date(),
      subjectId,
      kind: "image",
    });
    await admin.query("update media_items set width = 10, height = 10, alt_text = 'Ferida' where id = $1", [item.id]);
    const refused = await worker.fetch(`/api/media/${item.id}`, {
      host: tenant.hostname,
      method: "PATCH",
      headers: { ...bearer(session.accessToken), cookie: session.deviceCookie, "content-type": "application/json" },
      body: JSON.stringify({ public: true, altText: "Ferida" }),
    });
    expect(refused.status).toBe(422);
    expect(await codeOf(refused)).toBe("media_not_publishable");
    // Linked after it was marked (or marked by a bug): the route still refuses, with the same 404 as no image at all.
    await admin.query("update media_items set public_at = now() where id = $1", [item.id]);
    const sha = (await admin.query<{ sha256: string }>("select sha256 from media_items where id = $1", [item.id]))
      .rows[0]!.sha256;
    const res = await site(`/media/${item.id}/320.png?v=${sha.slice(0, 12)}`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe("Not found");
  });
});

describe("the pixel cap", () => {
  // A few hundred bytes whose header claims 20,000 × 20,000 pixels (400 MP, 1.6 GB decoded).
  const bomb = pngImage(2, 2, { claimed: { width: 20_000, height: 20_000 } });

  it("keeps an image whose header is over the cap off the public site", async () => {
    const media = await uploaded(bomb, "image/png");
    expect(media.width).toBe(20_000);
    expect(media.publicRefusal).toBe("image_too_large");
    const res = await patch(media.id, { public: true, altText: "Mapa" });
    expect(res.status).toBe(422);
    expect(await codeOf(res)).toBe("image_too_large");
  });

  it("is refused by the resizer from the header, before decoding", async () => {
    const resizer = await suite.worker.mf.getWorker("vitalis-image-resizer");
    const refused = (await resizer.fetch("https://image-resizer.internal/?width=320&format=webp", {
      method: "POST",
      body: bomb,
    })) as unknown as Response;
    expect(refused.status).toBe(422);
    expect(await codeOf(refused)).toBe("image_too_large");
    // The same bytes with an honest header decode: the refusal above came from the header alone.
    const honest = (await resizer.fetch("https://image-resizer.internal/?width=320&format=png", {
      method: "POST",
      body: pngImage(2, 2),
    })) as unknown as Response;
    expect(honest.status).toBe(200);
  });
});

describe("images in articles", () => {
  let heart: MediaView;
  let hidden: MediaView;
  let post: { id: string; wpId: number };
  let heartWpId: number;
  const slug = "coracao-em-imagens";

  beforeAll(async () => {
    heart = await uploaded(pngImage(1500, 1000), "image/png");
    expect((await patch(heart.id, { public: true, altText: "Ilustração do coração" })).status).toBe(200);
    hidden = await uploaded(pngImage(300, 200), "image/png");
    heartWpId = (await suite.admin.query<{ wp_id: string }>("select wp_id from media_items where id = $1", [heart.id]))
      .rows[0]!.wp_id as unknown as number;
    post = await f.publish("posts", {
      title: "Coração em imagens",
      slug,
      locale: "pt-BR",
      bodyMarkdown: `Texto sobre o coração.\n\n![](media:${heart.id})\n\nMais texto.`,
      featuredMediaId: heart.id,
    });
  });

  it("shows the featured image on the page, in the lists, in JSON-LD and in the social tags", async () => {
    const res = await site(`/pt-br/posts/${slug}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const version = heart.sha256.slice(0, 12);
    const featured = /<figure class="featured"><img ([^>]*)>/.exec(html)?.[1] ?? "";
    expect(featured).toContain(`src="/media/${heart.id}/960.png?v=${version}"`);
    expect(featured).toContain(`/media/${heart.id}/1920.png?v=${version} 1500w`);
    expect(featured).toContain('width="1500"');
    expect(featured).toContain('height="1000"');
    expect(featured).toContain('alt="Ilustração do coração"');
    expect(featured).not.toContain("loading=");
    expect(featured).toContain('decoding="async"');
    // The body's image: resolved from `media:`, lazy, alt from the library when the Markdown gives none.
    const inline = [...html.matchAll(/<img ([^>]*)>/g)].map((m) => m[1]!).filter((a) => a.includes('loading="lazy"'));
    expect(inline.some((a) => a.includes(`/media/${heart.id}/640.png?v=${version} 640w`))).toBe(true);
    expect(html.match(/.{80}media:.{40}/g)).toBeNull();
    expect(html).toContain(
      `<meta property="og:image" content="http://${suite.tenant.hostname}/media/${heart.id}/1280.png?v=${version}"/>`,
    );
    expect(html).toContain('<meta property="og:image:width" content="1280"/>');
    expect(html).toContain('<meta property="og:image:height" content="853"/>');
    const jsonLd = JSON.parse(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html)![1]!) as {
      image?: { url: string; width: number };
    };
    expect(jsonLd.image?.url).toBe(`http://${suite.tenant.hostname}/media/${heart.id}/1280.png?v=${version}`);
    expect(jsonLd.image?.width).toBe(1280);
    expect(res.headers.get("cache-tag")).toContain(`media:${heart.id}`);
    const home = await (await site("/pt-br/")).text();
    expect(home).toMatch(new RegExp(`<img [^>]*src="/media/${heart.id}/960\\.png\\?v=${version}"[^>]*loading="lazy"`));
  });

  it("reports the featured image to WordPress clients, and lists only public images in /wp/v2/media", async () => {
    const wpPost = (await (await site(`/wp-json/wp/v2/posts/${post.wpId}`)).json()) as {
      featured_media: number;
      content: { rendered: string };
    };
    expect(wpPost.featured_media).toBe(Number(heartWpId));
    expect(wpPost.content.rendered).toContain(`http://${suite.tenant.hostname}/media/${heart.id}/`);
    const list = await site("/wp-json/wp/v2/media");
    expect(list.status).toBe(200);
    const items = (await list.json()) as Array<{
      id: number;
      source_url: string;
      alt_text: string;
      mime_type: string;
      media_type: string;
      media_details: { width: number; height: number; sizes: Record<string, { width: number; source_url: string }> };
    }>;
    const ids = items.map((item) => item.id);
    expect(ids).toContain(Number(heartWpId));
    const hiddenWpId = (await suite.admin.query("select wp_id from media_items where id = $1", [hidden.id])).rows[0]
      .wp_id as string;
    expect(ids).not.toContain(Number(hiddenWpId));
    const entry = items.find((item) => item.id === Number(heartWpId))!;
    expect(entry).toMatchObject({ alt_text: "Ilustração do coração", mime_type: "image/png", media_type: "image" });
    expect(entry.media_details).toMatchObject({ width: 1500, height: 1000 });
    expect(entry.media_details.sizes.w640?.width).toBe(640);
    expect(entry.media_details.sizes.full?.width).toBe(1500);
    expect(entry.source_url).toBe(
      `http://${suite.tenant.hostname}/media/${heart.id}/1920.png?v=${heart.sha256.slice(0, 12)}`,
    );
    const one = await site(`/wp-json/wp/v2/media/${heartWpId}`);
    expect(one.status).toBe(200);
    expect((await site(`/wp-json/wp/v2/media/${hiddenWpId}`)).status).toBe(404);
  });

  it("refuses to publish an item with an image that may not appear publicly", async () => {
    const created = await f.publish(
      "posts",
      {
        title: "Imagem escondida",
        slug: "imagem-escondida",
        locale: "pt-BR",
        bodyMarkdown: `![x](media:${hidden.id})`,
      },
      { stopAt: "approved" },
    );
    const refused = await f.move("posts", created.id, { to: "published" });
    expect(refused.status).toBe(409);
    const problem = (await refused.json()) as { code: string; images: Array<{ mediaId: string; reason: string }> };
    expect(problem.code).toBe("media_not_public");
    expect(problem.images).toEqual([{ mediaId: hidden.id, reason: "media_alt_text_required" }]);
    expect((await patch(hidden.id, { public: true, altText: "Exame" })).status).toBe(200);
    expect((await f.move("posts", created.id, { to: "published" })).status).toBe(200);
  });

  it("drops an image from the page, and purges the page, when it stops being public", async () => {
    expect((await patch(heart.id, { public: false })).status).toBe(200);
    await eventually(async () => {
      const html = await (await site(`/pt-br/posts/${slug}/`)).text();
      expect(html).not.toContain(`/media/${heart.id}/`);
    });
    const wpPost = (await (await site(`/wp-json/wp/v2/posts/${post.wpId}`)).json()) as { featured_media: number };
    expect(wpPost.featured_media).toBe(0);
  });
});
