/**
 * Loads one tenant at a scale of a clinic network, for `npm run bench:scale`. 1× is 200 posts and 1,000 audit
 * events; N× multiplies everything: at 100×, 20,000 posts over three locales (translations grouped), 2,000 tags,
 * 100,000 media rows, 50,000 data subjects and 100,000 audit events.
 *
 * Rows go in with set-based SQL as the owner (the services would write one row per request, which would take
 * hours), with what validity needs kept: the audit chain is built with the services' own hash
 * (`auditHashInput`, `sha256Hex`), so `verifyAuditChain` accepts it; the search vector is the table's
 * generated column; the mix of states and compliance levels gives the visibility rules something to filter.
 */
import type pg from "pg";
import { auditHashInput, GENESIS_HASH } from "../../functions/services/audit.js";
import { sha256Hex } from "../../functions/lib/crypto.js";

export interface LoadedTenant {
  scale: number;
  id: string;
  slug: string;
  hostname: string;
  /** Authors of the posts (user ids); the first is also an editor. */
  authorIds: string[];
  /** Facts cases need: a word the search finds, a tag and a category slug, an audit target. */
  facts: {
    searchWord: string;
    tagSlug: string;
    categorySlug: string;
    publishedPtBr: number;
    rareAuditAction: string;
    auditTargetId: string;
  };
  seconds: number;
}

/** Base sizes (1×). */
export const BASE = { posts: 200, tags: 20, media: 1_000, subjects: 500, audit: 1_000 } as const;

const TOPICS = [
  "hipertensão",
  "diabetes",
  "asma",
  "enxaqueca",
  "obesidade",
  "depressão",
  "ansiedade",
  "artrite",
  "osteoporose",
  "catarata",
  "glaucoma",
  "dermatite",
  "psoríase",
  "hepatite",
  "gastrite",
  "refluxo",
  "anemia",
  "tireoide",
  "colesterol",
  "arritmia",
  "insônia",
  "alergia",
  "bronquite",
  "sinusite",
  "rinite",
  "labirintite",
  "cálculo renal",
  "cistite",
  "endometriose",
  "menopausa",
  "pré-natal",
  "vacinação",
  "dengue",
  "zika",
  "chikungunya",
  "tuberculose",
  "hanseníase",
  "escoliose",
  "tendinite",
  "lombalgia",
];

const CATEGORIES = [
  "cardiologia",
  "endocrinologia",
  "pneumologia",
  "neurologia",
  "psiquiatria",
  "reumatologia",
  "oftalmologia",
  "dermatologia",
  "gastroenterologia",
  "hematologia",
  "ginecologia",
  "pediatria",
];

const AUDIT_ACTIONS = [
  "content.update",
  "content.publish",
  "user.login",
  "media.download",
  "content.phi_read",
  "privacy.request_created",
  "user.login_failed",
  "media.upload_completed",
];
/** One event in 200 is this action: a filter on it must not scan the tenant's log. */
const RARE_AUDIT_ACTION = "privacy.erasure_completed";

async function insertTenant(admin: pg.Client, scale: number): Promise<{ id: string; slug: string; hostname: string }> {
  const slug = `scale-${scale}x-${Date.now().toString(36)}`;
  const hostname = `${slug}.test`;
  const tenant = await admin.query<{ id: string }>("insert into tenants (slug, name) values ($1, $2) returning id", [
    slug,
    `Rede clínica ${scale}×`,
  ]);
  const id = tenant.rows[0]!.id;
  await admin.query("insert into tenant_hostnames (hostname, tenant_id, is_primary) values ($1, $2, true)", [
    hostname,
    id,
  ]);
  // Sign-in policy off (as in test tenants): the bench's officer signs in with a password and a TOTP it enrols.
  await admin.query("update tenants set mfa_required_roles = '{}' where id = $1", [id]);
  return { id, slug, hostname };
}

async function insertAuthors(admin: pg.Client, tenantId: string, slug: string): Promise<string[]> {
  const rows = await admin.query<{ id: string }>(
    `insert into users (email, display_name)
     select 'autor' || g || '@' || $1 || '.test', 'Dra. Autora ' || g from generate_series(1, 10) g returning id`,
    [slug],
  );
  const ids = rows.rows.map((row) => row.id);
  await admin.query(`insert into memberships (tenant_id, user_id, role) select $1, unnest($2::uuid[]), 'author'`, [
    tenantId,
    ids,
  ]);
  await admin.query(
    `insert into content_authors (tenant_id, user_id, slug)
     select $1, u, 'autora-' || n from unnest($2::uuid[]) with ordinality as a(u, n)`,
    [tenantId, ids],
  );
  return ids;
}

