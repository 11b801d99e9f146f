/**
 * Structured JSON logs with personal-data redaction. LGPD Art. 46 and HIPAA 164.312(b) want audit
 * controls without spreading personal or health data into log sinks, so every string that reaches a
 * log line passes through `redact` first, and fields whose names suggest a secret are dropped entirely.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const SECRET_KEY =
  /pass(word)?|secret|token|authorization|cookie|signature|credential|private|api[-_]?key|otp|totp|mfa_code|recovery/i;

// Order matters: longer identifiers first so a CNS is not half-eaten by the phone pattern.
const REDACTIONS: ReadonlyArray<[RegExp, string]> = [
  // Bearer tokens and JWTs (three base64url segments).
  [/\bBearer\s+[\w.~+/-]+=*/gi, "Bearer [redacted]"],
  [/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, "[jwt]"],
  // Presigned URL query parameters (SigV4) — a URL that grants access is a secret while it lives.
  [/([?&]X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s"]+/gi, "$1[redacted]"],
  [/\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g, "[email]"],
  // CNS: 15 digits, optionally grouped 3-4-4-4.
  [/\b\d{3}[ .]?\d{4}[ .]?\d{4}[ .]?\d{4}\b/g, "[cns]"],
  // CPF: 11 digits, optionally formatted 000.000.000-00.
  [/\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b/g, "[cpf]"],
  // Brazilian phone numbers: (11) 98765-4321, +55 11 98765-4321, 11987654321.
  [/(?:\+?55\s?)?\(?\b\d{2}\)?\s?9?\d{4}-?\d{4}\b/g, "[phone]"],
];

export function redact(text: string): string {
  let result = text;
  for (const [pattern, replacement] of REDACTIONS) result = result.replace(pattern, replacement);
  return result;
}

function sanitize(value: unknown, depth = 0): unknown {
  if (depth > 6) return "[depth]";
  if (typeof value === "string") return redact(value);
  if (value instanceof Error) return describeError(value, depth);
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => sanitize(item, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(key) ? "[redacted]" : sanitize(inner, depth + 1);
    }
    return out;
  }
  return value;
}

/**
 * An error as a log line may show it: its name, its message without the statement's parameters (drizzle puts them
 * after "params:"; they are the values a query wrote or looked for, such as a file name carrying a patient's name),
 * the database's SQLSTATE when there is one, and its cause, described the same way.
 */
function describeError(error: Error, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: error.name,
    message: redact(error.message.split(/\r?\nparams:/)[0] ?? ""),
  };
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") out.code = code;
  if (error.cause !== undefined) out.cause = sanitize(error.cause, depth + 1);
  return out;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(base: Record<string, unknown> = {}, minimum: LogLevel = "info"): Logger {
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (LEVELS[level] < LEVELS[minimum]) return;
    const line = JSON.stringify({
      level,
      time: new Date().toISOString(),
      message: redact(message),
      ...(sanitize({ ...base, ...fields }) as Record<string, unknown>),
    });
    if (level === "error") console.error(line);
    else if (level === "warn") console.warn(line);
    else console.log(line);
  };
  return {
    debug: (message, fields) => write("debug", message, fields),
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
    child: (fields) => createLogger({ ...base, ...fields }, minimum),
  };
}
