import { describe, expect, it } from "vitest";
import {
  formatAge,
  formatClock,
  formatCompact,
  formatDuration,
  formatEta,
  formatInt,
  formatIsoDay,
  formatPercent,
  formatPerMinute,
  keyStatusText,
  plural,
  replyTypeName,
} from "../format";

describe("formatCompact", () => {
  it.each([
    [0, "0"],
    [950, "950"],
    [999, "999"],
    [1000, "1k"],
    [1234, "1.2k"],
    [9_949, "9.9k"],
    [9_960, "10k"],
    [188_000, "188k"],
    [999_950, "1M"],
    [1_200_000, "1.2M"],
    [35_000_000, "35M"],
    [2_480_000_000, "2.5B"],
    [-1500, "-1.5k"],
  ])("%d → %s", (n, text) => {
    expect(formatCompact(n)).toBe(text);
  });
});

describe("formatAge", () => {
  const now = 1_800_000_000;
  it.each([
    [0, "just now"],
    [59, "just now"],
    [60, "1 min ago"],
    [12 * 60 + 30, "12 min ago"],
    [3 * 3600 + 10, "3 h ago"],
    [26 * 3600, "1 day ago"],
    [3 * 86400, "3 days ago"],
  ])("%d seconds → %s", (ago, text) => {
    expect(formatAge(now - ago, now)).toBe(text);
  });
  it("shows a date after a week and never a negative age", () => {
    expect(formatAge(now - 10 * 86400, now)).toMatch(/^\d{1,2} [A-Z][a-z]{2}/);
    expect(formatAge(now + 100, now)).toBe("just now");
  });
});

describe("formatDuration (same as the engine's duration_words)", () => {
  it.each([
    [0, "0 s"],
    [51, "51 s"],
    [59.6, "1 m 0 s"],
    [171, "2 m 51 s"],
    [3900, "1 h 5 m"],
    [-5, "0 s"],
    [Number.NaN, "0 s"],
  ])("%d → %s", (s, text) => {
    expect(formatDuration(s)).toBe(text);
  });
  it("words the time left", () => {
    expect(formatEta(null)).toBe("working out the time left…");
    expect(formatEta(0.2)).toBe("almost done");
    expect(formatEta(130)).toBe("about 2 m 10 s left");
  });
});

describe("small formatters", () => {
  it("formats counts, percentages and plurals", () => {
    expect(formatInt(1234567)).toBe("1,234,567");
    expect(formatInt(-1234.4)).toBe("-1,234");
    expect(formatPercent(0.734)).toBe("73%");
    expect(plural(1, "post")).toBe("1 post");
    expect(plural(2, "post")).toBe("2 posts");
    expect(plural(1200, "reply", "replies")).toBe("1,200 replies");
    expect(formatPerMinute(9.96)).toBe("10 a minute");
    expect(formatPerMinute(4.25)).toBe("4.3 a minute");
    expect(formatPerMinute(0)).toBe("0 a minute");
    expect(formatIsoDay("2026-11-03")).toBe("3 Nov");
  });
  it("names reply types in plain words", () => {
    expect(replyTypeName("add_value")).toBe("Add value");
    expect(replyTypeName("ask_question")).toBe("Ask a question");
    expect(replyTypeName("something_new")).toBe("Something new");
  });
  it("never shows more of a key than its last four characters", () => {
    expect(keyStatusText({ set: false, last4: null })).toBe("Not set");
    expect(keyStatusText({ set: true, last4: "wxyz" })).toBe("Set · ends in wxyz");
    expect(keyStatusText({ set: true, last4: null })).toBe("Set");
  });
});

describe("formatClock", () => {
  it("writes a local time of day with two digits each", () => {
    expect(formatClock(new Date(2026, 10, 14, 9, 5).getTime() / 1000)).toBe("09:05");
    expect(formatClock(new Date(2026, 10, 14, 23, 59).getTime() / 1000)).toBe("23:59");
    expect(formatClock(new Date(2026, 10, 15, 0, 0).getTime() / 1000)).toBe("00:00");
  });
});

describe("scores 0–100", () => {
  it("converts in one place, both ways", async () => {
    const { toScore100, fromScore100 } = await import("../format");
    expect(toScore100(0.6)).toBe(60);
    expect(toScore100(0.456)).toBe(46);
    expect(toScore100(Number.NaN)).toBe(0);
    expect(fromScore100(60)).toBeCloseTo(0.6);
    expect(fromScore100(140)).toBe(1);
    expect(fromScore100(-3)).toBe(0);
  });
});