async function insertContent(admin: pg.Client, tenantId: string, authorIds: string[], scale: number): Promise<void> {
  const posts = BASE.posts * scale;
  const tagCount = BASE.tags * scale;
  await admin.query(
    `insert into categories (tenant_id, name, slug) select $1, initcap(c), c from unnest($2::text[]) c`,
    [tenantId, CATEGORIES],
  );
  await admin.query(
    `insert into tags (tenant_id, name, slug) select $1, 'Tema ' || g, 'tema-' || g from generate_series(1, $2) g`,
    [tenantId, tagCount],
  );
  // Locales: half pt-BR, a quarter each en and es; items 4k+1..4k+3 are translations of one another.
  // States: 90 % published; compliance: 85 % public, 10 % professional, 5 % restricted. Translations share a topic.
  await admin.query(
    `insert into content_items (tenant_id, type, title, slug, body_markdown, body_html, excerpt, locale,
       translation_group_id, author_id, state, compliance_level, published_at, created_at, updated_at)
     select $1::uuid, 'post',
       initcap(topic) || ': guia ' || g,
       'artigo-' || g,
       repeat('Texto de referência sobre ' || topic || ' e seus cuidados, revisado por especialistas. ', 12)
         || E'\\n\\n' || repeat('Consulte seu médico antes de mudar o tratamento de ' || topic || '. ', 8),
       '<p>' || repeat('Texto de referência sobre ' || topic || ' e seus cuidados, revisado por especialistas. ', 12)
         || '</p><p>' || repeat('Consulte seu médico antes de mudar o tratamento de ' || topic || '. ', 8) || '</p>',
       'Um guia sobre ' || topic || '.',
       case g % 4 when 2 then 'en' when 3 then 'es' else 'pt-BR' end,
       case when g % 4 = 0 then md5($1::text || ':item:' || g)::uuid else md5($1::text || ':group:' || (g / 4))::uuid end,
       ($3::uuid[])[1 + g % array_length($3::uuid[], 1)],
       case when g % 20 = 7 then 'draft' when g % 20 = 13 then 'in_review' else 'published' end,
       case when g % 20 = 5 then 'restricted' when g % 10 = 3 then 'professional' else 'public' end,
       case when g % 20 in (7, 13) then null else now() - make_interval(mins => g) end,
       now() - make_interval(mins => g + 60),
       now() - make_interval(mins => g)
     from generate_series(1, $2) g, lateral (select ($4::text[])[1 + (g / 4) % array_length($4::text[], 1)] as topic) t`,
    [tenantId, posts, authorIds, TOPICS],
  );
  await admin.query(
    `insert into content_item_categories (tenant_id, content_id, category_id)
     select $1, i.id, c.id from content_items i
       join categories c on c.tenant_id = $1 and c.slug = ($2::text[])[1 + (i.wp_id % array_length($2::text[], 1))]
     where i.tenant_id = $1`,
    [tenantId, CATEGORIES],
  );
  await admin.query(
    `insert into content_item_tags (tenant_id, content_id, tag_id)
     select distinct $1::uuid, i.id, t.id from content_items i
       cross join lateral (values (i.wp_id * 7 % $2), (i.wp_id * 13 % $2), (i.wp_id * 31 % $2)) pick(n)
       join tags t on t.tenant_id = $1 and t.slug = 'tema-' || (1 + pick.n)
     where i.tenant_id = $1`,
    [tenantId, tagCount],
  );
}

