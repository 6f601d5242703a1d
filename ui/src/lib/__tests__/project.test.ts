import { describe, expect, it } from "vitest";
import {
  checkSettings,
  isDefaultScoring,
  linesToList,
  newProjectSettings,
  parseHandles,
  parseKeywords,
  projectFileName,
  resetScoring,
  toggleReplyType,
} from "../project";

describe("project settings", () => {
  it("starts with the engine's defaults", () => {
    const s = newProjectSettings("Acme");
    expect(s.weights).toEqual({ velocity: 0.35, relevance: 0.35, openness: 0.2, author: 0.1 });
    expect(s.thresholds).toEqual({ green: 0.6, yellow: 0.45 });
    expect(s.reply_types).toHaveLength(5);
    expect(isDefaultScoring(s)).toBe(true);
    expect(checkSettings(s)).toEqual([]);
  });
  it("finds what the engine would refuse, in plain words", () => {
    const s = newProjectSettings("  ");
    s.topics = [
      { label: "Cold email", description: "", examples: [] },
      { label: "cold email ", description: "", examples: [] },
      { label: "", description: "", examples: [] },
    ];
    s.thresholds = { green: 0.4, yellow: 0.5 };
    s.weights = { velocity: 0, relevance: 0, openness: 0, author: 0 };
    s.reply_types = [];
    const fields = checkSettings(s).map((p) => p.field);
    expect(fields).toEqual(["name", "topics.1.label", "topics.2.label", "weights", "thresholds", "reply_types"]);
    expect(checkSettings(s).find((p) => p.field === "thresholds")!.message).toBe("The yellow threshold can't be above the green one.");
  });
  it("rejects negative weights and thresholds outside 0–1", () => {
    const s = newProjectSettings("x");
    s.weights.author = -1;
    s.thresholds.green = 1.5;
    expect(checkSettings(s).map((p) => p.field)).toEqual(["weights", "thresholds"]);
  });
  it("resets weights and thresholds to the defaults", () => {
    const s = newProjectSettings("x");
    s.weights.velocity = 0.9;
    s.thresholds.green = 0.8;
    expect(isDefaultScoring(s)).toBe(false);
    expect(isDefaultScoring(resetScoring(s))).toBe(true);
  });
  it("keeps reply types in the engine's order", () => {
    expect(toggleReplyType(["funny", "add_value"], "ask_question")).toEqual(["add_value", "ask_question", "funny"]);
    expect(toggleReplyType(["funny", "add_value"], "funny")).toEqual(["add_value"]);
  });
});

describe("list inputs", () => {
  it("splits lines, handles and keywords", () => {
    expect(linesToList(" one \n\n two\r\nthree ")).toEqual(["one", "two", "three"]);
    expect(parseHandles("@lennysan, aprildunford @@x  LennySan")).toEqual(["lennysan", "aprildunford", "x"]);
    expect(parseKeywords("giveaway, free trial\nGiveaway,,")).toEqual(["giveaway", "free trial"]);
  });
  it("names the project file", () => {
    expect(projectFileName("Sample: B2B SaaS growth")).toBe("sample-b2b-saas-growth.toml");
    expect(projectFileName("Café Ünïcode")).toBe("cafe-unicode.toml");
    expect(projectFileName("!!!")).toBe("project.toml");
  });
});
