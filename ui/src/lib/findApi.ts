// The backend for the Find posts screen: the generated bindings (thin, errors normalised like
// api.ts). Tests give it a stand-in with `setFindApiForTests`.

import { commands, events } from "../bindings";
import type { FindEvent, SavedSearch, SearchEstimate, SearchForm, SearchFormReading, SearchOutcome, SearchRequest, TermAnalysis } from "../bindings";
import { unwrap } from "../api";

export type { FindEvent, SavedSearch, SearchEstimate, SearchForm, SearchFormReading, SearchOutcome, SearchRequest, TermAnalysis };

export interface FindApi {
  /** The form as typed, read by the engine into a request (or the first thing to fix). */
  readForm(form: SearchForm): Promise<SearchFormReading>;
  estimate(request: SearchRequest): Promise<SearchEstimate>;
  start(projectId: number, request: SearchRequest, saveAs: string | null): Promise<void>;
  findNew(savedSearchId: number): Promise<void>;
  cancel(): Promise<boolean>;
  listSaved(projectId: number): Promise<SavedSearch[]>;
  setSchedule(id: number, hours: number | null, draftNewGreens: boolean): Promise<SavedSearch>;
  deleteSaved(id: number): Promise<void>;
  analyze(searchId: number): Promise<TermAnalysis[]>;
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
