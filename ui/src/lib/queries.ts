// The typed query layer: every backend call the screens make goes through these hooks, which
// share cache keys, normalise errors into AppError and refresh what a change affects.

import { QueryClient, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import type {
  CostGroupBy,
  CostQuery,
  DraftReview,
  ImportSource,
  Limits,
  Opportunity,
  OpportunityExport,
  OpportunityPage,
  OpportunityQuery,
  PostStatus,
  StatusChange,
  PriceInput,
  ProjectSettings,
  RunMode,
  RunSettings,
  SecretName,
  Tier,
  Weights,
} from "../api";
import { normaliseError, type AppError } from "./errors";

declare module "@tanstack/react-query" {
  interface Register {
    defaultError: AppError;
  }
}

/** Runs a backend call; whatever it throws becomes an AppError. */
export async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw normaliseError(e);
  }
}

export const qk = {
  appInfo: ["appInfo"] as const,
  keys: ["keys"] as const,
  limits: ["limits"] as const,
  models: ["models"] as const,
  projects: ["projects"] as const,
  project: (id: number) => ["project", id] as const,
  runDefaults: (projectId: number) => ["runDefaults", projectId] as const,
  runs: (projectId: number | null) => ["runs", projectId] as const,
  runsAll: ["runs"] as const,
  runSummary: (runId: number) => ["runs", "summary", runId] as const,
  opportunitiesAll: ["opportunities"] as const,
  opportunities: (q: OpportunityQuery) => ["opportunities", q] as const,
  costsAll: ["costs"] as const,
  costsByDay: (q: CostQuery, by: CostGroupBy) => ["costs", "byDay", q, by] as const,
  costOverview: (q: CostQuery) => ["costs", "overview", q] as const,
  costPerRun: (q: CostQuery) => ["costs", "perRun", q] as const,
  averagePerPost: (q: CostQuery) => ["costs", "perPost", q] as const,
  prices: ["prices"] as const,
  logs: (lines: number) => ["logs", lines] as const,
};

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // A desktop app with one writer: data changes only through our own mutations, which
        // invalidate what they touch. No refetch storms on window focus.
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        retry: (count, error) => count < 1 && ["connection", "timeout", "database"].includes(error.code),
      },
      mutations: { retry: false },
    },
  });
}

// ---- App, keys, limits ----

export const useAppInfo = () => useQuery({ queryKey: qk.appInfo, queryFn: () => call(() => api().appInfo()), staleTime: Infinity });

export const useKeyStatus = () => useQuery({ queryKey: qk.keys, queryFn: () => call(() => api().keyStatus()) });

/** Saving a key. The typed key is this mutation's variables: `gcTime: 0` drops the mutation
 * from the cache as soon as nothing watches it (KeyForm resets it once it settles), so the
 * key does not stay in memory for react-query's default five minutes. */
export function useSetKey() {
  const qc = useQueryClient();
  return useMutation({
    gcTime: 0,
    mutationFn: (v: { secret: SecretName; value: string }) => call(() => api().setKey(v.secret, v.value)),
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.keys }),
  });
}

export function useDeleteKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (secret: SecretName) => call(() => api().deleteKey(secret)),
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.keys }),
  });
}

export const useLimits = () => useQuery({ queryKey: qk.limits, queryFn: () => call(() => api().limitSettings()) });
export const useModels = () => useQuery({ queryKey: qk.models, queryFn: () => call(() => api().models()), staleTime: 300_000 });

export function useSetTier() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { tier: Tier; model: string; custom: Limits | null }) => call(() => api().setTier(v.tier, v.model, v.custom)),
    onSuccess: (data) => {
      qc.setQueryData(qk.limits, data);
      void qc.invalidateQueries({ queryKey: ["runDefaults"] });
    },
  });
}

export function useSetBudget() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (picos: number | null) => call(() => api().setMonthlyBudget(picos)),
    onSuccess: (data) => {
      qc.setQueryData(qk.limits, data);
      void qc.invalidateQueries({ queryKey: qk.costsAll });
    },
  });
}

// ---- Projects ----

export const useProjects = () => useQuery({ queryKey: qk.projects, queryFn: () => call(() => api().listProjects()) });

export const useProject = (id: number | null) =>
  useQuery({
    queryKey: qk.project(id ?? -1),
    queryFn: () => call(() => api().getProject(id!)),
    enabled: id != null,
  });

export function useCreateProject() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (settings: ProjectSettings) => call(() => api().createProject(settings)),
    onSuccess: (p) => {
      qc.setQueryData(qk.project(p.id), p);
      void qc.invalidateQueries({ queryKey: qk.projects });
    },
  });
}

export function useUpdateProject() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: number; settings: ProjectSettings }) => call(() => api().updateProject(v.id, v.settings)),
    onSuccess: (p) => {
      qc.setQueryData(qk.project(p.id), p);
      void qc.invalidateQueries({ queryKey: qk.projects });
      void qc.invalidateQueries({ queryKey: qk.opportunitiesAll });
    },
  });
}

