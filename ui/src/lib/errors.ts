// One error type for everything the backend (or the browser) can throw, and the plain
// sentences people see. Screens branch on `code`, never on message text, and never show a raw
// error or a stack trace: the engine's message goes in a "Details" fold.
//
// The backend's codes are generated from Rust (`AppErrorCode` in bindings.ts: the engine's
// `ErrorCode` and the shell's `ShellErrorCode`); the table below must have a sentence for each
// one, or the TypeScript compiler fails.

import type { AppErrorCode } from "../bindings";

/** Codes the window mints itself (its own dialogs, clipboard, links, the browser preview). */
export type WindowErrorCode = "run_failed" | "run_in_progress" | "run_not_found" | "demo_only" | "dialog" | "clipboard" | "opener" | "unexpected";

/** Every code with a sentence. */
export type KnownErrorCode = AppErrorCode | WindowErrorCode;

export interface AppError {
  /** Machine-readable code, e.g. "invalid_key", "quota", "project_exists": a `KnownErrorCode`,
   * or any other text from a newer or older backend (shown with the generic sentence). */
  code: string;
  /** The backend's message (shown only inside "Details", or as the reason where it is plain). */
  message: string;
}

export function isAppError(value: unknown): value is AppError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

/** Turns anything thrown (a `{code, message}` from the shell, an Error, a string) into an AppError. */
export function normaliseError(error: unknown): AppError {
  if (isAppError(error)) return { code: error.code || "unexpected", message: error.message };
  if (typeof error === "object" && error !== null) {
    // tauri-specta's typed errors sometimes arrive wrapped: { error: {code, message} } or
    // { status: "error", error: … }.
    const inner = (error as { error?: unknown }).error;
    if (inner !== undefined) return normaliseError(inner);
  }
  if (error instanceof Error) {
    // Keep the first line only: stack traces never reach the screen.
    return { code: "unexpected", message: firstLine(error.message) };
  }
  if (typeof error === "string") return { code: "unexpected", message: firstLine(error) };
  return { code: "unexpected", message: "An unknown problem happened." };
}

function firstLine(text: string): string {
  return (text.split("\n")[0] ?? "").trim();
}

/** How a code reads: a sentence, optionally a next step, and whether the backend's own message
 * is plain enough to show as the reason (the engine writes those for people). */
interface ErrorWords {
  sentence: string;
  next?: string;
  showMessage?: boolean;
}

