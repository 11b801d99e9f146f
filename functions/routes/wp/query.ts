import type { WpCollectionQuery, WpItemQuery } from "../../services/wordpress";
import { noRouteError, WordPressError } from "./errors";

/**
 * A request's query parameters, each name with its values in order, read in one pass over the query string: each
 * lookup on a `URLSearchParams` is a call into the runtime, and a collection's query looks up some twenty names.
 */
export type WpParams = ReadonlyMap<string, readonly string[]>;

export function readWpParams(search: string): WpParams {
  const params = new Map<string, string[]>();
  if (search.length <= 1) return params;
  for (const [name, value] of new URLSearchParams(search)) {
    const values = params.get(name);
    if (values) values.push(value);
    else params.set(name, [value]);
  }
  return params;
}

/** A parameter's first value, or null (as `URLSearchParams.get`). */
function param(params: WpParams, name: string): string | null {
  return params.get(name)?.[0] ?? null;
}

/** Reads a parameter given as `a=1,2`, `a[]=1&a[]=2` or `a=1&a=2` (WordPress accepts all three). */
function listParam(params: WpParams, name: string): string[] | undefined {
  const values = [...(params.get(name) ?? []), ...(params.get(`${name}[]`) ?? [])];
  if (values.length === 0) return undefined;
  return values
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
}

export type WpCollectionKind = "posts" | "terms" | "users" | "media";

const ORDERBY: Record<WpCollectionKind, readonly string[]> = {
  posts: ["date", "id", "modified", "slug", "title", "relevance", "include"],
  terms: ["name", "id", "slug", "count", "include"],
  users: ["name", "id", "slug", "include"],
  media: ["date", "id", "include"],
};

/**
 * Parses a collection's query like WP_REST_Controller::get_collection_params: every invalid parameter is
 * named in one `rest_invalid_param` error (HTTP 400), with WordPress's messages.
 */
export function parseWpQuery(params: WpParams, kind: WpCollectionKind): WpCollectionQuery {
  const invalid: Record<string, string> = {};
  const integer = (name: string, min: number, max: number | null, fallback: number): number => {
    const raw = param(params, name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value)) {
      invalid[name] = `${name} is not of type integer.`;
      return fallback;
    }
    if (value < min || (max !== null && value > max)) {
      invalid[name] =
        max === null
          ? `${name} must be greater than or equal to ${min}`
          : `${name} must be between ${min} (inclusive) and ${max} (inclusive)`;
      return fallback;
    }
    return value;
  };
  const integers = (name: string): number[] | undefined => {
    const values = listParam(params, name);
    if (!values) return undefined;
    if (values.some((value) => !/^\d+$/.test(value))) {
      invalid[name] = `${name}[0] is not of type integer.`;
      return undefined;
    }
    return values.map(Number);
  };
  const date = (name: string): Date | undefined => {
    const raw = param(params, name);
    if (raw === null) return undefined;
    // RFC 3339 / ISO 8601 date-time, as rest_parse_date accepts; a missing zone means the site's (UTC here).
    const match = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(raw);
    const parsed = match ? new Date(match[2] ? raw : `${raw}Z`) : null;
    if (!parsed || Number.isNaN(parsed.getTime())) {
      invalid[name] = `Invalid date.`;
      return undefined;
    }
    return parsed;
  };

  const page = integer("page", 1, null, 1);
  const perPage = integer("per_page", 1, 100, 10);
  const dated = kind === "posts" || kind === "media";
  const orderby = param(params, "orderby") ?? (dated ? "date" : "name");
  if (!ORDERBY[kind].includes(orderby)) invalid.orderby = `orderby is not one of ${ORDERBY[kind].join(", ")}.`;
  const order = param(params, "order") ?? (dated ? "desc" : "asc");
  if (order !== "asc" && order !== "desc") invalid.order = "order is not one of asc and desc.";
  const search = param(params, "search") ?? undefined;
  if (search !== undefined && search.length > 200) invalid.search = "search must be at most 200 characters long.";

  const query: WpCollectionQuery = {
    page,
    perPage,
    orderby,
    order: order === "asc" ? "asc" : "desc",
    embed: params.has("_embed"),
    ...(search ? { search } : {}),
  };
  const slug = listParam(params, "slug");
  if (slug) query.slug = slug;
  const include = integers("include");
  if (include) query.include = include;
  const fields = listParam(params, "_fields");
  if (fields) query.fields = fields;
  if (kind === "posts") {
    const author = integers("author");
    if (author) query.author = author;
    const categoryIds = integers("categories");
    if (categoryIds) query.categories = categoryIds;
    const tagIds = integers("tags");
    if (tagIds) query.tags = tagIds;
    const after = date("after");
    if (after) query.after = after;
    const before = date("before");
    if (before) query.before = before;
  }
  if (kind === "terms") {
    const hideEmpty = param(params, "hide_empty");
    if (hideEmpty !== null) {
      if (!["true", "false", "1", "0"].includes(hideEmpty)) invalid.hide_empty = "hide_empty is not of type boolean.";
      else query.hideEmpty = hideEmpty === "true" || hideEmpty === "1";
    }
    if (params.has("parent")) query.parent = integer("parent", 0, null, 0);
    if (params.has("post")) query.post = integer("post", 1, null, 1);
  }
  const names = Object.keys(invalid);
  if (names.length > 0)
    throw new WordPressError(400, "rest_invalid_param", `Invalid parameter(s): ${names.join(", ")}`, invalid);
  if (query.orderby === "relevance" && !query.search) {
    throw new WordPressError(
      400,
      "rest_no_search_term_defined",
      "You need to define a search term to order by relevance.",
    );
  }
  if (query.orderby === "include" && !query.include) {
    throw new WordPressError(
      400,
      "rest_orderby_include_missing_include",
      "You need to define an include parameter to order by include.",
    );
  }
  return query;
}

/** One item's query: `_embed`, and `_fields` as a comma-separated list. */
export function parseWpItemQuery(params: WpParams): WpItemQuery {
  const raw = param(params, "_fields");
  return {
    embed: params.has("_embed"),
    ...(raw
      ? {
          fields: raw
            .split(",")
            .map((f) => f.trim())
            .filter(Boolean),
        }
      : {}),
  };
}

/** An item's id: WordPress's routes only match digits (`(?P<id>[\d]+)`); anything else is no route at all. */
export function parseWpId(raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) throw noRouteError();
  return Number(raw);
}