export function useDeleteProject() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => call(() => api().deleteProject(id)),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: qk.projects });
      void qc.invalidateQueries({ queryKey: qk.runsAll });
      void qc.invalidateQueries({ queryKey: qk.costsAll });
    },
  });
}

export function useImportProjectFile() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (path: string) => call(() => api().importProjectFile(path)),
    onSuccess: (p) => {
      qc.setQueryData(qk.project(p.id), p);
      void qc.invalidateQueries({ queryKey: qk.projects });
    },
  });
}

export function useExportProjectFile() {
  return useMutation({ mutationFn: (v: { id: number; path: string }) => call(() => api().exportProjectFile(v.id, v.path)) });
}

export function useSuggestExamples() {
  return useMutation({
    mutationFn: (v: { projectId: number; label: string; description: string }) => call(() => api().suggestTopicExamples(v.projectId, v.label, v.description)),
  });
}

// ---- Posts ----

export function useImportPosts() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { projectId: number; source: ImportSource }) => call(() => api().importPosts(v.projectId, v.source)),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: qk.projects });
      void qc.invalidateQueries({ queryKey: qk.opportunitiesAll });
    },
  });
}

// ---- Runs ----

export const useRunDefaults = (projectId: number | null) =>
  useQuery({
    queryKey: qk.runDefaults(projectId ?? -1),
    queryFn: () => call(() => api().defaultRunSettings(projectId!)),
    enabled: projectId != null,
    staleTime: Infinity,
  });

export const useRuns = (projectId: number | null) => useQuery({ queryKey: qk.runs(projectId), queryFn: () => call(() => api().listRuns(projectId)) });

export const useForecast = (projectId: number | null, settings: RunSettings | null, budgetPicos: number | null = null) =>
  useQuery({
    queryKey: ["forecast", projectId, settings, budgetPicos] as const,
    queryFn: () => call(() => api().forecastRun(projectId!, settings!, budgetPicos)),
    enabled: projectId != null && settings != null,
    placeholderData: (previous) => previous,
    staleTime: 10_000,
  });

export function useStartRun() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { projectId: number; settings: RunSettings; budgetPicos: number | null }) =>
      call(() => api().startRun(v.projectId, v.settings, v.budgetPicos)),
    onSuccess: () => void qc.invalidateQueries({ queryKey: qk.runsAll }),
  });
}

export const useRunSummary = (runId: number | null) =>
  useQuery({
    queryKey: qk.runSummary(runId ?? -1),
    queryFn: () => call(() => api().runSummary(runId!)),
    enabled: runId != null,
  });

/** Continues a run; `budgetPicos` sets a new budget for the whole run (null keeps the old one). */
export function useResumeRun() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { runId: number; budgetPicos?: number | null; mode?: RunMode | null }) =>
      call(() => api().resumeRun(v.runId, v.budgetPicos ?? null, v.mode ?? null)),
    onSuccess: () => void qc.invalidateQueries({ queryKey: qk.runsAll }),
  });
}

/** Asks for a batch run's jobs to be checked at Google now. */
export function useCheckBatchNow() {
  return useMutation({ mutationFn: (runId: number) => call(() => api().checkBatchNow(runId)) });
}

export function useCancelRun() {
  return useMutation({ mutationFn: (runId: number) => call(() => api().cancelRun(runId)) });
}

/** After a run ends, everything it wrote is stale. */
export function invalidateAfterRun(qc: QueryClient): void {
  for (const key of [qk.runsAll, qk.opportunitiesAll, qk.costsAll, qk.projects]) void qc.invalidateQueries({ queryKey: key });
}

// ---- Opportunities ----

export const useOpportunities = (q: OpportunityQuery | null) =>
  useQuery({
    queryKey: qk.opportunities(q ?? ({} as OpportunityQuery)),
    queryFn: () => call(() => api().listOpportunities(q!)),
    enabled: q != null,
    placeholderData: (previous) => previous,
  });

/** A page with some posts given a new status (for optimistic updates). */
export function withStatus(page: OpportunityPage, ids: ReadonlySet<string>, status: PostStatus): OpportunityPage {
  return { ...page, items: page.items.map((o) => (ids.has(o.tweet_id) ? { ...o, status } : o)) };
}

export function useSetPostStatus() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { projectId: number; tweetIds: string[]; status: PostStatus }) => call(() => api().setPostStatus(v.projectId, v.tweetIds, v.status)),
    onMutate: async (v) => {
      await qc.cancelQueries({ queryKey: qk.opportunitiesAll });
      const before = qc.getQueriesData<OpportunityPage>({ queryKey: qk.opportunitiesAll });
      const ids = new Set(v.tweetIds);
      qc.setQueriesData<OpportunityPage>({ queryKey: qk.opportunitiesAll }, (page) => (page ? withStatus(page, ids, v.status) : page));
      return { before };
    },
    onError: (_e, _v, ctx) => {
      for (const [key, data] of ctx?.before ?? []) qc.setQueryData(key, data);
    },
    onSettled: () => void qc.invalidateQueries({ queryKey: qk.opportunitiesAll }),
  });
}

