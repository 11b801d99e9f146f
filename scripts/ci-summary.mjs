// Reads vitest's JSON report and prints the closing CI line "N passed, N failed", with the line above it saying
// what was counted. Exits 1 when anything counts as failed, so a broken run cannot pass as "0 failed":
// - failed tests;
// - failed files with no failed test (a `beforeAll` that threw leaves its tests "skipped"; a file that failed to
//   import has no tests at all), and a report with no test files;
// - skipped, pending or todo tests without an explicit reason: the suite has no intentional skips, so a skip is
//   only accepted when the test declares why in `task.meta.skipReason` (a non-empty string).
// Usage: node scripts/ci-summary.mjs [test-results/vitest.json]
import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const SKIPPED = new Set(["skipped", "pending", "todo", "disabled"]);

/** Counts a parsed vitest JSON report. */
export function summarize(report) {
  const files = Array.isArray(report?.testResults) ? report.testResults : [];
  let passed = 0;
  let failedTests = 0;
  let failedSuites = 0;
  let unexpectedSkips = 0;
  const problems = [];
  for (const file of files) {
    const tests = Array.isArray(file.assertionResults) ? file.assertionResults : [];
    let fileFailedTests = 0;
    for (const test of tests) {
      if (test.status === "passed") passed++;
      else if (test.status === "failed") fileFailedTests++;
      else if (SKIPPED.has(test.status) && hasReason(test)) continue;
      else {
        // skipped/pending/todo with no reason, or a status this script does not know
        unexpectedSkips++;
        problems.push(`${test.status}: ${file.name} > ${test.fullName || test.title}`);
      }
    }
    failedTests += fileFailedTests;
    if (file.status !== "passed" && fileFailedTests === 0) {
      failedSuites++;
      const why = String(file.message || "").split("\n")[0];
      problems.push(`failed suite: ${file.name}${tests.length === 0 ? " (no tests)" : ""}${why ? ` — ${why}` : ""}`);
    }
  }
  if (files.length === 0) {
    failedSuites++;
    problems.push("failed suite: the report lists no test files");
  }
  const failed = failedTests + failedSuites + unexpectedSkips;
  return { passed, failed, failedTests, failedSuites, unexpectedSkips, problems };
}

function hasReason(test) {
  const reason = test.meta?.skipReason;
  return typeof reason === "string" && reason.trim() !== "";
}

/** The lines CI prints: problems, what was counted, then the plain closing line. */
export function render(summary) {
  return [
    ...summary.problems,
    `counted as failed: ${summary.failedTests} failed tests, ${summary.failedSuites} failed suites without a failed test, ` +
      `${summary.unexpectedSkips} skipped/pending/todo tests without a reason`,
    `${summary.passed} passed, ${summary.failed} failed`,
  ].join("\n");
}

/** A report that cannot be read counts as one failed suite. */
function unreadable(problem) {
  return {
    passed: 0,
    failed: 1,
    failedTests: 0,
    failedSuites: 1,
    unexpectedSkips: 0,
    problems: [`failed suite: ${problem}`],
  };
}

function main(path) {
  let summary;
  if (!existsSync(path)) summary = unreadable(`no test report at ${path}`);
  else {
    try {
      summary = summarize(JSON.parse(readFileSync(path, "utf8")));
    } catch (error) {
      summary = unreadable(`unreadable test report ${path}: ${error.message}`);
    }
  }
  console.log(render(summary));
  return summary.failed === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exit(main(process.argv[2] ?? "test-results/vitest.json"));
}
