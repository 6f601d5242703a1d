// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { applyTheme, chooseTheme, savedTheme } from "../theme";

describe("theme", () => {
  afterEach(() => chooseTheme("system"));

  it("follows the system until a theme is chosen, and remembers the choice", () => {
    expect(savedTheme()).toBe("system");
    expect(document.documentElement.dataset.theme).toBeUndefined();
    chooseTheme("dark");
    expect(savedTheme()).toBe("dark");
    expect(document.documentElement.dataset.theme).toBe("dark");
    chooseTheme("system");
    expect(savedTheme()).toBe("system");
    expect(document.documentElement.dataset.theme).toBeUndefined();
  });

  it("sets light explicitly, overriding a dark OS", () => {
    const el = document.createElement("div");
    applyTheme("light", el);
    expect(el.dataset.theme).toBe("light");
  });
});
