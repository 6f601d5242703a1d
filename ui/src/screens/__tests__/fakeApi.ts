// A stand-in backend for screen tests: fixed fixture data and a status per post, nothing
// computed (no scoring, gating, forecasting or money rules: those are the engine's and are
// tested in Rust). Methods a test does not use reject, so a screen that needs more fails loudly.

import type { Api } from "../../api";
import type { Label, Opportunity, OpportunityQuery, PostStatus, Project, ProjectSettings, StatusChange } from "../../api";

const SETTINGS: ProjectSettings = {
  name: "Sample: B2B SaaS growth",
  languages: ["en"],
  reply_types: ["add_value", "ask_question", "funny", "debate", "relate"],
  topics: [{ label: "onboarding", description: "", examples: [] }],
  voice: { persona: "helpful and informative", rules: [], good_examples: [], bad_examples: [] },
  sources: { favour_authors: [], avoid_authors: [], avoid_keywords: [] },
  weights: { velocity: 0.35, relevance: 0.35, openness: 0.2, author: 0.1 },
  thresholds: { green: 0.6, yellow: 0.45 },
  generation: { model: "gemini-2.5-flash", temperature: 0.2 },
};

const PROJECT: Project = { id: 1, settings: SETTINGS, created_at: 1_700_000_000, updated_at: 1_700_000_000 };

/** One post as the engine would list it; scores are fixed fixture values. */
function post(tweetId: string, handle: string, text: string, label: Label, total: number, drafts: string[]): Opportunity {
  return {
    project_id: 1,
    tweet_id: tweetId,
    url: `https://x.com/${handle}/status/${tweetId}`,
    handle,
    author_name: null,
    followers: 12_000,
    text,
    posted_at: 1_700_000_000,
    age_s: 3_600,
    likes: 40,
    replies: 5,
    retweets: 3,
    views: 9_000,
    status: "pending",
    label,
    topic: "onboarding",
    why: "On topic and taking off.",
    total,
    velocity: 0.7,
    relevance: 0.8,
    openness: 0.5,
    author_score: 0.4,
    relevance_method: "lexical",
    run_id: null,
    drafts: drafts.map((d, i) => ({
      id: Number(tweetId) * 10 + i,
      run_id: null,
      reply_type: "add_value",
      rank: i,
      text: d,
      edited_text: null,
      review: "draft",
      sample: false,
      reply_url: `https://x.com/intent/post?in_reply_to=${tweetId}&text=${encodeURIComponent(d)}`,
    })),
  };
}

const POSTS: Opportunity[] = [
  post("101", "lennysan", "What is the one onboarding step you would never cut?", "green", 0.82, [
    "The welcome checklist: it halves support tickets.",
    "Which step do you see cut most often?",
  ]),
  post("102", "aprildunford", "Activation is a positioning problem more often than a UX one.", "green", 0.74, [
    "Agreed: users who get the category stay longer.",
  ]),
  post("103", "saasgrowth", "We removed our product tour and activation went up 9%.", "green", 0.66, []),
  post("104", "pmnotes", "Anyone measured time-to-value for self-serve trials?", "yellow", 0.52, ["We track it per plan: median 2 days."]),
];

function shown(status: PostStatus, q: OpportunityQuery): boolean {
  const view = q.view ?? null;
  if (view === "to_review") return status === "pending";
  if (view === "all") return true;
  if (view === "posted" || view === "skipped" || view === "exported") return status === view;
  return q.status == null || status === q.status;
}

export function fakeApi(): Api {
  const status = new Map<string, PostStatus>(POSTS.map((p) => [p.tweet_id, "pending"]));
  const known: Partial<Api> = {
    kind: "test",
    listProjects: async () => [{ id: 1, name: SETTINGS.name, topics: 1, posts: POSTS.length, updated_at: PROJECT.updated_at }],
    getProject: async () => PROJECT,
    listRuns: async () => [],
    topicsInUse: async () => ["onboarding"],
    keyStatus: async () => [],
    onRunEvent: async () => () => undefined,
    pickUpBatchRuns: async () => undefined,
    listOpportunities: async (q) => {
      const items = POSTS.map((p) => ({ ...p, status: status.get(p.tweet_id) ?? p.status }))
        .filter((p) => shown(p.status, q))
        .filter((p) => q.labels.length === 0 || q.labels.includes(p.label))
        .slice(0, q.limit);
      return { items, total: items.length };
    },
    setPostStatus: async (projectId, tweetIds, next): Promise<StatusChange> => {
      const previous = tweetIds.map((id): [string, PostStatus] => [id, status.get(id) ?? "pending"]);
      for (const id of tweetIds) status.set(id, next);
      return { project_id: projectId, changed: tweetIds.length, previous };
    },
    undoPostStatus: async (change) => {
      for (const [id, was] of change.previous) status.set(id, was);
      return change.previous.length;
    },
    setDraftReview: async () => undefined,
    editDraft: async () => undefined,
  };
  return new Proxy(known as Api, {
    get(target, name: string) {
      if (name in target) return target[name as keyof Api];
      if (name === "then") return undefined;
      return () => Promise.reject({ code: "unexpected", message: `The test backend has no ${name}.` });
    },
  });
}
