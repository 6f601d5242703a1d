import { afterEach, describe, expect, it, vi } from "vitest";
import { setApiForTests, type Api } from "../../api";
import { forgetMoneyTexts, moneyText } from "../money";

afterEach(() => {
  setApiForTests(null);
  forgetMoneyTexts();
});

describe("money text", () => {
  it("shows the engine's text and asks for each amount once", async () => {
    // The engine's answers for these amounts (fixed: formatting is tested in Rust).
    const texts: Record<number, string> = { 5_000_000_000_000: "$5.00", 81_000_000: "$0.000081" };
    const moneyTexts = vi.fn(async (picos: number[]) => picos.map((p) => ({ picos: p, text: texts[p]!, input: "" })));
    setApiForTests({ kind: "test", moneyTexts } as unknown as Api);
    expect(await moneyText(5_000_000_000_000)).toBe("$5.00");
    expect(await moneyText(5_000_000_000_000)).toBe("$5.00");
    expect(await moneyText(81_000_000)).toBe("$0.000081");
    expect(moneyTexts).toHaveBeenCalledTimes(2);
  });
});
