// @vitest-environment jsdom
// The review queue's daily loop against a stand-in backend with fixed posts: "Reply on X" opens the
// link the backend gave (never one built here), one key confirms "posted" and selects the next
// post, and the notice's Undo brings the post back.

import { QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setApiForTests } from "../../api";
import { ProjectProvider } from "../../components/ProjectContext";
import { ToastProvider } from "../../components/toast";
import { makeQueryClient } from "../../lib/queries";
import { OpportunitiesScreen } from "../Opportunities";
import { fakeApi } from "./fakeApi";

afterEach(() => {
  cleanup();
  setApiForTests(null);
  vi.restoreAllMocks();
});

const currentId = () => document.querySelector<HTMLElement>('[data-testid="review-item"][aria-current="true"]')?.dataset.tweetId ?? null;
const listed = () => [...document.querySelectorAll<HTMLElement>('[data-testid="review-item"]')].map((e) => e.dataset.tweetId);

describe("Opportunities: reply on X", () => {
  it("opens the backend's reply link, marks posted on one key, moves on, and undoes", async () => {
    const api = fakeApi();
    setApiForTests(api);
    const opened: string[] = [];
    vi.spyOn(window, "open").mockImplementation((url) => {
      opened.push(String(url));
      return null;
    });
    render(
      <QueryClientProvider client={makeQueryClient()}>
        <ToastProvider>
          <ProjectProvider>
            <MemoryRouter>
              <OpportunitiesScreen />
            </MemoryRouter>
          </ProjectProvider>
        </ToastProvider>
      </QueryClientProvider>,
    );
    // A post with drafts.
    await waitFor(() => expect(screen.getAllByTestId("review-item").length).toBeGreaterThan(2), { timeout: 5000 });
    const withDrafts = screen.getAllByTestId("review-item").find((el) => /\d+ drafts?/.test(el.textContent ?? ""))!;
    fireEvent.click(withDrafts);
    const id = currentId()!;
    const next = listed()[listed().indexOf(id) + 1];
    const reply = await screen.findByTestId("draft-reply-first");

    const page = await api.listOpportunities({
      project_id: 1,
      labels: [],
      status: null,
      view: "to_review",
      topic: null,
      run_id: null,
      search: "",
      sort: "score",
      with_drafts: false,
      limit: 500,
    });
    const draft = page.items.find((o) => o.tweet_id === id)!.drafts[0]!;

    fireEvent.click(reply);
    await screen.findByTestId("reply-confirm");
    expect(opened).toEqual([draft.reply_url]);
    expect(opened[0]).toMatch(new RegExp(`^https://x\\.com/intent/post\\?in_reply_to=${id}&text=`));

    fireEvent.keyDown(window, { key: "p" });
    await waitFor(() => expect(currentId()).toBe(next));
    await waitFor(() => expect(listed()).not.toContain(id));
    await waitFor(() => expect(screen.getByTestId("toasts").textContent).toMatch(/posted/i));

    fireEvent.click(await screen.findByTestId("toast-undo"));
    await waitFor(() => expect(listed()).toContain(id), { timeout: 5000 });
    await waitFor(() => expect(currentId()).toBe(id));
  });
});
