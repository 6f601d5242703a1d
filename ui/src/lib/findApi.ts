// The backend for the Find posts screen: the generated bindings (thin, errors normalised like
// backend/tauri.ts). Tests give it a stand-in with `setFindApiForTests`.

import { commands, events } from "../bindings";
import type {
  FindEvent,
  SavedSearchDto,
  SearchEstimate,
  SearchFormDto,
  SearchFormReading,
  SearchOutcomeDto,
  SearchRequestDto,
  TermAnalysisDto,
} from "../bindings";
import { unwrap } from "../backend/tauri";

export type { FindEvent, SavedSearchDto, SearchEstimate, SearchFormDto, SearchFormReading, SearchOutcomeDto, SearchRequestDto, TermAnalysisDto };

export interface FindApi {
  /** The form as typed, read by the engine into a request (or the first thing to fix). */
  readForm(form: SearchFormDto): Promise<SearchFormReading>;
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
  readForm: (form) => unwrap(commands.readSearchForm(form)),
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

let standIn: FindApi | null = null;

export function findApi(): FindApi {
  return standIn ?? tauriFind;
}

/** For tests: use a given backend (null restores the app's). */
export function setFindApiForTests(api: FindApi | null): void {
  standIn = api;
}
