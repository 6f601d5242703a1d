// The app's words, in one place: what a marketer reads on screen, and the technical name it
// stands for (shown in a tooltip or an "Advanced" fold only). docs/glossary.md is the same list
// for people; a test keeps the two in step.

export interface Term {
  /** What the screens say. */
  words: string;
  /** The technical name (Gemini's or the engine's), for tooltips and support. */
  technical: string;
  /** One sentence on what it means for the marketer. */
  explain: string;
}

export const GLOSSARY = {
  score: {
    words: "Score (0–100)",
    technical: "score_total, a weighted mean in [0, 1]",
    explain: "How worth replying a post is: momentum, how on-topic it is, how open to replies, and the author.",
  },
  green: { words: "Green", technical: "label green (score at or above the green threshold)", explain: "Reply now: a strong match that is taking off." },
  yellow: { words: "Yellow", technical: "label yellow", explain: "Worth a look." },
  red: { words: "Red", technical: "label red", explain: "Low priority; runs leave these out unless you include them." },
  heldBack: {
    words: "Held back",
    technical: "gate_reason (the gate)",
    explain: "Posts never sent to the AI: reposts, closed replies, other languages, authors and words you avoid, link drops.",
  },
  run: { words: "Run", technical: "run (a batch of generate requests)", explain: "One pass in which the AI writes reply drafts for your best fresh posts." },
  draft: { words: "Reply draft", technical: "suggestion", explain: "A reply the AI wrote for a post; you edit, approve, copy or reply with it." },
  sampleDraft: {
    words: "Sample draft",
    technical: "suggestion with sample = 1, no run",
    explain: "Written by hand for the sample project so you can try the app before adding a key. Nothing was spent.",
  },
  replyOnX: {
    words: "Reply on X",
    technical: "https://x.com/intent/post?in_reply_to=<post id>&text=<draft>",
    explain: "Opens X's reply box for the post with the draft filled in; you post it yourself.",
  },
  toReview: { words: "To review", technical: "status pending", explain: "Not posted, skipped or marked done yet." },
  approved: { words: "Approved", technical: "review approved", explain: "A draft you liked; still to post." },
  rejected: { words: "Rejected", technical: "review rejected", explain: "A draft you turned down; a later run may write the post new ones." },
  posted: { words: "Posted", technical: "status posted", explain: "You replied on X." },
  skipped: { words: "Skipped", technical: "status skipped", explain: "Not worth a reply." },
  doneExported: {
    words: "Done (exported)",
    technical: "status exported",
    explain: "Marked done by an export, only when you chose “Mark exported posts as done”.",
  },
  speed: {
    words: "Speed: replies in progress at once",
    technical: "batch size (concurrent requests)",
    explain: "More is faster; the app never goes above your plan's limits.",
  },
  perCall: {
    words: "How many posts per AI call",
    technical: "posts per request",
    explain: "More posts in one call is cheaper and faster on a slow plan; the AI is slightly less careful with each post.",
  },
  plan: { words: "Your Gemini plan", technical: "Gemini API tier (free, paid tier 1, custom)", explain: "Sets how fast runs may go, so Google never refuses." },
  paidPlan: { words: "Paid (billing on)", technical: "paid tier 1", explain: "Billing is turned on for your Google project: faster runs, no small daily cap." },
  callsPerMinute: { words: "AI calls a minute", technical: "requests per minute (RPM)", explain: "How many calls your plan allows each minute." },
  textPerMinute: {
    words: "Text the AI may read a minute",
    technical: "input tokens per minute (TPM)",
    explain: "Google also limits how much text it reads each minute; leave it empty if you don't know.",
  },
  topicMatching: {
    words: "AI topic matching",
    technical: "Gemini embeddings (text-embedding), cosine similarity",
    explain: "Scores how close posts are to your topics with AI, and skips near-duplicates of posts you already answered.",
  },
  creativity: { words: "Creativity", technical: "temperature", explain: "0 gives consistent replies, higher values more varied ones." },
  textAmount: {
    words: "Text sent and written",
    technical: "input / output tokens",
    explain: "What Google bills by: the text the AI reads and the text it writes (thinking counts as written).",
  },
  repeatedText: { words: "Repeated text (cheaper)", technical: "cached input tokens", explain: "Text Google already had, billed at a lower price." },
  aiServer: { words: "AI service address", technical: "Gemini API base URL", explain: "Only for testing: point the app at another Gemini-compatible server." },
  forecast: { words: "Estimate", technical: "forecast", explain: "What a run will do and cost, worked out before anything is spent." },
  budget: {
    words: "Budget",
    technical: "spending cap (run / project / month)",
    explain: "The most a run, a project or a month may spend; the app stops before passing it.",
  },
} satisfies Record<string, Term>;

export type TermId = keyof typeof GLOSSARY;

/** A term's screen words with its technical name as the tooltip. */
export function termTitle(id: TermId): string {
  const t: Term = GLOSSARY[id];
  return `${t.explain} (Technical name: ${t.technical}.)`;
}
