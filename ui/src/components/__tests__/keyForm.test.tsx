// @vitest-environment jsdom
// The key form forgets a typed key: after Cancel the input is empty when it opens again, and
// neither a saved nor a refused key stays in react-query's mutation cache.

import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { setApiForTests, type Api } from "../../api";
import type { KeyStatus } from "../../api";
import { makeQueryClient } from "../../lib/queries";
import { KeyForm } from "../KeyForm";
import { ToastProvider } from "../toast";

const TYPED = "AIzaTYPED-SECRET-KEY-1234";

afterEach(() => {
  cleanup();
  setApiForTests(null);
});

function fakeApi(accept: boolean) {
  setApiForTests({
    kind: "test",
    setKey: async () => {
      if (!accept) throw { code: "invalid_key", message: "Google says this key is not valid (…1234)." };
      return { secret: "gemini", set: true, last4: "1234", from_environment: false };
    },
    keyStatus: async () => [],
  } as unknown as Api);
}

/** Everything react-query still holds about mutations, as text. */
function cached(client: QueryClient): string {
  return JSON.stringify(
    client
      .getMutationCache()
      .getAll()
      .map((m) => m.state),
  );
}

function renderForm(client: QueryClient, status: KeyStatus) {
  return render(
    <QueryClientProvider client={client}>
      <ToastProvider>
        <KeyForm secret="gemini" status={status} />
      </ToastProvider>
    </QueryClientProvider>,
  );
}

const SAVED: KeyStatus = { secret: "gemini", set: true, last4: "abcd", from_environment: false };
const NONE: KeyStatus = { secret: "gemini", set: false, last4: null, from_environment: false };

describe("KeyForm", () => {
  it("clears the typed key on Cancel", () => {
    fakeApi(true);
    renderForm(makeQueryClient(), SAVED);
    fireEvent.click(screen.getByTestId("key-replace-gemini"));
    fireEvent.change(screen.getByTestId("key-input-gemini"), { target: { value: TYPED } });
    fireEvent.click(screen.getByTestId("key-cancel-gemini"));
    fireEvent.click(screen.getByTestId("key-replace-gemini"));
    expect((screen.getByTestId("key-input-gemini") as HTMLInputElement).value).toBe("");
  });

  it("keeps no saved key in the mutation cache", async () => {
    fakeApi(true);
    const client = makeQueryClient();
    renderForm(client, NONE);
    fireEvent.change(screen.getByTestId("key-input-gemini"), { target: { value: TYPED } });
    await act(async () => {
      fireEvent.click(screen.getByTestId("key-save-gemini"));
    });
    await waitFor(() => expect((screen.getByTestId("key-input-gemini") as HTMLInputElement).value).toBe(""));
    await waitFor(() => expect(cached(client)).not.toContain("TYPED-SECRET"));
  });

  it("keeps no refused key in the mutation cache, and still shows why", async () => {
    fakeApi(false);
    const client = makeQueryClient();
    renderForm(client, NONE);
    fireEvent.change(screen.getByTestId("key-input-gemini"), { target: { value: TYPED } });
    await act(async () => {
      fireEvent.click(screen.getByTestId("key-save-gemini"));
    });
    await waitFor(() => expect(screen.getByTestId("key-error-gemini")).toBeTruthy());
    await waitFor(() => expect(cached(client)).not.toContain("TYPED-SECRET"));
  });
});
