import { BadRequestError } from "./errors";

/**
 * The opaque cursor of the API's keyset-paginated lists: base64url of the last row's (sort instant, id). A
 * list sorted by `(instant desc, id desc)` resumes after that pair, so rows written meanwhile neither repeat
 * nor shift a page.
 */
export function encodeCursor(at: Date, id: string): string {
  const bytes = new TextEncoder().encode(JSON.stringify([at.toISOString(), id]));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The pair a cursor carries; anything this API did not hand out is 400 `invalid_cursor`. */
export function decodeCursor(cursor: string): { at: Date; id: string } {
  try {
    const binary = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    const parsed: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0))));
    if (Array.isArray(parsed) && typeof parsed[0] === "string" && typeof parsed[1] === "string") {
      const at = new Date(parsed[0]);
      if (!Number.isNaN(at.getTime()) && /^[0-9a-f-]{36}$/i.test(parsed[1])) return { at, id: parsed[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new BadRequestError("invalid_cursor", "The cursor is not one this API returned.");
}
