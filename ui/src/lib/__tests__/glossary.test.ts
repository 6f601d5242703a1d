import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GLOSSARY, termTitle } from "../glossary";

describe("glossary", () => {
  const doc = readFileSync(new URL("../../../../docs/glossary.md", import.meta.url), "utf8");

  it("the doc lists every term the screens use, with its technical name", () => {
    for (const [id, t] of Object.entries(GLOSSARY)) {
      expect(doc, id).toContain(`**${t.words}**`);
      expect(doc, id).toContain(t.technical);
    }
  });

  it("tooltips carry the technical name", () => {
    expect(termTitle("speed")).toContain("batch size");
    expect(termTitle("perCall")).toContain("posts per request");
  });
});
