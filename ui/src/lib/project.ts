// Project settings in the editor: defaults (the engine's), checks before saving, and the
// textarea ⇄ list conversions the form uses.

import type { ProjectSettings, ReplyType, Thresholds, Weights } from "../apiTypes";
import { REPLY_TYPES } from "../apiTypes";

export const DEFAULT_WEIGHTS: Weights = { velocity: 0.35, relevance: 0.35, openness: 0.2, author: 0.1 };
export const DEFAULT_THRESHOLDS: Thresholds = { green: 0.6, yellow: 0.45 };
export const DEFAULT_MODEL = "gemini-2.5-flash";

export function newProjectSettings(name: string): ProjectSettings {
  return {
    name,
    languages: ["en"],
    reply_types: [...REPLY_TYPES],
    topics: [],
    voice: { persona: "helpful and informative", rules: [], good_examples: [], bad_examples: [] },
    sources: { favour_authors: [], avoid_authors: [], avoid_keywords: [] },
    weights: { ...DEFAULT_WEIGHTS },
    thresholds: { ...DEFAULT_THRESHOLDS },
    generation: { model: DEFAULT_MODEL, temperature: 0.2 },
  };
}

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

export interface SettingsProblem {
  /** Which part of the form, for focusing it: "name", "topics.0.label", "thresholds", … */
  field: string;
  message: string;
}

/** What would stop the engine from accepting these settings, in plain words. */
export function checkSettings(s: ProjectSettings): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  if (!s.name.trim()) problems.push({ field: "name", message: "Give the project a name." });
  const labels = new Set<string>();
  s.topics.forEach((t, i) => {
    const label = t.label.trim().toLowerCase();
    if (!label) problems.push({ field: `topics.${i}.label`, message: `Topic ${i + 1} needs a name.` });
    else if (labels.has(label)) problems.push({ field: `topics.${i}.label`, message: `There are two topics called "${t.label.trim()}".` });
    labels.add(label);
  });
  const w = s.weights;
  const weights = [w.velocity, w.relevance, w.openness, w.author];
  if (weights.some((x) => !Number.isFinite(x) || x < 0)) {
    problems.push({ field: "weights", message: "Weights can't be negative." });
  } else if (weights.every((x) => x === 0)) {
    problems.push({ field: "weights", message: "At least one weight must be above zero." });
  }
  const { green, yellow } = s.thresholds;
  if (![green, yellow].every((x) => Number.isFinite(x) && x >= 0 && x <= 1)) {
    problems.push({ field: "thresholds", message: "Thresholds must be between 0 and 1." });
  } else if (yellow > green) {
    problems.push({ field: "thresholds", message: "The yellow threshold can't be above the green one." });
  }
  if (s.reply_types.length === 0) problems.push({ field: "reply_types", message: "Pick at least one reply type." });
  if (!Number.isFinite(s.generation.temperature) || s.generation.temperature < 0 || s.generation.temperature > 2) {
    problems.push({ field: "generation", message: "Creativity must be between 0 and 2." });
  }
  return problems;
}

/** True when weights and thresholds are the defaults (so "Reset to defaults" can be disabled). */
export function isDefaultScoring(s: Pick<ProjectSettings, "weights" | "thresholds">): boolean {
  const same = (a: number, b: number) => Math.abs(a - b) < 1e-9;
  return (
    same(s.weights.velocity, DEFAULT_WEIGHTS.velocity) &&
    same(s.weights.relevance, DEFAULT_WEIGHTS.relevance) &&
    same(s.weights.openness, DEFAULT_WEIGHTS.openness) &&
    same(s.weights.author, DEFAULT_WEIGHTS.author) &&
    same(s.thresholds.green, DEFAULT_THRESHOLDS.green) &&
    same(s.thresholds.yellow, DEFAULT_THRESHOLDS.yellow)
  );
}

export function resetScoring(s: ProjectSettings): ProjectSettings {
  return { ...s, weights: { ...DEFAULT_WEIGHTS }, thresholds: { ...DEFAULT_THRESHOLDS } };
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
