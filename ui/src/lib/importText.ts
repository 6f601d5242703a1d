// Words for an import's result.

import type { ImportReport } from "../api";
import { formatInt, plural } from "./format";

/** "Added 187 new posts, refreshed 15 you already had and skipped 3." */
export function importHeadline(r: Pick<ImportReport, "added" | "updated" | "skipped">): string {
  const skipped = r.skipped.length;
  if (r.added === 0 && r.updated === 0 && skipped === 0) return "The file had no posts in it.";
  const parts: string[] = [];
  if (r.added > 0) parts.push(`added ${plural(r.added, "new post")}`);
  if (r.updated > 0) parts.push(r.added > 0 ? `refreshed ${formatInt(r.updated)} you already had` : `refreshed ${plural(r.updated, "post")} you already had`);
  if (skipped > 0) parts.push(`skipped ${formatInt(skipped)}`);
  const joined = parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}` : parts[0]!;
  const text = joined.charAt(0).toUpperCase() + joined.slice(1);
  return r.added === 0 ? `${text}: no new posts.` : `${text}.`;
}

/** Groups skip reasons: "not a post (an empty search result)" × 12, most common first. */
export function skipReasonCounts(r: Pick<ImportReport, "skipped">): Array<{ reason: string; count: number }> {
  const counts = new Map<string, number>();
  for (const s of r.skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  return [...counts.entries()].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}
