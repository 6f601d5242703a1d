// Money on screen is the engine's text (`finder::prices::format_usd`): the window asks for the
// amounts it shows, in one call per set, and keeps every answer (an amount's text never
// changes). Nothing here formats or parses dollars.

import { useQuery } from "@tanstack/react-query";
import { api, type MoneyText } from "../api";

const known = new Map<number, MoneyText>();

/** Shown for a moment while the engine's text is on its way. */
export const MONEY_PENDING = "…";

function missing(amounts: ReadonlyArray<number | null | undefined>): number[] {
  const out = new Set<number>();
  for (const a of amounts) if (a != null && Number.isSafeInteger(a) && !known.has(a)) out.add(a);
  return [...out].sort((x, y) => x - y);
}

async function fetchTexts(picos: number[]): Promise<void> {
  if (picos.length === 0) return;
  for (const t of await api().moneyTexts(picos)) known.set(t.picos, t);
}

export interface Money {
  /** "$0.0341" for pico-dollars; "–" for none. */
  text(picos: number | null | undefined): string;
  /** "0.0341": the amount as it fills an input field; "" for none. */
  input(picos: number | null | undefined): string;
  /** Every amount asked for has its text. */
  ready: boolean;
}

function lookup(): Omit<Money, "ready"> {
  return {
    text: (picos) => (picos == null ? "–" : (known.get(picos)?.text ?? MONEY_PENDING)),
    input: (picos) => (picos == null ? "" : (known.get(picos)?.input ?? "")),
  };
}

/** The engine's text for these amounts (pico-dollars). Re-renders once they arrive. */
export function useMoney(amounts: ReadonlyArray<number | null | undefined>): Money {
  const wanted = missing(amounts);
  const q = useQuery({
    queryKey: ["money", wanted] as const,
    queryFn: async () => {
      await fetchTexts(wanted);
      return wanted.length;
    },
    enabled: wanted.length > 0,
    staleTime: Infinity,
    retry: 1,
  });
  // `q.data` changing is what re-renders this component once the texts are known.
  void q.data;
  return { ...lookup(), ready: wanted.length === 0 };
}

/** One amount's text, for messages written after an action ("Budget set to $5.00 a month."). */
export async function moneyText(picos: number): Promise<string> {
  await fetchTexts(missing([picos]));
  return lookup().text(picos);
}

/** For tests: forget what the engine said. */
export function forgetMoneyTexts(): void {
  known.clear();
}
