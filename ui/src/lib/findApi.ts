// The backend for the Find posts screen. Inside the desktop app: the generated bindings (thin,
// errors normalised like backend/tauri.ts). In a plain browser: a small simulation, so the
// screen can be previewed and screenshotted without the shell (nothing is fetched or saved).

import { insideTauri } from "../api";
import { commands, events } from "../bindings";
import type { FindEvent, SavedSearchDto, SearchEstimate, SearchOutcomeDto, SearchRequestDto, TermAnalysisDto } from "../bindings";
import { unwrap } from "../backend/tauri";
import { createFindDemo } from "./findDemo";

export type { FindEvent, SavedSearchDto, SearchEstimate, SearchOutcomeDto, SearchRequestDto, TermAnalysisDto };

export interface FindApi {
  estimate(request: SearchRequestDto): Promise<SearchEstimate>;
  start(projectId: number, request: SearchRequestDto, saveAs: string | null): Promise<void>;
  findNew(savedSearchId: number): Promise<void>;
  cancel(): Promise<boolean>;
  listSaved(projectId: number): Promise<SavedSearchDto[]>;
  setSchedule(id: number, hours: number | null, draftNewGreens: boolean): Promise<SavedSearchDto>;
  deleteSaved(id: number): Promise<void>;
  analyze(searchId: number): Promise<TermAnalysisDto[]>;
  onEvent(handler: (e: FindEvent) => void): Promise<() => void>;
}

const tauriFind: FindApi = {
  estimate: (request) => unwrap(commands.estimateSearch(request)),
  start: async (projectId, request, saveAs) => {
    await unwrap(commands.startSearch(projectId, request, saveAs));
  },
  findNew: async (id) => {
    await unwrap(commands.findNewPosts(id));
  },
  cancel: () => unwrap(commands.cancelSearch()),
  listSaved: (projectId) => unwrap(commands.listSavedSearches(projectId)),
  setSchedule: (id, hours, draft) => unwrap(commands.setSearchSchedule(id, hours, draft)),
  deleteSaved: async (id) => {
    await unwrap(commands.deleteSavedSearch(id));
  },
  analyze: (searchId) => unwrap(commands.analyzeTerms(searchId)),
  onEvent: (handler) => events.findEvent.listen((e) => handler(e.payload)),
};

let demo: FindApi | null = null;

export function findApi(): FindApi {
  if (insideTauri()) return tauriFind;
  demo ??= createFindDemo();
  return demo;
}
