/**
 * The content types the admin edits, from the Worker's registry (functions/content-types.ts): each type's
 * screens live at its API path without `/api` (`/posts`, `/pages`), so a new type needs only its words here,
 * and the compiler asks for them.
 */
import { contentTypes } from "../../functions/content-types";
import { CONTENT_TYPES, type ContentType } from "../../functions/contract";
import type { MessageKey } from "./i18n";

export { CONTENT_TYPES, type ContentType };

export const TYPE_WORDS: Readonly<Record<ContentType, { plural: MessageKey; create: MessageKey }>> = {
  post: { plural: "posts", create: "newPost" },
  page: { plural: "pages", create: "newPage" },
};

/** The SPA path of a type's list: "/posts". */
export function screenPath(type: ContentType): string {
  return contentTypes[type].apiPath.slice("/api".length);
}

/** The screen a path opens: a type's list, its "new" form, or one item; null for any other path. */
export function contentRoute(
  path: string,
):
  | { type: ContentType; screen: "list" }
  | { type: ContentType; screen: "new" }
  | { type: ContentType; screen: "edit"; id: string }
  | null {
  for (const type of CONTENT_TYPES) {
    const base = screenPath(type);
    if (path === base) return { type, screen: "list" };
    if (path === `${base}/new`) return { type, screen: "new" };
    const match = new RegExp(`^${base}/([0-9a-f-]{36})$`).exec(path);
    if (match) return { type, screen: "edit", id: match[1]! };
  }
  return null;
}
