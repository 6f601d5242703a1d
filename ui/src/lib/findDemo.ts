// The browser preview of finding posts: estimates at the published prices, a search that
// "finds" posts over a second and a half, a term analysis from fixed shares. Nothing is real.

import type { FindEvent, SavedSearchDto, SearchOutcomeDto, SearchRequestDto, TermAnalysisDto } from "../bindings";
import type { FindApi } from "./findApi";

const PICOS_PER_POST = { apify: 400_000_000, x: 5_000_000_000 } as const;

function usd(picos: number): string {
  const v = picos / 1e12;
  return v >= 0.01 || v === 0 ? `$${v.toFixed(v >= 1 ? 2 : 4)}` : `$${v.toPrecision(2)}`;
}

export function createFindDemo(): FindApi {
  const listeners = new Set<(e: FindEvent) => void>();
  const emit = (e: FindEvent) => listeners.forEach((l) => l(e));
  const saved: SavedSearchDto[] = [];
  let lastTerms: string[] = [];
  let nextId = 1;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const run = (projectId: number, request: SearchRequestDto, savedId: number | null) => {
    const searchId = nextId++;
    lastTerms = request.terms;
    const perTerm = Math.min(request.count, 120);
    const total = perTerm * request.terms.length;
    let step = 0;
    const tick = () => {
      step += 1;
      const found = Math.min(total, Math.round((total * step) / 5));
      const term = Math.min(request.terms.length, Math.ceil((found || 1) / perTerm));
      emit({
        kind: "progress",
        search_id: searchId,
        term: request.terms[term - 1] ?? "",
        term_number: term,
        terms: request.terms.length,
        stage: step < 5 ? "reading" : "scoring",
        found,
        added: Math.round(found * 0.9),
        skipped: Math.floor(found / 60),
        filtered: 0,
        cost_picos: found * PICOS_PER_POST[request.source],
        note: step < 5 ? "Reading posts" : "Scoring the posts that arrived",
      });
      if (step < 5) {
        timer = setTimeout(tick, 300);
        return;
      }
      timer = null;
      const outcome: SearchOutcomeDto = {
        search_id: searchId,
        project_id: projectId,
        source: request.source,
        status: "finished",
        found: total,
        added: Math.round(total * 0.9),
        updated: total - Math.round(total * 0.9),
        skipped_total: Math.floor(total / 60),
        skipped: [],
        filtered: 0,
        terms: request.terms.map((t) => ({ term: t, found: perTerm, added: Math.round(perTerm * 0.9), complete: true })),
        cost_picos: total * PICOS_PER_POST[request.source],
        cost: usd(total * PICOS_PER_POST[request.source]),
        green: Math.round(total * 0.08),
        yellow: Math.round(total * 0.25),
        red: Math.round(total * 0.5),
        held_back: total - Math.round(total * 0.08) - Math.round(total * 0.25) - Math.round(total * 0.5),
        new_greens: Math.round(total * 0.07),
        error: null,
        summary: `Found ${total} posts (${Math.round(total * 0.9)} new) for ${usd(total * PICOS_PER_POST[request.source])}.`,
        saved_search_id: savedId,
      };
      emit({ kind: "finished", ...outcome });
    };
    timer = setTimeout(tick, 200);
  };

  return {
    estimate: async (request) => {
      const max = request.terms.length * request.count;
      const picos = max * PICOS_PER_POST[request.source];
      return {
        max_posts: max,
        max_cost_picos: picos,
        max_cost: usd(picos),
        sentence: `Up to ${max} posts (${request.terms.length} × ${request.count} per term) from ${request.source === "apify" ? "Apify" : "the X API"}: at most ${usd(picos)}.`,
      };
    },
    start: async (projectId, request, saveAs) => {
      if (timer) throw { code: "search_running", message: "A search is already running." };
      let savedId: number | null = null;
      if (saveAs && saveAs.trim()) {
        savedId = nextId++;
        saved.push({
          id: savedId,
          project_id: projectId,
          name: saveAs.trim(),
          request,
          refresh_hours: null,
          draft_new_greens: false,
          last_fetched_at: Math.floor(Date.now() / 1000),
          created_at: Math.floor(Date.now() / 1000),
        });
      }
      run(projectId, request, savedId);
    },
    findNew: async (id) => {
      const s = saved.find((x) => x.id === id);
      if (!s) throw { code: "invalid_input", message: "There is no such saved search." };
      s.last_fetched_at = Math.floor(Date.now() / 1000);
      run(s.project_id, { ...s.request, count: 10 }, s.id);
    },
    cancel: async () => {
      if (!timer) return false;
      clearTimeout(timer);
      timer = null;
      return true;
    },
    listSaved: async (projectId) => saved.filter((s) => s.project_id === projectId),
    setSchedule: async (id, hours, draft) => {
      const s = saved.find((x) => x.id === id);
      if (!s) throw { code: "invalid_input", message: "There is no such saved search." };
      s.refresh_hours = hours;
      s.draft_new_greens = draft;
      return s;
    },
    deleteSaved: async (id) => {
      const i = saved.findIndex((x) => x.id === id);
      if (i >= 0) saved.splice(i, 1);
    },
    analyze: async () =>
      lastTerms.map((term, i): TermAnalysisDto => {
        const green = [0.12, 0.03, 0.09, 0.06, 0.01][i % 5]!;
        const found = 120;
        return {
          term,
          found,
          green: Math.round(found * green),
          yellow: Math.round(found * 0.25),
          red: Math.round(found * 0.5),
          held_back: found - Math.round(found * green) - Math.round(found * 0.25) - Math.round(found * 0.5),
          green_share: green,
          yellow_share: 0.25,
          red_share: 0.5,
          fresh_share: 0.9,
          top_topics: [{ topic: "product-led growth", posts: 40 }],
          verdict: green >= 0.08 ? "Good" : green >= 0.05 ? "Okay" : "Poor",
          verdict_sentence: `${green >= 0.08 ? "Good (high confidence)" : green >= 0.05 ? "Okay" : "Poor"}: ${Math.round(green * 100)}% green, 90% from the last 48 hours.`,
          reply_cost_picos: Math.round(found * green) * 600_000_000,
          reply_cost: usd(Math.round(found * green) * 600_000_000),
        };
      }),
    onEvent: async (handler) => {
      listeners.add(handler);
      return () => listeners.delete(handler);
    },
  };
}
