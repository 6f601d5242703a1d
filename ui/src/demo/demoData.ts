// Sample data for the browser demo: the bundled sample project, its posts scored roughly the
// way the engine scores them, reply drafts, a few weeks of runs and their costs.
// Used only outside Tauri (screenshots and UI development); the desktop app never loads it.

import type { Draft, Label, Opportunity, PriceRow, ProjectSettings, ReplyType, RunListing, RunSettings, Weights } from "../apiTypes";
import { DEMO_POSTS, type DemoPost } from "./samplePosts";

export const SAMPLE_PROJECT: ProjectSettings = {
  name: "Sample: B2B SaaS growth",
  languages: ["en"],
  reply_types: ["add_value", "ask_question", "funny", "debate", "relate"],
  topics: [
    {
      label: "facebook ads",
      description:
        "Paid acquisition on Meta (Facebook and Instagram ads) for B2B SaaS: ad creatives and hooks, creative testing and fatigue, CPMs and CPA, broad vs lookalike audiences, Advantage+ campaigns, pixel and Conversions API, attribution and incrementality.",
      examples: [
        "Our Meta CPMs jumped almost forty percent this month and I cannot tell whether it is seasonality or creative fatigue.",
        "Broad targeting with strong creative keeps beating lookalike audiences in our tests, except for retargeting people who visited the pricing page.",
      ],
    },
    {
      label: "cold email",
      description:
        "Cold outbound email for B2B sales: deliverability (SPF, DKIM, DMARC, sending domains, inbox placement, spam rates), sequences and follow-ups, subject lines, reply rates, list quality and personalisation.",
      examples: [
        "Our cold email reply rate dropped to one percent after we added AI personalised first lines, so we went back to plain observations.",
        "Never send cold email from your primary domain; set up separate sending domains with SPF, DKIM and DMARC before the first campaign.",
      ],
    },
    {
      label: "seo & content",
      description:
        "Content marketing and organic search for SaaS: blog and content strategy, keyword research, search rankings and core updates, AI Overviews and AI answers, programmatic SEO, comparison pages, link building, refreshing old content.",
      examples: ["AI Overviews took a third of the clicks on our informational keywords, while comparison and alternatives pages kept their traffic."],
    },
    {
      label: "product-led growth",
      description:
        "Product-led growth (PLG) for SaaS: free trials and freemium, trial length and credit card requirements, onboarding, activation and time to value, free-to-paid conversion, product qualified leads, pricing pages and packaging.",
      examples: [
        "Removing the credit card from our free trial tripled signups, but trial-to-paid conversion fell and support tickets went through the roof.",
        "How do you define activation for a collaboration tool when inviting a teammate and creating documents predict retention equally well?",
      ],
    },
  ],
  voice: {
    persona: "A hands-on B2B SaaS growth marketer: direct, practical and friendly, contrarian when it helps, generous with specifics from real campaigns.",
    rules: [
      "Lead with one concrete point: a number, a tactic or a trade-off.",
      "Write like a peer in the replies, not a brand account; plain words, no jargon stacks.",
      "No hype words, no generic praise, no hashtags, no emoji.",
      "Never pitch or mention our product unless the post asks for tool recommendations.",
    ],
    good_examples: [
      "CPM usually isn't the bottleneck, creative fatigue is. We rotate three new hooks a week and judge them on cost per activated trial, not CTR.",
    ],
    bad_examples: ["Great post! Thanks for sharing this amazing insight!", "Love this! Check out our tool, it 10x'd our growth."],
  },
  sources: {
    favour_authors: ["lennysan", "aprildunford"],
    avoid_authors: ["growthhacks_daily"],
    avoid_keywords: ["giveaway", "airdrop", "trump"],
  },
  weights: { velocity: 0.35, relevance: 0.35, openness: 0.2, author: 0.1 },
  thresholds: { green: 0.6, yellow: 0.45 },
  generation: { model: "gemini-2.5-flash", temperature: 0.2 },
};

