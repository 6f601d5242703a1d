import { describe, expect, it } from "vitest";
import type { Opportunity } from "../../api";
import { importHeadline, skipReasonCounts } from "../importText";
import { call, withStatus } from "../queries";

const opp = (id: string): Opportunity => ({
  project_id: 1,
  tweet_id: id,
  url: "",
  handle: "a",
  author_name: null,
  followers: 0,
  age_s: 0,
  relevance_method: null,
  text: "",
  posted_at: 0,
  likes: 0,
  replies: 0,
  retweets: 0,
  views: 0,
  status: "pending",
  label: "green",
  topic: null,
  why: "",
  total: 0.5,
  velocity: 0,
  relevance: 0,
  openness: 0,
  author_score: 0,
  run_id: null,
  drafts: [],
});

describe("query helpers", () => {
  it("normalises whatever a backend call throws", async () => {
    await expect(call(() => Promise.reject({ code: "quota", message: "wait" }))).rejects.toEqual({ code: "quota", message: "wait" });
    await expect(call(() => Promise.reject(new Error("x\ny")))).rejects.toEqual({ code: "unexpected", message: "x" });
    await expect(call(() => Promise.resolve(3))).resolves.toBe(3);
  });
  it("updates statuses optimistically without touching other posts", () => {
    const page = { items: [opp("1"), opp("2")], total: 2 };
    const next = withStatus(page, new Set(["2"]), "posted");
    expect(next.items.map((o) => o.status)).toEqual(["pending", "posted"]);
    expect(page.items[1]!.status).toBe("pending");
    expect(next.items[0]).toBe(page.items[0]);
  });
});

describe("import words", () => {
  const skipped = (reasons: string[]) => reasons.map((reason, i) => ({ place: `item ${i}`, id: null, reason }));
  it("summarises an import", () => {
    expect(importHeadline({ added: 187, updated: 15, skipped: skipped(["a", "b", "c"]) })).toBe(
      "Added 187 new posts, refreshed 15 you already had and skipped 3.",
    );
    expect(importHeadline({ added: 1, updated: 0, skipped: [] })).toBe("Added 1 new post.");
    expect(importHeadline({ added: 0, updated: 4, skipped: [] })).toBe("Refreshed 4 posts you already had: no new posts.");
    expect(importHeadline({ added: 0, updated: 0, skipped: skipped(["x"]) })).toBe("Skipped 1: no new posts.");
    expect(importHeadline({ added: 0, updated: 0, skipped: [] })).toBe("The file had no posts in it.");
  });
  it("groups skip reasons, most common first", () => {
    expect(skipReasonCounts({ skipped: skipped(["empty", "too long", "empty"]) })).toEqual([
      { reason: "empty", count: 2 },
      { reason: "too long", count: 1 },
    ]);
  });
});
