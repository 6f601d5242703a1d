// @vitest-environment jsdom
// Components that carry the product's rules: errors as sentences with a Details fold, keys
// never shown back, progress exposed to assistive tech and tests.

import { QueryClientProvider } from "@tanstack/react-query";
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { setApiForTests, type Api } from "../../api";
import type { KeyStatus, SecretName } from "../../api";
import { makeQueryClient, useKeyStatus } from "../../lib/queries";
import { KeyForm } from "../KeyForm";
import { ToastProvider } from "../toast";
import { ErrorNotice, ProgressBar } from "../ui";

afterEach(() => {
  cleanup();
  setApiForTests(null);
});

describe("ErrorNotice", () => {
  it("shows a plain sentence and keeps the raw message in Details", () => {
    render(<ErrorNotice error={{ code: "quota", message: "429 RESOURCE_EXHAUSTED GenerateRequestsPerMinute" }} />);
    const notice = screen.getByRole("alert");
    expect(notice.querySelector("strong")?.textContent).toBe("Gemini says you have reached your usage limit for now.");
    const details = notice.querySelector("details")!;
    expect(details.open).toBe(false);
    expect(details.querySelector("pre")?.textContent).toBe("quota: 429 RESOURCE_EXHAUSTED GenerateRequestsPerMinute");
  });
  it("never prints a stack trace", () => {
    const e = new Error("kaboom");
    e.stack = "Error: kaboom\n    at secret (/src/x.ts:1:1)";
    render(<ErrorNotice error={e} />);
    expect(screen.getByRole("alert").textContent).not.toContain("at secret");
  });
  it("renders nothing without an error", () => {
    const { container } = render(<ErrorNotice error={null} />);
    expect(container.innerHTML).toBe("");
  });
});

describe("ProgressBar", () => {
  it("exposes its value", () => {
    render(<ProgressBar percent={142} label="Run progress" testId="run-progress" />);
    const bar = screen.getByRole("progressbar", { name: "Run progress" });
    expect(bar.getAttribute("aria-valuenow")).toBe("100");
  });
});

/** A keychain double: accepts keys starting with AIza, like Google. */
function fakeKeysApi(): Api {
  const saved = new Map<SecretName, string>();
  const status = (secret: SecretName): KeyStatus => ({ secret, set: saved.has(secret), last4: saved.get(secret)?.slice(-4) ?? null, from_environment: false });
  return {
    kind: "test",
    keyStatus: async () => (["gemini", "apify", "x-bearer"] as SecretName[]).map(status),
    setKey: async (secret: SecretName, value: string) => {
      if (!value.startsWith("AIza")) throw { code: "invalid_key", message: "the API key is not valid" };
      saved.set(secret, value);
      return status(secret);
    },
    deleteKey: async (secret: SecretName) => {
      saved.delete(secret);
      return status(secret);
    },
  } as unknown as Api;
}

function GeminiKey() {
  const keys = useKeyStatus();
  return <KeyForm secret="gemini" status={keys.data?.find((k) => k.secret === "gemini")} />;
}

describe("KeyForm", () => {
  it("checks the key, explains a refusal, then shows only the last four characters", async () => {
    setApiForTests(fakeKeysApi());
    render(
      <QueryClientProvider client={makeQueryClient()}>
        <ToastProvider>
          <GeminiKey />
        </ToastProvider>
      </QueryClientProvider>,
    );
    await waitFor(() => expect(screen.getByTestId("key-status-gemini").textContent).toBe("Not set"));
    const input = screen.getByTestId("key-input-gemini") as HTMLInputElement;
    expect(input.type).toBe("password");

    fireEvent.change(input, { target: { value: "wrong-key" } });
    await act(async () => fireEvent.click(screen.getByTestId("key-save-gemini")));
    await waitFor(() => expect(screen.getByTestId("key-error-gemini").textContent).toContain("Google did not accept this Gemini key."));

    fireEvent.change(input, { target: { value: "AIzaSyExampleExampleExample9xQz" } });
    expect(screen.queryByTestId("key-error-gemini")).toBeNull(); // typing clears the old error
    await act(async () => fireEvent.click(screen.getByTestId("key-save-gemini")));
    await waitFor(() => expect(screen.getByTestId("key-status-gemini").textContent).toBe("Set · ends in 9xQz"));
    expect(document.body.textContent).not.toContain("AIzaSyExample");
    expect(screen.queryByTestId("key-input-gemini")).toBeNull();
    expect(screen.getByTestId("key-replace-gemini")).toBeTruthy();
  });
});