export const SECOND_PROJECT: ProjectSettings = {
  name: "Acme Coffee Roasters",
  languages: ["en"],
  reply_types: ["add_value", "ask_question", "relate"],
  topics: [
    { label: "home espresso", description: "Espresso at home: grinders, machines, dialing in, beans", examples: [] },
    { label: "specialty coffee", description: "Single origins, roast profiles, cafés and the coffee trade", examples: [] },
  ],
  voice: { persona: "warm, curious, a little nerdy about coffee", rules: ["no sales talk"], good_examples: [], bad_examples: [] },
  sources: { favour_authors: [], avoid_authors: [], avoid_keywords: ["giveaway"] },
  weights: { velocity: 0.35, relevance: 0.35, openness: 0.2, author: 0.1 },
  thresholds: { green: 0.6, yellow: 0.45 },
  generation: { model: "gemini-2.5-flash", temperature: 0.4 },
};

const TOPIC_WORDS: Record<string, string[]> = {
  "facebook ads": ["meta", "facebook", "ad set", "ads", "cpm", "cpa", "advantage+", "creative", "hook", "ugc", "pixel", "lookalike"],
  "cold email": ["cold email", "reply rate", "deliverability", "open tracking", "sequence", "outbound", "inbox", "spam", "first email"],
  "seo & content": ["seo", "blog", "content", "rank", "comparison page", "guest post", "keyword", "article", "search", "ebook"],
  "product-led growth": ["trial", "freemium", "free plan", "onboarding", "activation", "pricing page", "conversion", "signup", "upgrade", "tiers", "annual"],
};

export interface ScoredPost {
  post: DemoPost;
  velocity: number;
  relevance: number;
  openness: number;
  author: number;
  total: number;
  label: Label;
  topic: string | null;
  why: string;
  held: string | null;
}

function wholeWord(text: string, word: string): boolean {
  return new RegExp(`(^|[^a-z0-9])${word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}([^a-z0-9]|$)`, "i").test(text);
}

export function scorePost(post: DemoPost, settings: ProjectSettings): ScoredPost {
  const text = post.text.toLowerCase();
  const minutes = Math.max(1, post.minutesAgo);
  const perMinute = (post.likes + 2 * post.replies + 1.5 * post.retweets) / minutes;
  const velocity = Math.tanh((3 * perMinute) / Math.log10(Math.max(100, post.followers)));

  const hits = settings.topics
    .map((t) => {
      const words = TOPIC_WORDS[t.label] ?? t.label.split(/\s+/);
      const n = words.filter((w) => text.includes(w)).length;
      return { label: t.label, cos: n === 0 ? 0 : 0.12 + 0.07 * n };
    })
    .sort((a, b) => b.cos - a.cos);
  const best = hits[0]?.cos ?? 0;
  const second = hits[1]?.cos ?? 0;
  const mapped = (c: number) => 1 - Math.exp(-c / 0.15);
  const relevance = 0.8 * mapped(best) + 0.2 * (mapped(best) - mapped(second));
  const topic = best > 0 ? hits[0]!.label : null;

  let openness = 0.05;
  if (post.text.includes("?")) openness += 0.25;
  if (/^(what|why|how|who|which|when|is|are|does|do|should|can)\b/i.test(post.text.trim())) openness += 0.25;
  if (/\b(maybe|i think|curious|honest question|not sure)\b/i.test(post.text)) openness += 0.15;

  const handle = post.handle.toLowerCase();
  const author = settings.sources.avoid_authors.some((a) => a.toLowerCase() === handle)
    ? 0
    : settings.sources.favour_authors.some((a) => a.toLowerCase() === handle)
      ? 0.9
      : 0.6;

  const w: Weights = settings.weights;
  const sum = w.velocity + w.relevance + w.openness + w.author || 1;
  const total = (w.velocity * velocity + w.relevance * relevance + w.openness * openness + w.author * author) / sum;
  const label: Label = total >= settings.thresholds.green ? "green" : total >= settings.thresholds.yellow ? "yellow" : "red";

  let held: string | null = null;
  if (post.restricted) held = "the author limits who can reply";
  else if (settings.sources.avoid_authors.some((a) => a.toLowerCase() === handle)) held = "an author you avoid";
  else {
    const word = settings.sources.avoid_keywords.find((k) => wholeWord(post.text, k));
    if (word) held = `mentions "${word}"`;
  }

  const perHour = Math.round((post.likes / minutes) * 60);
  const parts = [`${perHour} likes/hour`, `${compact(post.followers)} followers`];
  if (topic) parts.push(`on ${topic} (${Math.round(relevance * 100)}%)`);
  if (velocity > 0.5) parts.push("taking off");
  if (openness >= 0.3) parts.push("asks a question");
  return { post, velocity, relevance, openness, author, total, label, topic, why: parts.join(" · "), held };
}