const WORDS: Record<KnownErrorCode, ErrorWords> = {
  // Keys and Gemini.
  invalid_key: {
    sentence: "Google did not accept this Gemini key.",
    next: "Copy the key again from Google AI Studio and paste it here.",
  },
  key_missing: {
    sentence: "No Gemini key is saved yet.",
    next: "Add your key in Settings → Keys.",
  },
  permission_denied: {
    sentence: "Your Gemini key is not allowed to use this model.",
    next: "Check that the Gemini API is turned on for the key's Google project, or pick another model.",
  },
  not_found: {
    sentence: "Gemini does not know this model.",
    next: "Pick another model in Settings.",
  },
  quota: {
    sentence: "Gemini says you have reached your usage limit for now.",
    next: "Wait a minute and try again, or lower the limits in Settings to match your plan.",
  },
  daily_limit_reached: {
    sentence: "Today's request limit for this model is used up.",
    next: "Resume the run tomorrow, or raise the daily limit in Settings if your plan allows it.",
  },
  request_too_large: {
    sentence: "A request would be larger than your limits allow.",
    next: "Use fewer posts per request.",
  },
  overloaded: {
    sentence: "Gemini is busy right now.",
    next: "Try again in a few minutes; nothing was lost.",
  },
  server_error: {
    sentence: "Gemini had a problem on its side.",
    next: "Try again in a few minutes; nothing was lost.",
  },
  timeout: {
    sentence: "Gemini took too long to answer.",
    next: "Check your internet connection and try again.",
  },
  connection: {
    sentence: "Could not reach Gemini.",
    next: "Check your internet connection and try again.",
  },
  bad_request: { sentence: "Gemini refused the request.", next: "Try another model, or fewer posts per request." },
  prompt_blocked: { sentence: "Gemini blocked this request for safety reasons." },
  truncated: { sentence: "Gemini's answer was cut off.", next: "Try fewer posts per request." },
  stopped: { sentence: "Gemini stopped without a usable answer." },
  unusable_output: { sentence: "Gemini's answer could not be used." },
  http_error: { sentence: "Gemini answered in an unexpected way." },
  invalid_config: { sentence: "The Gemini connection is not set up correctly." },
  account_not_eligible: {
    sentence: "Google will not serve this Gemini account yet.",
    next: "Turn on billing for the key's Google project in Google AI Studio (the free tier is not offered everywhere).",
    showMessage: true,
  },
  out_of_credit: {
    sentence: "Your prepaid Gemini credit is used up.",
    next: "Add credit in Google AI Studio, then try again.",
  },
  unsupported_setting: {
    sentence: "This model does not accept one of the run's settings.",
    next: "Pick another model in Settings.",
    showMessage: true,
  },
  batch_request_failed: { sentence: "Google could not answer part of the half-price batch.", showMessage: true },
  key_check_failed: {
    sentence: "The key could not be checked with Google.",
    next: "Check your internet connection and try again.",
    showMessage: true,
  },
  no_limits: {
    sentence: "No limits are known for this model.",
    next: "Choose “Custom limits” in Settings and enter your account's numbers.",
  },
  unsafe_server_address: {
    sentence: "This Gemini server address is not allowed.",
    next: "Use an https:// address, or http:// only for this computer (localhost). Settings → Advanced: Gemini server.",
    showMessage: true,
  },
  server_not_confirmed: {
    sentence: "Your Gemini key has not been confirmed for this server yet.",
    next: "In Settings, confirm sending the key to the server shown, or enter the key again.",
    showMessage: true,
  },
  keychain_failed: {
    sentence: "Your computer's keychain refused to save or read the key.",
    next: "Make sure the keychain (for example GNOME Keyring) is unlocked, then try again.",
  },
  keychain_unavailable: {
    sentence: "Your computer's keychain could not be used.",
    next: "Make sure the keychain (for example GNOME Keyring) is unlocked, then try again.",
  },

  // Projects and files.
  project_not_found: { sentence: "This project no longer exists.", next: "Pick another project." },
  project_exists: { sentence: "A project with this name already exists.", next: "Pick another name." },
  project_has_active_run: {
    sentence: "This project has a run in progress.",
    next: "Stop the run (or wait for it to finish), then delete the project.",
  },
  path_not_allowed: {
    sentence: "That file was not chosen in the file window.",
    next: "Use “Choose a file…” (or drop the file on the window). Typed paths work only in Comment Finder's own folder.",
  },
  file_too_large: { sentence: "The file is too large.", next: "Check that you chose the right file.", showMessage: true },
  invalid_project: { sentence: "The project settings have a problem.", showMessage: true },
  file_unreadable: { sentence: "The file could not be read.", next: "Check that it still exists and that you can open it." },
  file_unwritable: {
    sentence: "The file could not be saved there.",
    next: "Pick another folder, or close the file if it is open in a spreadsheet.",
  },
  not_a_tweet_export: {
    sentence: "This file does not look like a post export.",
    next: "Use an Apify tweet-scraper export (JSON, JSONL or CSV) or an X API search result.",
    showMessage: true,
  },
  invalid_input: { sentence: "Something in the form is not right.", showMessage: true },

  // Finding posts (Apify, X API). The engine's sentences say what was kept and what to do.
  source_token_missing: { sentence: "No token is saved for this source.", next: "Add it in Settings → Keys.", showMessage: true },
  apify_bad_token: { sentence: "Apify did not accept the token.", next: "Check the Apify token in Settings → Keys." },
  x_bad_token: { sentence: "X did not accept the bearer token.", next: "Check the X API bearer token in Settings → Keys." },
  apify_out_of_credit: { sentence: "Your Apify account is out of credit.", showMessage: true },
  x_out_of_credit: { sentence: "Your X API account is out of credit.", showMessage: true },
  source_rate_limited: { sentence: "The source is limiting how fast posts can be fetched.", next: "Try again later.", showMessage: true },
  source_unreachable: { sentence: "The source could not be reached.", next: "Check your internet connection and try again.", showMessage: true },
  search_running: { sentence: "A search is already running.", next: "Wait for it or cancel it first." },
  search_over_budget: { sentence: "This search could go over your monthly budget.", showMessage: true },
  source_refused: { sentence: "The source refused the search.", showMessage: true },
  source_bad_answer: { sentence: "The source sent an answer that could not be read.", next: "Try again later.", showMessage: true },
  apify_run_too_long: { sentence: "The Apify search took too long and was stopped.", showMessage: true },
  apify_run_failed: { sentence: "The Apify search did not finish.", showMessage: true },
  apify_run_timed_out: { sentence: "The Apify search did not finish.", showMessage: true },
  apify_run_aborted: { sentence: "The Apify search did not finish.", showMessage: true },
  data_price_missing: { sentence: "No price per post is known for this source.", showMessage: true },
  search_stopped: { sentence: "The search stopped early.", showMessage: true },
  refresh_incomplete: { sentence: "Some saved searches could not be refreshed.", showMessage: true },

  // Runs.
  run_not_active: { sentence: "This run is not going any more.", next: "It may have just finished: see Recent runs." },
  nothing_to_do: { sentence: "There is nothing left to do for this run.", showMessage: true },
  budget_reached: {
    sentence: "The run stopped because it reached its budget.",
    next: "Raise the budget and continue the run if you want the remaining posts done.",
    showMessage: true,
  },
  run_failed: {
    sentence: "The run stopped early.",
    next: "Replies already written are kept. Resume the run to finish the rest.",
  },

  // Storage.
  database_open: { sentence: "The app's data could not be opened.", next: "Restart the app. If it keeps happening, see the logs in Settings." },
  database_busy: {
    sentence: "The app's data is busy right now (another window or the command line is using it).",
    next: "Try again in a moment.",
  },
  database: { sentence: "The app could not save or read its data.", next: "Try again. If it keeps happening, see the logs in Settings." },
  migration: {
    sentence: "The app could not update its data to this version.",
    next: "Your data was copied aside before the update. See the logs in Settings.",
  },

  no_home: {
    sentence: "No home folder was found, so there is nowhere to keep the app's data.",
    next: "Start the app as a user with a home folder.",
  },
  io: { sentence: "A file could not be read or written.", next: "Check the file's place and that you can open it.", showMessage: true },
  app: { sentence: "The app window had a problem.", next: "Try again. If it keeps happening, restart the app." },
  internal: { sentence: "Something went wrong inside the app.", next: "Try again. If it keeps happening, see the logs in Settings." },

  // The window itself.
  dialog: { sentence: "The file window could not be opened." },
  clipboard: { sentence: "Could not copy to the clipboard." },
  opener: { sentence: "Could not open the link." },
  // The browser preview (demo backend).
  run_in_progress: { sentence: "A run is already going.", next: "Wait for it to finish or stop it first." },
  run_not_found: { sentence: "This run no longer exists." },
  demo_only: { sentence: "This is not available in the browser preview." },
  unexpected: { sentence: "Something went wrong.", next: "Try again. If it keeps happening, see the logs in Settings." },
};

