// Project settings in the editor: the textarea ⇄ list conversions the form uses, and
// comparing with the engine's defaults. The defaults and the checks before saving are the
// engine's (`default_project_settings`, `project_settings_problems`).

import type { ProjectSettings, ReplyType } from "../api";
import { REPLY_TYPES } from "../api";

/** One item per non-empty line, trimmed. */
export function linesToList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

export function listToLines(list: readonly string[]): string {
  return list.join("\n");
}

/** Handles typed with or without "@", separated by commas, spaces or lines. */
export function parseHandles(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(/[\s,]+/)) {
    const h = raw.trim().replace(/^@+/, "");
    if (!h) continue;
    const key = h.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(h);
  }
  return out;
}

export function formatHandles(list: readonly string[]): string {
  return list.map((h) => `@${h}`).join(", ");
}

/** Keywords and phrases separated by commas or lines ("free trial" stays one phrase). */
export function parseKeywords(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(/[,\n]+/)) {
    const k = raw.trim();
    if (!k || seen.has(k.toLowerCase())) continue;
    seen.add(k.toLowerCase());
    out.push(k);
  }
  return out;
}

type Scoring = Pick<ProjectSettings, "weights" | "thresholds">;

/** True when weights and thresholds are the engine's defaults (so "Reset to defaults" can be disabled). */
export function isDefaultScoring(s: Scoring, defaults: Scoring): boolean {
  const same = (a: number, b: number) => Math.abs(a - b) < 1e-9;
  return (
    same(s.weights.velocity, defaults.weights.velocity) &&
    same(s.weights.relevance, defaults.weights.relevance) &&
    same(s.weights.openness, defaults.weights.openness) &&
    same(s.weights.author, defaults.weights.author) &&
    same(s.thresholds.green, defaults.thresholds.green) &&
    same(s.thresholds.yellow, defaults.thresholds.yellow)
  );
}

/** Weights and thresholds back to the engine's defaults (from `default_project_settings`). */
export function resetScoring(s: ProjectSettings, defaults: Scoring): ProjectSettings {
  return { ...s, weights: { ...defaults.weights }, thresholds: { ...defaults.thresholds } };
}

export function toggleReplyType(list: readonly ReplyType[], t: ReplyType): ReplyType[] {
  const next = list.includes(t) ? list.filter((x) => x !== t) : [...list, t];
  // Keep the engine's order so the saved file stays stable.
  return REPLY_TYPES.filter((x) => next.includes(x));
}

/** A file name for exporting a project: "Sample: B2B SaaS growth" → "sample-b2b-saas-growth.toml". */
export function projectFileName(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `${slug || "project"}.toml`;
}