function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1).replace(/\.0$/, "")}M`;
  if (n >= 1e3) return `${Math.round(n / 1e3)}k`;
  return String(n);
}

/** Hand-written drafts for the posts most likely to be at the top of the queue. */
const WRITTEN: Record<string, Partial<Record<ReplyType, string>>> = {
  lennysan_reverse: {
    add_value:
      "We ran a reverse trial for 6 months: free-to-paid went from 3.1% to 4.4%, but only once the downgrade email listed exactly which paid features they'd used. The generic version did nothing.",
    ask_question:
      "Did the people you talked to measure conversion at day 14 or day 60? In our case the reverse trial looked worse early and better after two months.",
    debate:
      "Counterpoint: a reverse trial hides your free plan's real value for two weeks. If free is good enough, people just wait it out. It worked for us only after we made free noticeably smaller.",
    relate:
      "We tried one last spring. The hardest part wasn't the pricing logic, it was getting sales to stop calling people who were still on day 3 of the paid trial.",
    funny: "Reverse trials: the only time customers get a pay cut and still thank you for the experience.",
  },
  dtbrennan_tracking: {
    add_value:
      "Same move here in September. Inbox placement on Google went from 71% to 88% in three weeks, and replies are the metric that matters anyway. Losing opens hurt reporting more than results.",
    ask_question: "What are you giving clients instead of open rate on the weekly report? That's the part our account managers are nervous about.",
    relate: "We dropped open tracking last quarter and the only people who missed it were the ones building dashboards.",
  },
  plg_trial: {
    add_value:
      "Moved from 14 to 7 days last year: conversion flat, but sales cycle a week shorter. The catch: it only worked after onboarding got people to the first report on day one.",
    ask_question: "Did the teams that moved to 7 days also change onboarding, or only the trial length? I suspect the first is doing the work.",
    debate:
      "Trial length is the wrong dial for most teams. If activation happens on day 2, 7 and 30 days convert about the same; if it happens on day 10, no length saves you.",
    relate: "14 days, and every time we test 7 the finance team loves it and the support team hates it.",
  },
  outboundoli_rate: {
    add_value:
      "1.4% to VPs at mid-market is normal right now. Our last 20k sends averaged 1.1–1.8%. The 5% numbers usually count auto-replies and 'unsubscribe' as replies.",
    ask_question: "Is leadership's 5% counting positive replies only, or every reply including 'not interested'? That alone usually explains the gap.",
    debate:
      "Reply rate is the wrong thing to argue about with leadership. Meetings per 1,000 sends is what they actually care about, and it's much harder to fake.",
    funny: "5% reply rate to VPs is possible. You just have to email their assistants asking if the VP is alive.",
  },
  lennysan_checklists: {
    add_value:
      "In our data checklists moved activation only when each item did real setup (connect data, invite one teammate). Items like 'watch the tour' got ticked and changed nothing.",
    ask_question:
      "Curious whether you'll separate checklists that do the setup for you from ones that just point at features? They behave very differently in our numbers.",
    relate: "We removed our checklist for a month by accident. Activation didn't move. That told us more than any A/B test did.",
  },
  pricingpages_annual: {
    add_value:
      "It's a win if annual customers churn less than the 6% you lost. For us annual cut churn in half, so a 6% conversion dip paid for itself by month five.",
    debate:
      "I'd call it a loss until you know who the 6% were. If they were the small teams who'd have upgraded later, the default cost you more than it looks.",
    ask_question: "Did you look at refunds? Our annual-by-default test looked great until the 30-day refund requests came in.",
  },
};

function writtenKey(post: DemoPost): string | null {
  const t = post.text.toLowerCase();
  if (post.handle === "lennysan" && t.includes("reverse trial")) return "lennysan_reverse";
  if (post.handle === "dtbrennan" && t.includes("open tracking")) return "dtbrennan_tracking";
  if (post.handle === "plg_collective") return "plg_trial";
  if (post.handle === "outboundoli" && t.includes("reply rate")) return "outboundoli_rate";
  if (post.handle === "lennysan" && t.includes("checklist")) return "lennysan_checklists";
  if (post.handle === "pricingpages" && t.includes("annual")) return "pricingpages_annual";
  return null;
}

function genericDraft(type: ReplyType, topic: string | null): string {
  const on = topic ?? "this";
  switch (type) {
    case "add_value":
      return `What moved the needle for us on ${on}: one change at a time, measured on paying customers rather than clicks. Most of the "wins" we saw early disappeared by week four.`;
    case "ask_question":
      return `How are you measuring it? On ${on} we found the first two weeks told a very different story from the first two months.`;
    case "funny":
      return `Every ${on} playbook works perfectly right up until you try it on your own customers.`;
    case "debate":
      return `I'd push back a little: on ${on} the average hides everything. Split it by customer size and the answer usually flips.`;
    case "relate":
      return `We went through exactly this last quarter. The fix was boring and took longer than we wanted, but it stuck.`;
  }
}

