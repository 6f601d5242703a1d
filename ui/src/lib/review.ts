// Review-queue logic kept out of the components so it can be tested: which draft is shown
// first, the score breakdown in plain words, keyboard shortcuts and moving through the list.

import type { Draft } from "../api";

/** The text to copy and show: the person's edit when there is one. */
export function draftText(d: Pick<Draft, "text" | "edited_text">): string {
  return d.edited_text != null && d.edited_text.trim() !== "" ? d.edited_text : d.text;
}

/** Drafts to offer, best first: approved, then drafts, by rank; rejected ones last. */
export function orderedDrafts(drafts: Draft[]): Draft[] {
  const weight = (d: Draft) => (d.review === "approved" ? 0 : d.review === "draft" ? 1 : 2);
  return [...drafts].sort((a, b) => weight(a) - weight(b) || a.rank - b.rank || a.id - b.id);
}

/** Plain words for each part of a post's score (the parts themselves are the engine's,
 * `score_parts`), keyed by the weight's name. */
export const SCORE_PART_WORDS: Record<string, { name: string; explain: string }> = {
  velocity: { name: "Momentum", explain: "How fast people are engaging, for the size of the author's audience" },
  relevance: { name: "On topic", explain: "How close the post is to your project's topics" },
  openness: { name: "Open to replies", explain: "Questions and open-ended posts invite replies" },
  author: { name: "Author", explain: "Authors you favour score higher" },
};

export type ReviewAction = "next" | "previous" | "copy" | "reply" | "undo" | "approve" | "posted" | "skip" | "open" | "edit" | "select" | "help";

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** True when the key was typed into a text field: shortcuts must not steal typing. */
  inField?: boolean;
}

/** Single-key shortcuts in the review queue (j/k move, c copy, a approve, p posted, s skip…). */
export function reviewShortcut(e: KeyLike): ReviewAction | null {
  if (e.inField || e.ctrlKey || e.metaKey || e.altKey) return null;
  switch (e.key) {
    case "j":
    case "ArrowDown":
      return "next";
    case "k":
    case "ArrowUp":
      return "previous";
    case "c":
      return "copy";
    case "r":
      return "reply";
    case "u":
      return "undo";
    case "a":
      return "approve";
    case "p":
      return "posted";
    case "s":
      return "skip";
    case "o":
      return "open";
    case "e":
      return "edit";
    case "x":
      return "select";
    case "?":
      return "help";
    default:
      return null;
  }
}

export const REVIEW_SHORTCUTS: Array<{ keys: string; what: string }> = [
  { keys: "j / k", what: "Next / previous post" },
  { keys: "r", what: "Reply on X with the first draft (then p or Enter once posted)" },
  { keys: "c", what: "Copy the first reply" },
  { keys: "o", what: "Open the post on X" },
  { keys: "a", what: "Approve the first reply" },
  { keys: "e", what: "Edit the first reply" },
  { keys: "p", what: "Mark as posted" },
  { keys: "s", what: "Skip the post" },
  { keys: "u", what: "Undo the last change" },
  { keys: "x", what: "Select for bulk actions" },
  { keys: "?", what: "Show these shortcuts" },
];

/** Moves the focused row, staying inside the list. */
export function moveIndex(index: number, delta: number, length: number): number {
  if (length <= 0) return 0;
  return Math.min(length - 1, Math.max(0, index + delta));
}

/**
 * After a post leaves the list (posted or skipped), which row to focus: the one that took its
 * place, or the new last row.
 */
export function indexAfterRemoval(index: number, newLength: number): number {
  if (newLength <= 0) return 0;
  return Math.min(index, newLength - 1);
}

/** Toggles one id in a selection, returning a new set. */
export function toggleSelected(selected: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(selected);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}

/** "Posted 3 posts." style confirmations for bulk actions. */
export function bulkDoneText(status: "posted" | "skipped" | "pending", count: number): string {
  const posts = count === 1 ? "1 post" : `${count} posts`;
  switch (status) {
    case "posted":
      return `Marked ${posts} as posted.`;
    case "skipped":
      return `Skipped ${posts}.`;
    case "pending":
      return `Moved ${posts} back to the queue.`;
  }
}

/** Label names for people. */
export function labelWords(label: string): string {
  switch (label) {
    case "green":
      return "Reply now";
    case "yellow":
      return "Worth a look";
    case "red":
      return "Low priority";
    default:
      return label;
  }
}

/** Whether a post with this status still belongs in a view, for removing it at once
 * (the engine's list is the truth; this only avoids a flicker until it reloads). */
export function staysInView(status: string, view: string): boolean {
  switch (view) {
    case "to_review":
      return status === "pending";
    case "approved":
      return status === "pending" || status === "exported";
    case "posted":
    case "skipped":
    case "exported":
      return status === view;
    default:
      return true;
  }
}
