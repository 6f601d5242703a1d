import { describe, expect, it } from "vitest";
import { toastLifetime } from "../toast";

describe("toasts", () => {
  it("errors stay until dismissed; confirmations are short; an Undo stays longer", () => {
    expect(toastLifetime("error", false)).toBeNull();
    expect(toastLifetime("ok", false)).toBe(3000);
    expect(toastLifetime("ok", true)).toBeGreaterThan(3000);
  });
});