let nextDraftId = 1;

export function draftsFor(post: DemoPost, topic: string | null, types: readonly ReplyType[], runId: number): Draft[] {
  const key = writtenKey(post);
  const written = key ? WRITTEN[key] : undefined;
  const drafts: Draft[] = [];
  types.forEach((type, i) => {
    const text = written?.[type] ?? (written ? undefined : genericDraft(type, topic));
    if (!text) return;
    // The browser preview's copy of the engine's link (crates/finder/src/review.rs reply_link).
    const reply_url = /^\d{1,20}$/.test(post.id) ? `https://x.com/intent/post?in_reply_to=${post.id}&text=${encodeURIComponent(text)}` : "";
    drafts.push({ id: nextDraftId++, reply_type: type, rank: i + 1, text, edited_text: null, review: "draft", reply_url });
  });
  void runId;
  return drafts;
}

export function buildOpportunities(projectId: number, settings: ProjectSettings, nowS: number, answeredRun: number | null): Opportunity[] {
  const out: Opportunity[] = [];
  for (const post of DEMO_POSTS) {
    const s = scorePost(post, settings);
    if (s.held) continue;
    const answered = answeredRun != null && s.label !== "red";
    out.push({
      project_id: projectId,
      tweet_id: post.id,
      url: `https://x.com/${post.handle}/status/${post.id}`,
      handle: post.handle,
      author_name: post.name,
      followers: post.followers,
      text: post.text,
      posted_at: nowS - post.minutesAgo * 60,
      likes: post.likes,
      replies: post.replies,
      retweets: post.retweets,
      views: post.views,
      status: "pending",
      label: s.label,
      topic: s.topic,
      why: s.why,
      total: s.total,
      velocity: s.velocity,
      relevance: s.relevance,
      openness: s.openness,
      author_score: s.author,
      run_id: answered ? answeredRun : null,
      drafts: answered ? draftsFor(post, s.topic, settings.reply_types, answeredRun) : [],
    });
  }
  return out;
}

/** How many sample posts a run with these settings would send, and how many are held back. */
export function demoPlan(settings: ProjectSettings, run: RunSettings): { send: number; held: number } {
  let send = 0;
  let held = 0;
  for (const post of DEMO_POSTS) {
    if (post.minutesAgo > run.hours_back * 60) continue;
    if (post.followers < run.min_followers || post.likes < run.min_likes) continue;
    const s = scorePost(post, settings);
    if (s.held && run.gate) {
      held++;
      continue;
    }
    if (!run.labels.includes(s.label)) continue;
    send++;
  }
  // The demo's 70 posts stand for a larger real import: scale so numbers look like a real day.
  const scale = 6;
  return { send: Math.min(run.max_candidates, send * scale), held: held * scale };
}

export const DEMO_PRICES: PriceRow[] = [
  ["gemini-2.5-pro", "1.25", "10.00", "0.125"],
  ["gemini-2.5-flash", "0.30", "2.50", "0.03"],
  ["gemini-2.5-flash-lite", "0.10", "0.40", "0.01"],
  ["gemini-2.0-flash", "0.10", "0.40", "0.025"],
  ["gemini-2.0-flash-lite", "0.075", "0.30", "0.075"],
  ["gemini-embedding-001", "0.15", "0.00", "0.15"],
].map(([model, input, output, cached]) => ({
  model: model!,
  input_usd_per_mtok: input!,
  output_usd_per_mtok: output!,
  cached_usd_per_mtok: cached!,
  source: "published 2026-09-20",
  effective_from: 0,
}));

export interface LedgerRow {
  day: string;
  project_id: number;
  project: string;
  model: string;
  calls: number;
  cost_picos: number;
  run_id: number | null;
  posts: number;
}

