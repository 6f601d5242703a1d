// Formatters for what people read: counts, ages, durations, dates. Deterministic (no locale
// surprises) so screenshots and tests agree on every machine. Money text is the engine's
// (lib/money.ts), never formatted here.

const PICOS_PER_USD = 1e12;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Pico-dollars as a USD number, for drawing chart bars (text comes from the engine). */
export function picosToUsd(picos: number): number {
  return picos / PICOS_PER_USD;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Whole numbers with thousands separators: 12,345. */
export function formatInt(n: number): string {
  const rounded = Math.round(n);
  const sign = rounded < 0 ? "-" : "";
  return sign + groupThousands(String(Math.abs(rounded)));
}

/** Counts the way X shows them: 950, 1.2k, 12k, 188k, 1.2M, 35M. */
export function formatCompact(n: number): string {
  if (!Number.isFinite(n)) return "–";
  const sign = n < 0 ? "-" : "";
  const abs = Math.abs(n);
  const units: Array<[number, string]> = [
    [1, ""],
    [1e3, "k"],
    [1e6, "M"],
    [1e9, "B"],
  ];
  for (let i = 0; i < units.length; i++) {
    const [size, suffix] = units[i]!;
    const value = abs / size;
    const text = size === 1 || value >= 9.95 ? String(Math.round(value)) : trimZero(value.toFixed(1));
    // 999,950 rounds to "1000k": use the next unit instead ("1M").
    if (Number(text) < 1000 || i === units.length - 1) return `${sign}${text}${suffix}`;
  }
  return sign + String(abs);
}

function trimZero(text: string): string {
  return text.endsWith(".0") ? text.slice(0, -2) : text;
}

/** How long ago, for a post's age: "just now", "12 min ago", "3 h ago", "2 days ago", "14 Nov". */
export function formatAge(unixSeconds: number, nowSeconds: number): string {
  const s = Math.max(0, nowSeconds - unixSeconds);
  if (s < 60) return "just now";
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days < 7) return days === 1 ? "1 day ago" : `${days} days ago`;
  return formatDay(unixSeconds);
}

/** A duration the engine's way: "51 s", "2 m 51 s", "1 h 5 m". */
export function formatDuration(seconds: number): string {
  const s = Math.round(Math.max(0, Number.isFinite(seconds) ? seconds : 0));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} m`;
}

/** Time left in a run: "about 2 m 10 s left", or a holding phrase while it is unknown. */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return "working out the time left…";
  if (seconds < 1) return "almost done";
  return `about ${formatDuration(seconds)} left`;
}

/** A 0–1 fraction as a whole percentage: 0.734 → "73%". */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return "–";
  return `${Math.round(fraction * 100)}%`;
}

/** A local calendar day: "14 Nov" (this year) or "14 Nov 2025". */
export function formatDay(unixSeconds: number, now: Date = new Date()): string {
  const d = new Date(unixSeconds * 1000);
  const base = `${d.getDate()} ${MONTHS[d.getMonth()]}`;
  return d.getFullYear() === now.getFullYear() ? base : `${base} ${d.getFullYear()}`;
}

/** A local date and time: "14 Nov 2026, 09:05". */
export function formatDateTime(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const hh = String(d.getHours()).padStart(2, "0");
  const mm = String(d.getMinutes()).padStart(2, "0");
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}, ${hh}:${mm}`;
}

/** A local time of day: "09:05". */
export function formatClock(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

/** "YYYY-MM-DD" for a local date. */
export function isoDay(d: Date): string {
  const mm = String(d.getMonth() + 1).padStart(2, "0");
  const dd = String(d.getDate()).padStart(2, "0");
  return `${d.getFullYear()}-${mm}-${dd}`;
}

/** "2026-11-14" → "14 Nov". */
export function formatIsoDay(day: string): string {
  const [y, m, d] = day.split("-").map(Number);
  if (!y || !m || !d) return day;
  return `${d} ${MONTHS[m - 1]}`;
}

/** "1 post" / "3 posts". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatInt(n)} ${n === 1 ? one : many}`;
}

/** Requests per minute as words: "12 a minute". */
export function formatPerMinute(rate: number): string {
  if (!Number.isFinite(rate) || rate <= 0) return "0 a minute";
  return `${rate < 10 ? trimZero(rate.toFixed(1)) : Math.round(rate)} a minute`;
}

/** Reply types in plain words. */
export function replyTypeName(type: string): string {
  switch (type) {
    case "add_value":
      return "Add value";
    case "ask_question":
      return "Ask a question";
    case "funny":
      return "Funny";
    case "debate":
      return "Friendly debate";
    case "relate":
      return "Relate";
    default:
      return type.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
  }
}

/** A key's status for people: "Not set" or "Set · ends in wxyz". */
export function keyStatusText(status: { set: boolean; last4: string | null }): string {
  if (!status.set) return "Not set";
  return status.last4 ? `Set · ends in ${status.last4}` : "Set";
}

/** Scores are 0–1 in the engine and 0–100 on every screen; the one place that converts. */
export function toScore100(score: number): number {
  return Number.isFinite(score) ? Math.round(score * 100) : 0;
}

/** A 0–100 score typed on a screen, back to the engine's 0–1. */
export function fromScore100(score: number): number {
  return Math.min(100, Math.max(0, score)) / 100;
}
