/**
 * Rendering cost of a Markdown body at the length cap (`npx tsx bench/markdown.ts`): an ordinary article
 * and bodies built to attack marked (deep nesting, delimiters that never close, long runs that could spell
 * an e-mail address), each as CPU milliseconds (best of five, render + sanitize) and as a ratio to the
 * ordinary article of the same length, measured in the same run. No test asserts these numbers.
 */
import { MAX_MARKDOWN_LENGTH, renderMarkdown } from "../functions/services/content/markdown.js";

const n = MAX_MARKDOWN_LENGTH;
const paragraph = "A **pressão** arterial _alta_ e o [guia](https://www.portal.cardiol.br) com `mmHg`. ";

/** `unit` repeated to exactly the cap. */
const fill = (unit: string) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);

const bodies: Record<string, string> = {
  "ordinary article": fill(paragraph.repeat(12) + "\n\n"),
  "6,000 '>' then text": fill(">".repeat(6_000) + " x\n"),
  "lists and quotes on one line": "> - ".repeat(n / 4),
  "nested strong": "**".repeat(n / 4) + "x" + "**".repeat(n / 4 - 1),
  "unclosed '_a_b'": "_a_b".repeat(n / 4),
  "unclosed 'a**b'": "a**b".repeat(n / 4),
  "unclosed '~a~b'": "~a~b".repeat(n / 4),
  "table rows": ("|a|b|\n|-|-|\n" + fill("|x|y|\n")).slice(0, n),
  "open brackets": "[".repeat(n),
};

function cpuMilliseconds(source: string): number {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 5; run++) {
    const start = process.cpuUsage();
    renderMarkdown(source);
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

const baseline = cpuMilliseconds(bodies["ordinary article"]!);
console.log(`Markdown at the cap (${n} characters), CPU ms, best of 5:`);
for (const [name, source] of Object.entries(bodies)) {
  const ms = name === "ordinary article" ? baseline : cpuMilliseconds(source);
  console.log(`${name.padEnd(30)} ${ms.toFixed(1).padStart(8)} ms  ×${(ms / baseline).toFixed(1)}`);
}
