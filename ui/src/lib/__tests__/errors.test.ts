import { describe, expect, it } from "vitest";
import { APP_ERROR_CODES, type AppErrorCode } from "../../bindings";
import { describeError, isAppError, isKnownErrorCode, isRetryable, KNOWN_ERROR_CODES, normaliseError } from "../errors";

describe("normaliseError", () => {
  it("keeps {code, message} from the shell", () => {
    expect(normaliseError({ code: "invalid_key", message: "the API key is not valid" })).toEqual({ code: "invalid_key", message: "the API key is not valid" });
  });
  it("unwraps tauri-specta result wrappers", () => {
    expect(normaliseError({ status: "error", error: { code: "quota", message: "slow down" } })).toEqual({ code: "quota", message: "slow down" });
  });
  it("turns Errors and strings into 'unexpected' and drops stack lines", () => {
    const e = new Error("boom\n    at foo (file.js:1:1)");
    expect(normaliseError(e)).toEqual({ code: "unexpected", message: "boom" });
    expect(normaliseError("plain text\nmore")).toEqual({ code: "unexpected", message: "plain text" });
    expect(normaliseError(undefined).code).toBe("unexpected");
    expect(normaliseError(42).code).toBe("unexpected");
  });
  it("recognises the shape", () => {
    expect(isAppError({ code: "x", message: "y" })).toBe(true);
    expect(isAppError({ code: 1, message: "y" })).toBe(false);
    expect(isAppError(null)).toBe(false);
  });
});

describe("describeError", () => {
  it("maps a code to a plain sentence and a next step, with the raw message only in details", () => {
    const t = describeError({ code: "invalid_key", message: "400 API_KEY_INVALID at https://generativelanguage…" });
    expect(t.sentence).toBe("Google did not accept this Gemini key.");
    expect(t.next).toMatch(/paste it/);
    expect(t.reason).toBeNull();
    expect(t.details).toBe("invalid_key: 400 API_KEY_INVALID at https://generativelanguage…");
  });
  it("shows the engine's own reason where it is written for people", () => {
    const t = describeError({
      code: "invalid_project",
      message: "The project file has a problem (line 4): thresholds.yellow (0.8) must not be above thresholds.green (0.5)",
    });
    expect(t.sentence).toBe("The project settings have a problem.");
    expect(t.reason).toMatch(/line 4/);
  });
  it("falls back to a generic sentence for unknown codes, never the raw text", () => {
    const t = describeError({ code: "weird_new_code", message: "panicked at src/lib.rs:12" });
    expect(t.sentence).toBe("Something went wrong.");
    expect(t.reason).toBeNull();
    expect(t.details).toContain("weird_new_code");
  });
  it("has a sentence for every engine code", () => {
    // Typed: a code that no longer exists in Rust fails the type check here.
    const engine: AppErrorCode[] = [
      "project_not_found",
      "project_exists",
      "invalid_project",
      "file_unreadable",
      "not_a_tweet_export",
      "invalid_input",
      "database_open",
      "database",
      "migration",
      "file_unwritable",
      "key_missing",
      "invalid_key",
      "permission_denied",
      "not_found",
      "quota",
      "overloaded",
      "server_error",
      "timeout",
      "connection",
      "bad_request",
      "prompt_blocked",
      "truncated",
      "stopped",
      "unusable_output",
      "http_error",
      "invalid_config",
      "daily_limit_reached",
      "request_too_large",
      // the keychain and the desktop shell
      "keychain_unavailable",
      "keychain_failed",
      "run_not_active",
      "nothing_to_do",
      // the run engine: a run stopped by its budget, the database shared with the command line
      "budget_reached",
      "database_busy",
      "io",
      "app",
      "internal",
    ];
    for (const code of engine) expect(KNOWN_ERROR_CODES).toContain(code);
  });
  it("has a sentence for every code the backend can send (the generated list)", () => {
    expect(APP_ERROR_CODES.length).toBeGreaterThan(50);
    for (const code of APP_ERROR_CODES) {
      expect(isKnownErrorCode(code), code).toBe(true);
      expect(describeError({ code, message: "m" }).sentence).not.toBe("Something went wrong.");
    }
  });
  it("keeps key problems pointing to Settings", () => {
    for (const code of ["key_missing", "source_token_missing", "apify_bad_token", "x_bad_token"] satisfies AppErrorCode[]) {
      expect(describeError({ code, message: "" }).next, code).toMatch(/Settings → Keys/);
    }
  });
  it("sentences avoid the words the product keeps out of the main UI", () => {
    for (const code of KNOWN_ERROR_CODES) {
      const t = describeError({ code, message: "" });
      const words = `${t.sentence} ${t.next ?? ""}`.toLowerCase();
      for (const banned of ["candidate", "gate", "embedding", "rpm", "stack trace"]) expect(words).not.toContain(banned);
    }
  });
  it("knows which failures are worth trying again", () => {
    expect(isRetryable({ code: "quota", message: "" })).toBe(true);
    expect(isRetryable({ code: "invalid_key", message: "" })).toBe(false);
    expect(isRetryable({ code: "database_busy", message: "" })).toBe(true);
  });
});
