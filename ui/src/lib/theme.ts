// Light or dark: follows the operating system unless the person picks one in Settings. The
// choice is a window preference, kept in this window's local storage.

export type ThemeChoice = "system" | "light" | "dark";

const KEY = "comment-finder.theme";

export function savedTheme(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === "light" || v === "dark" ? v : "system";
  } catch {
    return "system";
  }
}

/** Sets `data-theme` on <html> ("system" removes it, so the CSS follows the OS setting). */
export function applyTheme(choice: ThemeChoice, root: HTMLElement = document.documentElement): void {
  if (choice === "system") delete root.dataset.theme;
  else root.dataset.theme = choice;
}

export function chooseTheme(choice: ThemeChoice): void {
  try {
    if (choice === "system") localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // storage unavailable: the choice lasts until the window closes
  }
  applyTheme(choice);
}
