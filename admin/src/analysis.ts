/**
 * Normalises the analysis answer of `POST/GET /api/posts/:id/analysis` into plugin reports. The pipeline's
 * result (functions/plugin-host) is `{ stages: PluginResult[], blocking }`; stored analyses are rows
 * `{ stage, output, blocking }`. Both shapes are accepted, and anything malformed is dropped rather than
 * trusted: findings come from plugins, which the host treats as untrusted code.
 */
import { ANALYSIS_STATUSES, type AnalysisStatus } from "../../functions/contract";
import type { Finding, Severity } from "./types";

export interface PluginReport {
  plugin: string;
  version: string | null;
  ok: boolean;
  score: number | null;
  findings: Finding[];
  blocking: boolean;
}

export interface AnalysisView {
  /** `pending`: the server analyses the saved revision by itself (in review) and has not stored it yet. */
  status: AnalysisStatus | null;
  reports: PluginReport[];
  blocking: boolean;
  revisionId: string | null;
  createdAt: string | null;
}

const SEVERITIES: readonly Severity[] = ["info", "warning", "blocking"];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function finding(value: unknown): Finding | null {
  if (!isRecord(value) || typeof value.code !== "string") return null;
  const severity = SEVERITIES.includes(value.severity as Severity) ? (value.severity as Severity) : "info";
  const out: Finding = {
    code: value.code,
    severity,
    message: typeof value.message === "string" ? value.message : value.code,
  };
  if (typeof value.start === "number" && typeof value.end === "number" && value.start <= value.end) {
    out.start = value.start;
    out.end = value.end;
  }
  if (typeof value.suggestion === "string") out.suggestion = value.suggestion;
  return out;
}

function report(value: unknown): PluginReport | null {
  if (!isRecord(value)) return null;
  const output = isRecord(value.output) ? value.output : value;
  const plugin =
    typeof value.plugin === "string"
      ? value.plugin
      : typeof value.stage === "string"
        ? value.stage
        : typeof output.plugin === "string"
          ? output.plugin
          : null;
  if (!plugin) return null;
  const findings = (Array.isArray(output.findings) ? output.findings : [])
    .map(finding)
    .filter((f): f is Finding => f !== null);
  return {
    plugin,
    version:
      typeof value.pluginVersion === "string" && value.pluginVersion !== ""
        ? value.pluginVersion
        : typeof value.version === "string"
          ? value.version
          : typeof output.version === "string"
            ? output.version
            : null,
    ok: value.ok !== false,
    score: typeof output.score === "number" ? output.score : null,
    findings,
    blocking: value.blocking === true || findings.some((f) => f.severity === "blocking"),
  };
}

export function normaliseAnalysis(body: unknown): AnalysisView {
  const root = isRecord(body) && isRecord(body.analysis) ? body.analysis : body;
  const list = Array.isArray(root)
    ? root
    : isRecord(root)
      ? (Array.isArray(root.stages) && root.stages) ||
        (Array.isArray(root.results) && root.results) ||
        (Array.isArray(root.items) && root.items) ||
        []
      : [];
  const reports = list.map(report).filter((r): r is PluginReport => r !== null);
  const meta = isRecord(root) ? root : {};
  return {
    status: ANALYSIS_STATUSES.includes(meta.status as AnalysisStatus) ? (meta.status as AnalysisStatus) : null,
    reports,
    blocking: meta.blocking === true || reports.some((r) => r.blocking),
    revisionId: typeof meta.revisionId === "string" ? meta.revisionId : null,
    createdAt: typeof meta.createdAt === "string" ? meta.createdAt : null,
  };
}

/** Every finding with offsets, flattened with its plugin, in text order (for highlighting). */
export function locatedFindings(view: AnalysisView): Array<Finding & { plugin: string }> {
  return view.reports
    .flatMap((r) => r.findings.map((f) => ({ ...f, plugin: r.plugin })))
    .filter((f) => f.start !== undefined && f.end !== undefined)
    .sort((a, b) => a.start! - b.start!);
}

/** The SEO score, from the seo-optimizer stage. */
export function seoScore(view: AnalysisView): number | null {
  return view.reports.find((r) => r.plugin.includes("seo"))?.score ?? null;
}