/** A deterministic pseudo-random generator, so the demo looks the same on every load. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Four weeks of runs across two projects, with their ledger rows. */
export function buildHistory(nowS: number, projects: Array<{ id: number; name: string }>): { runs: RunListing[]; ledger: LedgerRow[] } {
  const rand = seeded(42);
  const runs: RunListing[] = [];
  const ledger: LedgerRow[] = [];
  let runId = 1;
  for (let daysAgo = 27; daysAgo >= 0; daysAgo--) {
    const day = new Date((nowS - daysAgo * 86400) * 1000);
    const weekend = day.getDay() === 0 || day.getDay() === 6;
    if (weekend && rand() < 0.7) continue;
    for (const p of projects) {
      if (p.id !== 1 && rand() < 0.55) continue;
      const posts = Math.round((p.id === 1 ? 120 : 60) + rand() * (p.id === 1 ? 320 : 90));
      const model = rand() < 0.2 ? "gemini-2.5-flash-lite" : "gemini-2.5-flash";
      const perPost = model === "gemini-2.5-flash" ? 78e6 + rand() * 12e6 : 21e6 + rand() * 5e6; // picos
      const failed = rand() < 0.2 ? Math.round(rand() * 4) : 0;
      const done = posts - failed;
      const cost = Math.round(done * perPost);
      const embedCost = Math.round(posts * (1.2e6 + rand() * 0.4e6));
      const created = Math.round(nowS - daysAgo * 86400 - (10 + rand() * 6) * 3600);
      const status = daysAgo === 0 && p.id === 1 ? "interrupted" : "finished";
      const id = runId++;
      const interruptedDone = status === "interrupted" ? Math.round(done * 0.62) : done;
      const runCost = status === "interrupted" ? Math.round(cost * 0.62) : cost;
      runs.push({
        run_id: id,
        project: p.name,
        status,
        created_at: created,
        posts,
        done: interruptedDone,
        failed: status === "interrupted" ? 0 : failed,
        cost_picos: runCost + embedCost,
      });
      const iso = isoLocal(created);
      ledger.push({
        day: iso,
        project_id: p.id,
        project: p.name,
        model,
        calls: Math.ceil(interruptedDone / 1),
        cost_picos: runCost,
        run_id: id,
        posts: interruptedDone,
      });
      ledger.push({
        day: iso,
        project_id: p.id,
        project: p.name,
        model: "gemini-embedding-001",
        calls: Math.ceil(posts / 100),
        cost_picos: embedCost,
        run_id: id,
        posts: 0,
      });
    }
  }
  return { runs: runs.reverse(), ledger };
}

export function isoLocal(unixS: number): string {
  const d = new Date(unixS * 1000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

export function demoLogLines(nowS: number): string[] {
  const t = (offset: number) => new Date((nowS - offset) * 1000).toISOString();
  return [
    `${t(5400)}  INFO app: started version=0.1.0 data_dir="~/.local/share/app.commentfinder"`,
    `${t(5399)}  INFO store: opened database path="comment-finder.db" schema=2 wal=true`,
    `${t(5200)}  INFO keys: gemini key checked models=42 latency_ms=318`,
    `${t(4800)}  INFO import: file read format=apify_json added=187 updated=15 skipped=3 ms=41`,
    `${t(4700)}  INFO run{id=27}: planned posts=150 held_back=23 requests=150 forecast_usd=0.0121`,
    `${t(4690)}  INFO run{id=27}: started batch_size=5 per_request=1 model=gemini-2.5-flash rpm=10`,
    `${t(4400)}  WARN run{id=27}: gemini asked to slow down retry_after_s=6.2 quota=GenerateRequestsPerMinutePerProjectPerModel-FreeTier`,
    `${t(4390)}  INFO run{id=27}: resumed after pause waited_s=6.2`,
    `${t(3900)}  INFO run{id=27}: app closed while running done=93 queued=57`,
    `${t(1200)}  INFO app: started version=0.1.0`,
    `${t(1199)}  INFO run{id=27}: marked interrupted, can resume remaining=57`,
    `${t(600)}  INFO export: csv written rows=42 marked_exported=42 path="~/Documents/today.csv"`,
    `${t(60)}  INFO costs: month to date usd=1.84 budget_usd=5.00`,
  ];
}