async function insertSubjectsAndMedia(admin: pg.Client, tenantId: string, creator: string, scale: number) {
  await admin.query(
    `insert into data_subjects (tenant_id, email, display_name)
     select $1, 'paciente' || g || '@exemplo.test', 'Paciente ' || g from generate_series(1, $2) g`,
    [tenantId, BASE.subjects * scale],
  );
  await admin.query(
    `with subjects as (select id, row_number() over () as n from data_subjects where tenant_id = $1::uuid),
     made as (
       insert into uploads (tenant_id, created_by, subject_id, kind, filename, content_type, size, sha256,
         pending_key, retention_class, status, expires_at, created_at, finished_at)
       select $1::uuid, $2::uuid, s.id, case when g % 3 = 0 then 'dicom' else 'image' end, 'arquivo-' || g || '.bin',
         'application/octet-stream', 1024 + g, md5(g::text) || md5(g::text), 'upload-pending/' || $1::text || '/' || g,
         case when g % 3 = 0 then 'medical_imaging' else 'general_media' end, 'completed',
         now() - make_interval(days => g % 900) + interval '1 day', now() - make_interval(days => g % 900),
         now() - make_interval(days => g % 900)
       from generate_series(1, $3) g left join subjects s on s.n = 1 + g % $4
       returning id, subject_id, kind, filename, content_type, size, sha256, pending_key, retention_class, created_at
     )
     insert into media_items (tenant_id, upload_id, created_by, subject_id, kind, filename, content_type, size,
       sha256, object_key, retention_class, last_entry_at, created_at)
     select $1, id, $2, subject_id, kind, filename, content_type, size, sha256, replace(pending_key, 'upload-pending', 'media'),
       retention_class, created_at, created_at from made`,
    [tenantId, creator, BASE.media * scale, BASE.subjects * scale],
  );
}

/** A valid chain, hashed exactly as `appendAudit` hashes (and `verifyAuditChain` recomputes) each event. */
async function insertAuditChain(admin: pg.Client, tenantId: string, actorIds: string[], scale: number) {
  const total = BASE.audit * scale;
  const start = Date.now() - total * 1_000;
  let prevHash = GENESIS_HASH;
  const batch = 2_000;
  for (let from = 1; from <= total; from += batch) {
    const rows: unknown[][] = [];
    for (let seq = from; seq < Math.min(total + 1, from + batch); seq++) {
      const action = seq % 200 === 0 ? RARE_AUDIT_ACTION : AUDIT_ACTIONS[seq % AUDIT_ACTIONS.length]!;
      const unsigned = {
        tenantId,
        seq,
        occurredAt: new Date(start + seq * 1_000).toISOString(),
        actorType: "user" as const,
        actorId: actorIds[seq % actorIds.length]!,
        action,
        targetType: "content",
        targetId: `00000000-0000-4000-8000-${String(seq % (total / 4)).padStart(12, "0")}`,
        requestId: null,
        details: { n: seq },
        prevHash,
      };
      const hash = await sha256Hex(auditHashInput(unsigned));
      rows.push([
        seq,
        unsigned.occurredAt,
        unsigned.actorId,
        action,
        unsigned.targetType,
        unsigned.targetId,
        JSON.stringify(unsigned.details),
        prevHash,
        hash,
      ]);
      prevHash = hash;
    }
    await admin.query(
      `insert into audit_events (tenant_id, seq, occurred_at, actor_type, actor_id, action, target_type, target_id,
         request_id, details, prev_hash, hash)
       select $1, (r->>0)::bigint, (r->>1)::timestamptz, 'user', r->>2, r->>3, r->>4, r->>5, null, (r->>6)::jsonb, r->>7, r->>8
       from jsonb_array_elements($2::jsonb) r`,
      [tenantId, JSON.stringify(rows)],
    );
  }
}

export async function loadTenant(admin: pg.Client, scale: number): Promise<LoadedTenant> {
  const started = Date.now();
  const tenant = await insertTenant(admin, scale);
  const authorIds = await insertAuthors(admin, tenant.id, tenant.slug);
  await insertContent(admin, tenant.id, authorIds, scale);
  await insertSubjectsAndMedia(admin, tenant.id, authorIds[0]!, scale);
  await insertAuditChain(admin, tenant.id, authorIds, scale);
  await admin.query("analyze");
  const published = await admin.query<{ n: number }>(
    `select count(*)::int as n from content_items where tenant_id = $1 and locale = 'pt-BR' and state = 'published'
       and compliance_level = 'public' and trashed_at is null`,
    [tenant.id],
  );
  return {
    scale,
    ...tenant,
    authorIds,
    facts: {
      searchWord: "enxaqueca",
      tagSlug: "tema-1",
      categorySlug: "cardiologia",
      publishedPtBr: published.rows[0]!.n,
      rareAuditAction: RARE_AUDIT_ACTION,
      auditTargetId: `00000000-0000-4000-8000-${String(7).padStart(12, "0")}`,
    },
    seconds: (Date.now() - started) / 1000,
  };
}
