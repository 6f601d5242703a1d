// What the window asks of the operating system: clipboard, opening links and folders, file
// dialogs. Inside Tauri the clipboard and links go through the official plugins
// (clipboard-manager, opener) and file dialogs through the shell's own commands, which
// remember the file picked so that only picked files can be read or written; in the browser
// preview they fall back to web APIs or a sample path.

import { writeText } from "@tauri-apps/plugin-clipboard-manager";
import { openUrl } from "@tauri-apps/plugin-opener";
import { insideTauri } from "../api";
import type { AppError } from "./errors";

function platformError(code: string, e: unknown): AppError {
  return { code, message: e instanceof Error ? e.message : String(e) };
}

export async function copyText(text: string): Promise<void> {
  try {
    if (insideTauri()) {
      await writeText(text);
      return;
    }
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return;
    }
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  } catch (e) {
    throw platformError("clipboard", e);
  }
}

/** Opens a web page (a post on X) in the person's browser. Only http(s) links. */
export async function openLink(url: string): Promise<void> {
  if (!/^https?:\/\//i.test(url)) {
    throw { code: "opener", message: `Not a web link: ${url}` } satisfies AppError;
  }
  try {
    if (insideTauri()) await openUrl(url);
    else window.open(url, "_blank", "noopener,noreferrer");
  } catch (e) {
    throw platformError("opener", e);
  }
}

export interface FileFilter {
  name: string;
  extensions: string[];
}

export const POST_FILE_FILTERS: FileFilter[] = [{ name: "Post exports (JSON, JSONL, CSV)", extensions: ["json", "jsonl", "ndjson", "csv"] }];
export const PROJECT_FILE_FILTERS: FileFilter[] = [{ name: "Project files (TOML, finder.yml)", extensions: ["toml", "yml", "yaml"] }];
export const CSV_FILTERS: FileFilter[] = [{ name: "CSV (Excel, Google Sheets)", extensions: ["csv"] }];

/** Asks for one file to open. Null when the person cancels. */
export async function pickFile(title: string, filters: FileFilter[], demoPath: string): Promise<string | null> {
  if (!insideTauri()) return demoPath;
  const [{ commands }, { unwrap }] = await Promise.all([import("../bindings"), import("../api")]);
  return unwrap(commands.pickOpenFile(title, filters));
}

/** Asks where to save a file. Null when the person cancels. */
export async function pickSavePath(title: string, defaultName: string, filters: FileFilter[]): Promise<string | null> {
  if (!insideTauri()) return `~/Documents/${defaultName}`;
  const [{ commands }, { unwrap }] = await Promise.all([import("../bindings"), import("../api")]);
  return unwrap(commands.pickSaveFile(title, defaultName, filters));
}

/** "today-2026-11-28.csv" style names for save dialogs. */
export function datedFileName(stem: string, date: Date, ext = "csv"): string {
  const d = `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
  return `${stem}-${d}.${ext}`;
}
