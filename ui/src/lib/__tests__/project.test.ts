import { describe, expect, it } from "vitest";
import type { ProjectSettings } from "../../api";
import { isDefaultScoring, linesToList, parseHandles, parseKeywords, projectFileName, resetScoring, toggleReplyType } from "../project";

// A project's settings as the engine's `default_project_settings` sends them (a fixture: the
// defaults and the checks before saving are tested in Rust, ProjectSettings::problems).
const engineDefaults = (): ProjectSettings => ({
  name: "x",
  languages: ["en"],
  reply_types: ["add_value", "ask_question", "funny", "debate", "relate"],
  topics: [],
  voice: { persona: "helpful and informative", rules: [], good_examples: [], bad_examples: [] },
  sources: { favour_authors: [], avoid_authors: [], avoid_keywords: [] },
  weights: { velocity: 0.35, relevance: 0.35, openness: 0.2, author: 0.1 },
  thresholds: { green: 0.6, yellow: 0.45 },
  generation: { model: "gemini-2.5-flash", temperature: 0.2 },
});

describe("project settings", () => {
  it("resets weights and thresholds to the defaults", () => {
    const defaults = engineDefaults();
    const s = engineDefaults();
    expect(isDefaultScoring(s, defaults)).toBe(true);
    s.weights.velocity = 0.9;
    s.thresholds.green = 0.8;
    expect(isDefaultScoring(s, defaults)).toBe(false);
    expect(isDefaultScoring(resetScoring(s, defaults), defaults)).toBe(true);
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
