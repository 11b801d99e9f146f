import { ValidationError } from "./errors";

/**
 * NIST SP 800-63B §3.1.1.2: a minimum length, no composition rules, and refusal of passwords known to be
 * common or breached. The list is small and bundled (no I/O at sign-up); it holds the most frequent
 * passwords seen in public breach corpora, plus ones an attacker would try first against this product.
 */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

const COMMON = new Set(
  [
    "123456789012",
    "1234567890123",
    "password1234",
    "password12345",
    "passw0rd1234",
    "qwertyuiop12",
    "qwerty123456",
    "iloveyou1234",
    "admin1234567",
    "administrator",
    "welcome12345",
    "letmein12345",
    "abc123456789",
    "111111111111",
    "000000000000",
    "123123123123",
    "aaaaaaaaaaaa",
    "senha1234567",
    "senha123456789",
    "mudar1234567",
    "trocar123456",
    "brasil123456",
    "flamengo1234",
    "corinthians1",
    "palmeiras123",
    "saopaulo1234",
    "clinica12345",
    "hospital1234",
    "medicina1234",
    "doutor123456",
    "paciente1234",
    "vitalis12345",
    "vitalis-demo",
    "vitalisdemo1",
    "changeme1234",
    "default12345",
    "football1234",
    "baseball1234",
    "superman1234",
    "batman123456",
    "trustno11234",
    "sunshine1234",
    "princess1234",
    "dragon123456",
    "monkey123456",
    "shadow123456",
    "master123456",
    "qazwsxedc123",
    "1q2w3e4r5t6y",
    "zaq12wsxcde3",
    "p@ssw0rd1234",
    "passwordpassword",
    "contraseña123",
    "contrasena123",
  ].map((p) => p.toLowerCase()),
);

export function assertAcceptablePassword(password: string, context: { email?: string } = {}): void {
  const problems: string[] = [];
  if ([...password].length < MIN_PASSWORD_LENGTH) problems.push(`must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) problems.push(`must be at most ${MAX_PASSWORD_LENGTH} characters`);
  const lower = password.toLowerCase();
  if (COMMON.has(lower) || /^(.)\1+$/.test(password)) problems.push("is too common; choose a passphrase of your own");
  const local = context.email?.split("@")[0]?.toLowerCase();
  if (local && local.length >= 4 && lower.includes(local)) problems.push("must not contain your email address");
  if (problems.length > 0) {
    throw new ValidationError(
      problems.map((message) => ({ path: "json.password", message })),
      "The new password is not acceptable.",
    );
  }
}
