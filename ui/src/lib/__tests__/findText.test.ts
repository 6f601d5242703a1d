import { describe, expect, it } from "vitest";
import type { SearchOutcome, TermAnalysis } from "../../bindings";
import { analysisSeries, DEFAULT_FORM, outcomeHeadline, progressLine, toForm, toFormDto } from "../findText";

describe("the Find posts form", () => {
  it("sends every field to the engine as typed, and a saved search comes back into the form", () => {
    const form = { ...DEFAULT_FORM, terms: " a, b ", source: "x" as const, minLikes: "5", daysBack: "3", language: " EN ", onlyVideo: true };
    expect(toFormDto(form)).toEqual({
      source: "x",
      terms: " a, b ",
      count: "100",
      min_likes: "5",
      min_reposts: "0",
      min_replies: "0",
      days_back: "3",
      language: " EN ",
      only_verified: false,
      only_image: false,
      only_video: true,
      only_quote: false,
      raw_query: false,
      sort: "latest",
    });
    const request = {
      source: "x" as const,
      terms: ["a", "b"],
      count: 100,
      filters: {
        min_likes: 5,
        min_reposts: 0,
        min_replies: 0,
        days_back: 3,
        language: "en",
        only_verified: false,
        only_image: false,
        only_video: true,
        only_quote: false,
        raw_query: false,
        sort: "latest" as const,
      },
    };
    expect(toForm(request)).toMatchObject({ terms: "a, b", source: "x", count: "100", minLikes: "5", daysBack: "3", language: "en", onlyVideo: true });
  });
});

const outcome = (over: Partial<SearchOutcome>): SearchOutcome => ({
  search_id: 1,
  project_id: 1,
  source: "apify",
  status: "finished",
  found: 10,
  added: 7,
  updated: 3,
  skipped_total: 0,
  skipped: [],
  filtered: 0,
  terms: [],
  cost_picos: 0,
  cost: "$0.00",
  green: 0,
  yellow: 0,
  red: 0,
  held_back: 0,
  new_greens: 0,
  error: null,
  summary: "",
  started_at: 0,
  finished_at: 0,
  saved_search_id: null,
  ...over,
});

describe("progress and result sentences", () => {
  it("reads like the engine's counts", () => {
    expect(
      progressLine({
        search_id: 1,
        term: "onboarding",
        term_number: 1,
        terms: 2,
        stage: "reading",
        found: 1200,
        added: 80,
        skipped: 2,
        filtered: 0,
        cost_picos: 0,
        note: "",
      }),
    ).toBe("Term 1 of 2 · “onboarding”: 1,200 found, 80 new, 2 skipped");
    expect(outcomeHeadline(outcome({}))).toBe("7 new posts added");
    expect(outcomeHeadline(outcome({ status: "cancelled", added: 1 }))).toBe("Cancelled: 1 new post kept");
    expect(outcomeHeadline(outcome({ status: "failed", found: 0, added: 0 }))).toBe("The search could not finish");
    expect(outcomeHeadline(outcome({ found: 0, added: 0 }))).toBe("No posts matched");
  });
});

describe("term analysis chart", () => {
  it("puts the terms side by side in percent", () => {
    const row = (term: string, green: number): TermAnalysis => ({
      term,
      found: 100,
      green: green * 100,
      yellow: 20,
      red: 50,
      held_back: 0,
      green_share: green,
      yellow_share: 0.2,
      red_share: 0.5,
      fresh_share: 0.955,
      top_topics: [],
      verdict: "good",
      verdict_word: "Good",
      verdict_sentence: "",
      reply_cost_picos: 0,
      reply_cost: "$0.00",
    });
    const s = analysisSeries([row("a", 0.12), row("b", 0.03)]);
    expect(s.terms).toEqual(["a", "b"]);
    expect(s.series.map((x) => x.name)).toEqual(["Green", "Yellow", "Red", "Last 48 h"]);
    expect(s.series[0]!.values).toEqual([12, 3]);
    expect(s.series[3]!.values).toEqual([95.5, 95.5]);
  });
});
