// The Find posts screen's pure logic: the form's fields as the engine reads them, progress and
// result sentences, and the term-analysis chart. The engine decides everything else (reading
// the form, validation, money, verdicts); these only shape what it sends.

import type { SearchForm, SearchOutcome, SearchProgress, SearchRequest, SearchSort, Source, TermAnalysis } from "../bindings";
import { formatInt, plural } from "./format";

export interface FindForm {
  terms: string;
  source: Source;
  count: string;
  minLikes: string;
  minReposts: string;
  minReplies: string;
  daysBack: string;
  language: string;
  onlyVerified: boolean;
  onlyImage: boolean;
  onlyVideo: boolean;
  onlyQuote: boolean;
  rawQuery: boolean;
  sort: SearchSort;
  saveAs: string;
}

export const DEFAULT_FORM: FindForm = {
  terms: "",
  source: "apify",
  count: "100",
  minLikes: "0",
  minReposts: "0",
  minReplies: "0",
  daysBack: "",
  language: "en",
  onlyVerified: false,
  onlyImage: false,
  onlyVideo: false,
  onlyQuote: false,
  rawQuery: false,
  sort: "latest",
  saveAs: "",
};

/** The form as the engine reads it: the same fields, named as the engine names them. The
 * engine splits the terms, reads the numbers and says what to fix (`readForm`). */
export function toFormDto(form: FindForm): SearchForm {
  return {
    source: form.source,
    terms: form.terms,
    count: form.count,
    min_likes: form.minLikes,
    min_reposts: form.minReposts,
    min_replies: form.minReplies,
    days_back: form.daysBack,
    language: form.language,
    only_verified: form.onlyVerified,
    only_image: form.onlyImage,
    only_video: form.onlyVideo,
    only_quote: form.onlyQuote,
    raw_query: form.rawQuery,
    sort: form.sort,
  };
}

/** A saved search's request back into the form. */
export function toForm(request: SearchRequest): FindForm {
  const f = request.filters;
  return {
    ...DEFAULT_FORM,
    terms: request.terms.join(", "),
    source: request.source,
    count: String(request.count),
    minLikes: String(f.min_likes),
    minReposts: String(f.min_reposts),
    minReplies: String(f.min_replies),
    daysBack: f.days_back == null ? "" : String(f.days_back),
    language: f.language ?? "",
    onlyVerified: f.only_verified,
    onlyImage: f.only_image,
    onlyVideo: f.only_video,
    onlyQuote: f.only_quote,
    rawQuery: f.raw_query,
    sort: f.sort,
  };
}

export function sourceName(source: Source): string {
  return source === "apify" ? "Apify" : "X API";
}

/** "Term 1 of 2 · “onboarding”: 120 found, 80 new, 2 skipped". */
export function progressLine(p: SearchProgress): string {
  const parts = [`${formatInt(p.found)} found`, `${formatInt(p.added)} new`];
  if (p.skipped > 0) parts.push(`${formatInt(p.skipped)} skipped`);
  if (p.filtered > 0) parts.push(`${formatInt(p.filtered)} below your minimums`);
  return `Term ${p.term_number} of ${p.terms} · “${p.term}”: ${parts.join(", ")}`;
}

/** The result card's title. */
export function outcomeHeadline(o: SearchOutcome): string {
  if (o.status === "cancelled") return `Cancelled: ${plural(o.added, "new post")} kept`;
  if (o.status === "failed") return o.found > 0 ? `Stopped part-way: ${plural(o.added, "new post")} kept` : "The search could not finish";
  if (o.found === 0) return "No posts matched";
  return `${plural(o.added, "new post")} added`;
}

/** Side-by-side shares per term, as the chart draws them (percent, one decimal). */
export function analysisSeries(rows: TermAnalysis[]): { terms: string[]; series: { name: string; values: number[] }[] } {
  const pct = (x: number) => Math.round(x * 1000) / 10;
  return {
    terms: rows.map((r) => r.term),
    series: [
      { name: "Green", values: rows.map((r) => pct(r.green_share)) },
      { name: "Yellow", values: rows.map((r) => pct(r.yellow_share)) },
      { name: "Red", values: rows.map((r) => pct(r.red_share)) },
      { name: "Last 48 h", values: rows.map((r) => pct(r.fresh_share)) },
    ],
  };
}

/** Refresh choices for a saved search, in hours (null: only when asked). */
export const REFRESH_CHOICES: { hours: number | null; label: string }[] = [
  { hours: null, label: "Only when I ask" },
  { hours: 1, label: "Every hour" },
  { hours: 3, label: "Every 3 hours" },
  { hours: 6, label: "Every 6 hours" },
  { hours: 12, label: "Every 12 hours" },
  { hours: 24, label: "Every day" },
];
