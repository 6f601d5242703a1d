import { describe, expect, it } from "vitest";
import type { Draft } from "../../api";
import { bulkDoneText, draftText, indexAfterRemoval, moveIndex, orderedDrafts, reviewShortcut, SCORE_PART_WORDS, staysInView, toggleSelected } from "../review";

const draft = (id: number, rank: number, review: Draft["review"] = "draft", edited: string | null = null): Draft => ({
  id,
  run_id: null,
  sample: false,
  reply_url: "",
  reply_type: "add_value",
  rank,
  text: `model text ${id}`,
  edited_text: edited,
  review,
});

describe("drafts", () => {
  it("copies the person's edit when there is one", () => {
    expect(draftText(draft(1, 1))).toBe("model text 1");
    expect(draftText(draft(1, 1, "draft", "my words"))).toBe("my words");
    expect(draftText(draft(1, 1, "draft", "   "))).toBe("model text 1");
  });
  it("orders approved first, then by rank, rejected last", () => {
    const ordered = orderedDrafts([draft(1, 1, "rejected"), draft(2, 3), draft(3, 2), draft(4, 4, "approved")]);
    expect(ordered.map((d) => d.id)).toEqual([4, 3, 2, 1]);
  });
});

describe("score parts", () => {
  it("has plain words for each part the engine sends", () => {
    expect(["velocity", "relevance", "openness", "author"].map((k) => SCORE_PART_WORDS[k]!.name)).toEqual([
      "Momentum",
      "On topic",
      "Open to replies",
      "Author",
    ]);
  });
});

describe("keyboard", () => {
  it("maps the review shortcuts", () => {
    expect(reviewShortcut({ key: "j" })).toBe("next");
    expect(reviewShortcut({ key: "k" })).toBe("previous");
    expect(reviewShortcut({ key: "c" })).toBe("copy");
    expect(reviewShortcut({ key: "a" })).toBe("approve");
    expect(reviewShortcut({ key: "p" })).toBe("posted");
    expect(reviewShortcut({ key: "s" })).toBe("skip");
    expect(reviewShortcut({ key: "o" })).toBe("open");
    expect(reviewShortcut({ key: "?" })).toBe("help");
    expect(reviewShortcut({ key: "q" })).toBeNull();
  });
  it("never steals typing or system shortcuts", () => {
    expect(reviewShortcut({ key: "c", inField: true })).toBeNull();
    expect(reviewShortcut({ key: "c", ctrlKey: true })).toBeNull();
    expect(reviewShortcut({ key: "c", metaKey: true })).toBeNull();
    expect(reviewShortcut({ key: "s", altKey: true })).toBeNull();
  });
  it("moves inside the list and refocuses after a post leaves it", () => {
    expect(moveIndex(0, -1, 5)).toBe(0);
    expect(moveIndex(4, 1, 5)).toBe(4);
    expect(moveIndex(2, 1, 5)).toBe(3);
    expect(moveIndex(3, 1, 0)).toBe(0);
    expect(indexAfterRemoval(4, 4)).toBe(3);
    expect(indexAfterRemoval(1, 4)).toBe(1);
    expect(indexAfterRemoval(0, 0)).toBe(0);
  });
  it("toggles selection without mutating", () => {
    const a = new Set(["1"]);
    const b = toggleSelected(a, "2");
    expect([...b].sort()).toEqual(["1", "2"]);
    expect([...toggleSelected(b, "1")]).toEqual(["2"]);
    expect([...a]).toEqual(["1"]);
  });
  it("confirms bulk actions", () => {
    expect(bulkDoneText("posted", 1)).toBe("Marked 1 post as posted.");
    expect(bulkDoneText("skipped", 3)).toBe("Skipped 3 posts.");
    expect(bulkDoneText("pending", 2)).toBe("Moved 2 posts back to the queue.");
  });
});

describe("reply loop and views", () => {
  it("r replies on X, u undoes", () => {
    expect(reviewShortcut({ key: "r" })).toBe("reply");
    expect(reviewShortcut({ key: "u" })).toBe("undo");
    expect(reviewShortcut({ key: "r", inField: true })).toBeNull();
  });

  it("a post leaves a view when its new status is not in it", () => {
    expect(staysInView("posted", "to_review")).toBe(false);
    expect(staysInView("pending", "to_review")).toBe(true);
    expect(staysInView("skipped", "posted")).toBe(false);
    expect(staysInView("posted", "posted")).toBe(true);
    expect(staysInView("exported", "approved")).toBe(true);
    expect(staysInView("posted", "all")).toBe(true);
  });
});
