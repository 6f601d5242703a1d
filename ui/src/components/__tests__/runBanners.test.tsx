// @vitest-environment jsdom
// The banners of a run that stopped on purpose: raising the budget, continuing after Google's
// daily limit resets, and the monthly budget alert that stays until dismissed.

import { QueryClientProvider } from "@tanstack/react-query";
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setApiForTests, type Api } from "../../api";
import type { RunEvent } from "../../api";
import { makeQueryClient } from "../../lib/queries";
import { BudgetAlertBanners, BudgetReachedBanner, DailyQuotaBanner } from "../RunBanners";
import { RunProvider } from "../RunContext";
import { ToastProvider } from "../toast";

afterEach(() => {
  cleanup();
  setApiForTests(null);
  vi.useRealTimers();
});

function fakeApi() {
  let handler: ((e: RunEvent) => void) | null = null;
  const resumeRun = vi.fn(async (runId: number, _budget: number | null) => runId);
  const api = {
    kind: "test",
    listRuns: async () => [],
    resumeRun,
    // The engine's readings of the amounts this test types (fixed answers, no parsing here).
    readBudget: async (text: string) =>
      ({
        "0": { picos: null, problem: "The budget must be more than $0." },
        "0.25": { picos: 250_000_000_000, problem: null },
      })[text] ?? { picos: null, problem: "Type an amount in dollars, like 0.50." },
    // The engine's suggestion for these amounts (fixed: the rule is tested in Rust).
    suggestRaisedBudget: async (cap: number | null, spent: number) => (cap === 50_000_000_000 && spent === 40_000_000_000 ? "0.10" : "1.00"),
    pickUpBatchRuns: async () => undefined,
    onRunEvent: async (h: (e: RunEvent) => void) => {
      handler = h;
      return () => {
        handler = null;
      };
    },
  } as unknown as Api;
  setApiForTests(api);
  return { resumeRun, emit: (e: RunEvent) => handler?.(e) };
}

function Shell({ children }: { children: ReactNode }) {
  return (
    <QueryClientProvider client={makeQueryClient()}>
      <ToastProvider>
        <RunProvider>{children}</RunProvider>
      </ToastProvider>
    </QueryClientProvider>
  );
}

describe("BudgetReachedBanner", () => {
  it("checks the new budget, then continues the run with it", async () => {
    const { resumeRun } = fakeApi();
    render(
      <Shell>
        <BudgetReachedBanner
          runId={5}
          sentence="Budget reached: $0.04 of $0.05 (this run's budget). Raise it to go on."
          spentPicos={40_000_000_000}
          capPicos={50_000_000_000}
        />
      </Shell>,
    );
    expect(screen.getByTestId("budget-reached-banner").textContent).toContain("Budget reached: $0.04 of $0.05");
    const input = screen.getByTestId("raise-budget-input") as HTMLInputElement;
    await waitFor(() => expect(input.value).toBe("0.10"));
    expect(screen.getByLabelText("Raise this run's budget to")).toBe(input);

    fireEvent.change(input, { target: { value: "0" } });
    fireEvent.click(screen.getByTestId("raise-budget-resume"));
    expect((await screen.findByTestId("raise-budget-error")).textContent).toBe("The budget must be more than $0.");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(resumeRun).not.toHaveBeenCalled();

    fireEvent.change(input, { target: { value: "0.25" } });
    expect(screen.queryByTestId("raise-budget-error")).toBeNull();
    // Enter in the field submits the form.
    fireEvent.submit(input.form!);
    await waitFor(() => expect(resumeRun).toHaveBeenCalledWith(5, 250_000_000_000, null));
  });

  it("waits for the run to stop before offering the form", () => {
    fakeApi();
    render(
      <Shell>
        <BudgetReachedBanner runId={5} sentence="Budget reached." spentPicos={1} capPicos={2} stopped={false} />
      </Shell>,
    );
    expect(screen.getByTestId("budget-reached-banner")).toBeTruthy();
    expect(screen.queryByTestId("raise-budget-input")).toBeNull();
  });
});

describe("DailyQuotaBanner", () => {
  it("schedules the resume for when the limit resets, and can cancel it", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    const now = new Date(2026, 10, 14, 15, 0);
    vi.setSystemTime(now);
    const resetsAt = new Date(2026, 10, 14, 16, 0).getTime() / 1000;
    const { resumeRun } = fakeApi();
    render(
      <Shell>
        <DailyQuotaBanner runId={9} sentence="Google's daily limit for this model is used up." resetsAt={resetsAt} />
      </Shell>,
    );
    const banner = screen.getByTestId("daily-quota-banner");
    expect(banner.textContent).toContain("Google's daily limit for this model is used up.");
    expect(banner.textContent).toContain("Resets at 16:00 (your time)");

    fireEvent.click(screen.getByTestId("resume-when-reset"));
    expect(screen.getByTestId("resume-scheduled").textContent).toContain("16:01");
    expect(screen.queryByTestId("resume-when-reset")).toBeNull();
    fireEvent.click(screen.getByTestId("resume-schedule-cancel"));
    expect(screen.queryByTestId("resume-scheduled")).toBeNull();

    fireEvent.click(screen.getByTestId("resume-when-reset"));
    await act(async () => {
      vi.advanceTimersByTime(30 * 60_000);
    });
    expect(resumeRun).not.toHaveBeenCalled();
    await act(async () => {
      vi.advanceTimersByTime(32 * 60_000);
    });
    await waitFor(() => expect(resumeRun).toHaveBeenCalledWith(9, null));
  });

  it("continues at once on request", async () => {
    const { resumeRun } = fakeApi();
    render(
      <Shell>
        <DailyQuotaBanner runId={9} sentence="Used up." resetsAt={null} />
      </Shell>,
    );
    expect(screen.queryByTestId("resume-when-reset")).toBeNull();
    fireEvent.click(screen.getByTestId("resume-now"));
    await waitFor(() => expect(resumeRun).toHaveBeenCalledWith(9, null, null));
  });
});

describe("BudgetAlertBanners", () => {
  it("shows a monthly budget alert until it is dismissed", async () => {
    const { emit } = fakeApi();
    render(
      <Shell>
        <BudgetAlertBanners />
      </Shell>,
    );
    await waitFor(() => expect(screen.queryByTestId("budget-alert-banner")).toBeNull());
    const sentence = "80% of the monthly budget is used ($40.00 of $50.00).";
    await act(async () => {
      await Promise.resolve();
      emit({ kind: "budget_alert", run_id: 3, sentence, monthly: true });
      emit({ kind: "budget_alert", run_id: 3, sentence, monthly: true });
    });
    const banners = await screen.findAllByTestId("budget-alert-banner");
    expect(banners).toHaveLength(1);
    expect(banners[0]!.textContent).toContain(sentence);
    fireEvent.click(screen.getByTestId("budget-alert-dismiss"));
    expect(screen.queryByTestId("budget-alert-banner")).toBeNull();
  });
});