export function useUndoPostStatus() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (change: StatusChange) => call(() => api().undoPostStatus(change)),
    onSettled: () => void qc.invalidateQueries({ queryKey: qk.opportunitiesAll }),
  });
}

export function useDraftReview() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { draftId: number; review: DraftReview }) => call(() => api().setDraftReview(v.draftId, v.review)),
    onSuccess: () => void qc.invalidateQueries({ queryKey: qk.opportunitiesAll }),
  });
}

export function useEditDraft() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { draftId: number; text: string }) => call(() => api().editDraft(v.draftId, v.text)),
    onSuccess: () => void qc.invalidateQueries({ queryKey: qk.opportunitiesAll }),
  });
}

// ---- Costs and export ----

export const useCostsByDay = (q: CostQuery, by: CostGroupBy) =>
  useQuery({ queryKey: qk.costsByDay(q, by), queryFn: () => call(() => api().costsByDay(q, by)), placeholderData: (p) => p });

export const useCostOverview = (q: CostQuery) =>
  useQuery({ queryKey: qk.costOverview(q), queryFn: () => call(() => api().costOverview(q)), placeholderData: (p) => p });

export const useCostPerRun = (q: CostQuery) =>
  useQuery({ queryKey: qk.costPerRun(q), queryFn: () => call(() => api().costPerRun(q)), placeholderData: (p) => p });

export const useAveragePerPost = (q: CostQuery) =>
  useQuery({ queryKey: qk.averagePerPost(q), queryFn: () => call(() => api().averagePerPost(q)), placeholderData: (p) => p });

export function useExportCosts() {
  return useMutation({ mutationFn: (v: { query: CostQuery; path: string }) => call(() => api().exportCostsCsv(v.query, v.path)) });
}

export function useExportOpportunities() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (options: OpportunityExport) => call(() => api().exportOpportunitiesCsv(options)),
    onSuccess: () => void qc.invalidateQueries({ queryKey: qk.opportunitiesAll }),
  });
}

// ---- Settings ----

export const usePrices = () => useQuery({ queryKey: qk.prices, queryFn: () => call(() => api().listPrices()) });

export function useSetPrice() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (p: PriceInput) => call(() => api().setPrice(p)),
    onSuccess: () => void qc.invalidateQueries({ queryKey: qk.prices }),
  });
}

export function useRevealFolder() {
  return useMutation({ mutationFn: (which: "data" | "logs") => call(() => (which === "data" ? api().revealDataFolder() : api().revealLogFolder())) });
}

export function useCheckKey() {
  return useMutation({ mutationFn: () => call(() => api().checkKey()) });
}

export function useSetGeminiBaseUrl() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (url: string | null) => call(() => api().setGeminiBaseUrl(url)),
    onSuccess: (data) => qc.setQueryData(qk.limits, data),
  });
}

/** The person confirmed that the saved key may go to the Gemini server shown. */
export function useConfirmGeminiServer() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => call(() => api().confirmGeminiServer()),
    onSuccess: (data) => qc.setQueryData(qk.limits, data),
  });
}

export const useTopicsInUse = (projectId: number | null) =>
  useQuery({
    queryKey: ["topicsInUse", projectId] as const,
    queryFn: () => call(() => api().topicsInUse(projectId!)),
    enabled: projectId != null,
  });

export const useDefaultProjectSettings = (enabled: boolean) =>
  useQuery({ queryKey: ["defaultProjectSettings"] as const, queryFn: () => call(() => api().defaultProjectSettings("")), enabled, staleTime: Infinity });

export const useLogs = (lines: number) => useQuery({ queryKey: qk.logs(lines), queryFn: () => call(() => api().logTail(lines)), staleTime: 0 });

/** A budget typed in a field, read by the engine (null text: no budget asked). */
export const useBudgetReading = (text: string | null, spentPicos: number | null = null) =>
  useQuery({
    queryKey: ["budget-reading", text, spentPicos] as const,
    queryFn: () => call(() => api().readBudget(text!, spentPicos)),
    enabled: text != null,
    staleTime: Infinity,
  });

/** Everything to fix in a project's settings, from the engine (null: nothing to check yet). */
export const useProjectProblems = (settings: ProjectSettings | null) =>
  useQuery({
    queryKey: ["project-problems", settings] as const,
    queryFn: () => call(() => api().projectSettingsProblems(settings!)),
    enabled: settings != null,
    placeholderData: (previous) => previous,
  });

/** A post's score in its parts, from the engine. */
export const useScoreParts = (weights: Weights, o: Pick<Opportunity, "velocity" | "relevance" | "openness" | "author_score">) =>
  useQuery({
    queryKey: ["score-parts", weights, o.velocity, o.relevance, o.openness, o.author_score] as const,
    queryFn: () => call(() => api().scoreParts(weights, o)),
    staleTime: Infinity,
  });