export interface ErrorText {
  /** One plain sentence: what happened. */
  sentence: string;
  /** What to do next, when there is something to do. */
  next: string | null;
  /** The backend's own reason, shown under the sentence when it is written for people. */
  reason: string | null;
  /** For the "Details" fold: the code and the backend's message. */
  details: string;
}

/** What to show for an error: never the raw message on its own, never a stack. */
export function describeError(error: unknown): ErrorText {
  const e = normaliseError(error);
  const words = isKnownErrorCode(e.code) ? WORDS[e.code] : WORDS.unexpected;
  const reason = words.showMessage && e.message.trim() ? e.message.trim() : null;
  return {
    sentence: words.sentence,
    next: words.next ?? null,
    reason,
    details: e.message ? `${e.code}: ${e.message}` : e.code,
  };
}

/** Whether a code (any text that arrived) is one with its own sentence. */
export function isKnownErrorCode(code: string): code is KnownErrorCode {
  return Object.prototype.hasOwnProperty.call(WORDS, code);
}

/** Codes worth a "Try again" button: the same action may work in a moment. */
const RETRYABLE: readonly KnownErrorCode[] = ["quota", "overloaded", "server_error", "timeout", "connection", "database", "database_busy", "unexpected"];

export function isRetryable(error: unknown): boolean {
  const { code } = normaliseError(error);
  return isKnownErrorCode(code) && RETRYABLE.includes(code);
}

/** The codes with a sentence, for tests and for the shell engineer's reference. */
export const KNOWN_ERROR_CODES = Object.keys(WORDS) as readonly KnownErrorCode[];
