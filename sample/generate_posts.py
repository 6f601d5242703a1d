#!/usr/bin/env python3
"""Generate sample/posts.json: bundled sample X posts for the "B2B SaaS growth" sample project.

Output is in the Apify `apidojo/tweet-scraper` item format. Everything is made up (people,
brands, numbers) except the two favoured handles the sample project names. The texts are
hand-written below; only times, ids and engagement numbers are generated, from a fixed seed,
so re-running this script gives byte-identical output.

    python3 sample/generate_posts.py            # writes sample/posts.json next to this file

All createdAt values fall between 2026-11-27T20:00:00Z and 2026-11-28T12:00:00Z; the app's
loader shifts them so the newest post is "now".
"""

import json
import math
import random
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

SEED = 20261128
NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=timezone.utc)  # end of the window
WINDOW_H = 16.0  # window starts 2026-11-27T20:00:00Z
TWITTER_EPOCH_MS = 1288834974657

# ---------------------------------------------------------------------------------------------
# Authors: handle -> (display name, followers, following, isVerified, isBlueVerified,
#                     engagement multiplier, bio)
# ---------------------------------------------------------------------------------------------
AUTHORS = {
    # large accounts
    "saasnewsroom": ("SaaS Newsroom", 2_480_000, 312, True, False, 0.12,
                     "Daily news for people who build, buy and sell software. Tips: DMs open."),
    "kickoffdaily": ("Kickoff Daily", 1_150_000, 840, True, False, 0.5,
                     "Scores, goals and hot takes from every league that matters (and some that don't)."),
    "lennysan": ("Lenny", 820_000, 1_450, False, True, 0.9,
                 "Writing about product, growth and careers. Weekly newsletter + podcast."),
    "the_growth_ledger": ("The Growth Ledger", 610_000, 203, False, True, 0.6,
                          "Benchmarks and teardowns for B2B SaaS growth teams. Data > vibes."),
    "chefnomadkai": ("Kai Moreno", 415_000, 980, False, True, 0.8,
                     "Cook. Noodle obsessive. Recipes that take too long and are worth it."),
    "marisol_okafor": ("Marisol Okafor", 342_000, 1_120, False, True, 1.0,
                       "Ex-VP Growth x2 (PLG, dev tools). Now advising. I write about activation and pricing."),
    "dtbrennan": ("Dan Brennan", 188_000, 2_310, False, True, 1.0,
                  "Outbound for B2B SaaS since before it was cool. Founder @ a small cold email agency."),
    "aprildunford": ("April Dunford", 160_000, 1_870, False, True, 1.0,
                     "Positioning, messaging and go-to-market for B2B tech. Author. Speaker."),
    "growthhacks_daily": ("Growth Hacks Daily \U0001F680", 143_000, 7_900, False, True, 0.25,
                          "\U0001F680 Daily growth hacks that 10x your startup | \U0001F4E9 DM for promos | Not financial advice"),
    # mid-size
    "serpwatcher": ("SERP Watcher", 88_000, 410, False, True, 0.7,
                    "Tracking Google rankings volatility so you don't have to. Updates when things move."),
    "creativestrat_li": ("Li Wen", 71_500, 690, False, True, 1.0,
                         "Creative strategist for paid social. Hooks, angles, testing. B2B + DTC."),
    "plg_collective": ("PLG Collective", 67_800, 1_020, False, True, 0.7,
                       "Community for product-led growth practitioners. Benchmarks, AMAs, job board."),
    "cryptomoonshotz": ("MoonShotz \U0001F315", 58_000, 4_900, False, True, 0.15,
                        "Next 100x gems before they moon \U0001F680 NFA DYOR \U0001FA82 airdrops daily"),
    "seo_sundeep": ("Sundeep Arora", 54_300, 1_730, False, True, 1.0,
                    "SEO + content lead for B2B SaaS. Ex-agency. Posting experiments and what broke."),
    "paidsocialpriya": ("Priya Venkataraman", 48_200, 1_310, False, True, 1.0,
                        "Head of Paid @ a B2B SaaS scale-up. Meta, LinkedIn, attribution headaches."),
    "hoopsmathguy": ("Marcus Dell", 41_000, 770, False, False, 0.9,
                     "Basketball analytics, mostly shot charts and complaining about refs."),
    "activation_amy": ("Amy Tran", 36_400, 880, False, True, 1.0,
                       "Product growth @ a collaboration tool. Onboarding, activation, retention."),
    "inboxplacement": ("Tomasz Wierzbicki", 31_000, 540, False, True, 1.0,
                       "Email deliverability consultant. SPF/DKIM/DMARC nerd. Your emails are in spam."),
    "contentcalder": ("Nora Calder", 27_600, 1_460, False, True, 1.0,
                      "Content lead. Editing is the job. Writing about B2B content that actually converts."),
    "adsbyjonah": ("Jonah Feld", 23_900, 1_050, False, True, 1.0,
                   "Media buyer for SaaS + apps. Meta, Google, a lot of spreadsheets."),
    "pricingpages": ("Felix Adeyemi", 22_100, 620, False, True, 1.0,
                     "Pricing page teardowns every week. Packaging and monetisation for SaaS."),
    "founder_fatima": ("Fatima Rahal", 19_400, 930, False, True, 1.0,
                       "Founder of a tiny B2B SaaS for logistics teams in the Gulf. Dubai / remote."),
    "outboundoli": ("Oliver Hartigan", 18_700, 1_240, False, True, 1.0,
                    "Head of Outbound. SDR team builder. Opinions on sequences, mostly negative."),
    "programmatic_pete": ("Pete Lindqvist", 14_900, 480, False, False, 1.0,
                          "Programmatic SEO + data-driven content. Stockholm."),
    "localpolitics_pat": ("Pat Osei", 12_800, 1_900, False, False, 0.8,
                          "Local government reporter. Council meetings so you don't have to."),
    "roasreality": ("ROAS Reality", 12_400, 350, False, True, 1.0,
                    "Anonymous media buyer. What the dashboards don't tell you."),
    "b2b_benji": ("Benji Marsden", 11_300, 1_480, False, True, 1.0,
                  "Building a dev tool. Bootstrapped, 2 people, 1 dog. Sharing numbers."),
    # smaller
    "replyrate_rita": ("Rita Castellanos", 9_800, 760, False, True, 1.0,
                       "Cold email copywriter. Short emails, long lists of rules."),
    "indiehacker_ines": ("In\u00e8s Marchand", 9_100, 1_130, False, True, 1.0,
                         "Solo founder, tiny SaaS, $14k MRR. Building in public from Lyon."),
    "alvaro_growth": ("\u00c1lvaro Ben\u00edtez", 8_600, 990, False, False, 1.0,
                      "Growth y outbound para SaaS B2B. Madrid."),
    "yuki_growth": ("Yuki Sato", 7_900, 610, False, False, 1.0,
                    "SaaSのグロース担当。オンボーディングと料金設計について書いています。"),
    "f1_fernanda": ("Fernanda Costa", 7_300, 520, False, False, 1.0,
                    "Motorsport photographer. Paddock stories and bad pit-lane coffee."),
    "dtc_to_b2b": ("Hannah Pryce", 6_700, 840, False, True, 1.0,
                   "Paid social. 6 yrs DTC, now B2B SaaS. Still adjusting to 47-day sales cycles."),
    "saas_sara_k": ("Sara Kim", 6_100, 590, False, True, 1.0,
                    "Product analytics @ a PLG SaaS. Funnels, cohorts, arguing about definitions."),
    "techwriter_tess": ("Tess Maguire", 5_900, 720, False, False, 1.0,
                        "Technical writer turned content marketer. Docs are marketing."),
    "jana_vogt_seo": ("Jana Vogt", 5_200, 430, False, False, 1.0,
                      "SEO f\u00fcr SaaS im DACH-Raum. Berlin."),
    "rafa_outbound": ("Rafael Nogueira", 4_800, 870, False, False, 1.0,
                      "Outbound e vendas B2B. S\u00e3o Paulo."),
    "ceciliaruns_ads": ("Cecilia Ruiz", 4_300, 650, False, False, 1.0,
                        "Paid media para SaaS en LatAm. Ciudad de M\u00e9xico."),
    "revops_ray": ("Ray Donnelly", 3_900, 1_020, False, True, 1.0,
                   "RevOps. I make the CRM tell the truth, eventually."),
    "lukas_plg": ("Lukas Brandt", 3_600, 380, False, False, 1.0,
                  "Growth PM, B2B SaaS, M\u00fcnchen. Freemium-Skeptiker."),
    "jazzhands_june": ("June Albright", 3_400, 410, False, False, 1.0,
                       "Jazz trumpet, bad puns, good coffee."),
    "coldcallcolin": ("Colin Mabry", 3_100, 960, False, True, 1.0,
                      "Founder-led sales coach. Cold email, cold calls, warm takes."),
    "mediabuyer_max": ("Max Kowalczyk", 2_900, 700, False, False, 1.0,
                       "Freelance media buyer. Meta ads for SaaS and apps. Warsaw."),
    "onboarding_oscar": ("Oscar Lind", 2_700, 560, False, False, 1.0,
                         "Product designer. First-run experiences and empty states."),
    "kenji_seo": ("Kenji Morimoto", 2_400, 300, False, False, 1.0,
                  "SaaS企業でSEOとコンテンツを担当しています。"),
    "airdrop_alerts_x": ("Airdrop Alerts \U0001FA82", 2_300, 5_100, False, False, 0.2,
                         "Fastest airdrop alerts on X. Turn on notifications \U0001F514"),
    "sourdough_sid": ("Sid Farrow", 2_200, 340, False, False, 1.0,
                      "Bread, mostly. Sometimes pizza. Occasionally regret."),
    "bia_midia": ("Beatriz Lima", 2_100, 480, False, False, 1.0,
                  "M\u00eddia paga para SaaS. Meta Ads, testes e planilhas."),
    "sdr_sam": ("Sam Oyelaran", 1_800, 640, False, False, 1.0,
                "SDR, year one. Learning in public. Coffee-powered."),
    "linkbuilder_lou": ("Lou Pereira", 1_600, 900, False, False, 1.0,
                        "Link building and digital PR for SaaS. Anti-PBN."),
    "growth_gabe": ("Gabe Whitford", 1_300, 410, False, False, 1.0,
                    "Growth marketer. Dad. Mostly jokes about attribution."),
    "weekendwarrior_wes": ("Wes Tan", 1_100, 300, False, False, 1.0,
                           "Lifting, running, eating. In that order."),
    "brass_and_bytes": ("Theo Quinn", 870, 260, False, False, 1.0,
                        "Backend dev by day, trumpet by night. Neighbours not consulted."),
    "bootstrapped_bo": ("Bo Lindgren", 620, 410, False, False, 1.0,
                        "Bootstrapping a scheduling tool for clinics. Month 19."),
    "free_leads_now": ("Free Leads Now", 520, 4_800, False, False, 0.1,
                       "\U0001F4C8 Verified B2B leads | Growth tools | DM for deals"),
    "nomad_nadia": ("Nadia Costa", 450, 390, False, False, 1.0,
                    "Remote designer. Currently: wherever the wifi is."),
    "ad_spam_hub": ("Ads Hub", 310, 3_900, False, False, 0.1,
                    "Best marketing templates & tools \U0001F447"),
    "mktg_intern_zoe": ("Zoe Park", 180, 420, False, False, 1.0,
                        "marketing intern. learning everything at once."),
    "seo_tools_deals": ("SEO Deals", 95, 2_100, False, False, 0.1,
                        "Daily SEO tool deals and discounts"),
    "new_to_saas_ed": ("Ed Hollis", 40, 120, False, False, 1.0,
                       "cofounder, tiny startup. trying to figure out marketing."),
}

# ---------------------------------------------------------------------------------------------
# Posts. P(topic, author, text, **options). Topics: fb, email, seo, plg, off.
# Options: key (name for references), lang, rt (key of retweeted post), quote (key), reply (key),
#          ctrl (isConversationControlled), eng ("dead" | "viral" | "low" | dict of counts),
#          age (hours before 12:00Z, fixed), rr (reply ratio override), sensitive
# ---------------------------------------------------------------------------------------------
POSTS = []


def P(topic, author, text, **kw):
    POSTS.append(dict(topic=topic, author=author, text=text, **kw))


# ----- facebook ads ---------------------------------------------------------------------------
P("fb", "paidsocialpriya", "Advantage+ for B2B SaaS: ran it for 6 weeks on a $40k/mo account. CPL dropped 22%, but demo-to-SQL rate fell off a cliff. Cheap leads are not the same as pipeline.")
P("fb", "adsbyjonah", "What's everyone seeing on Meta CPMs this week? We're up ~38% vs early November on US cold audiences and I can't tell how much is Black Friday bleed vs our creative getting tired.", key="jonah_cpm")
P("fb", "creativestrat_li", "Hot take: your Meta ad account doesn't have a targeting problem. It has a \"we've run the same 4 static images since August\" problem.")
P("fb", "roasreality", "Attribution reality check from a client call this morning:\n\nMeta reported: 214 trials\nGA4: 131\nStripe (paid within 14 days): 38\n\nAll three numbers are \"true\". Only one of them pays salaries.")
P("fb", "mediabuyer_max", "Why does Meta keep pushing 70% of the budget into the one ad set I built as a test with the worst hook? Is there a setting I'm missing or is this just the algorithm being the algorithm?")
P("fb", "dtc_to_b2b", "Came from DTC into B2B SaaS paid social. Biggest adjustment: 7-day click attribution is basically fiction when your sales cycle is 47 days. I think we need to optimise for a much earlier signal, maybe activated trial, and just accept the noise.")
P("fb", "the_growth_ledger", "We analysed 1,800 B2B SaaS ads on Meta that ran for 90+ days. The long-runners had 3 things in common:\n\n1. A human face in the first frame\n2. A specific number in the hook\n3. Zero product UI before second 6\n\nThread \U0001F9F5", key="ledger_ads", eng="viral")
P("fb", "paidsocialpriya", "Broad targeting + strong creative beats lookalikes in almost every test we run now. The one exception: retargeting pricing-page visitors. That audience still prints money.")
P("fb", "creativestrat_li", "UGC-style ads for B2B software feel weird until you test them. Our founder filming on his phone in a parked car beat the $12k studio video on cost per demo by 3.1x.")
P("fb", "adsbyjonah", "Conversions API question for anyone running SaaS trials: do you send trial_start server-side only, or pixel + CAPI with dedup? Our event match quality is stuck at 5.8 and I'm out of ideas.", key="jonah_capi")
P("fb", "roasreality", "Probably an unpopular opinion, but a \"learning limited\" ad set is fine if it's profitable. Stop restructuring the whole account every time Ads Manager shows you a yellow warning.")
P("fb", "mediabuyer_max", "Friday spend review done. Killed 11 ads, scaled 2, and once again the winner was the ugly one I almost didn't launch \U0001F643")
P("fb", "dtc_to_b2b", "How are you all handling lead form quality on Meta? Instant forms give us $19 leads and 60% of them are fake emails or students. Switching to higher intent helped a bit but halved volume.")
P("fb", "b2b_benji", "Spent $3,200 on Facebook ads for our dev tool. Got 1 customer.\nSpent $0 answering questions in a Discord for 3 weeks. Got 9.\n\nNot saying Meta can't work for B2B. Saying I don't know how to make it work for us. Yet.")
P("fb", "creativestrat_li", "Creative fatigue is real but people diagnose it way too early. If frequency is under 2.5 and CTR is sliding, it's probably the audience, not the ad.", key="li_fatigue")
P("fb", "paidsocialpriya", "Honest question: is anyone getting good results from Meta ads for $50k+ ACV products? Everything I read seems to be about $29/mo self-serve tools.")
P("fb", "saasnewsroom", "Advertisers report a redesigned Advantage+ campaign setup in Meta Ads Manager this week, folding manual and automated options into a single flow. Existing campaigns appear unaffected for now. https://t.co/kX3vP9sQ2d")
P("fb", "mediabuyer_max", "RT @creativestrat_li: Creative fatigue is real but people diagnose it way too early. If frequency is under 2.5 and CTR is sliding, it's probably the audience, not the ad.", rt="li_fatigue")
P("fb", "growthhacks_daily", "\U0001F6A8 This ONE Facebook Ads trick cut our CPA by 83% overnight (Meta doesn't want you to know this)\n\nReply \"ADS\" and I'll DM you the full playbook \U0001F447", rr=1.6)
P("fb", "roasreality", "Q4 lesson I relearn every year: don't launch new creative tests in Black Friday week. CPMs spike, the data is garbage, and you end up killing winners for the wrong reasons.", ctrl=True)
P("fb", "adsbyjonah", "Testing setup that finally stuck for us on Meta:\n- 1 campaign, broad\n- 3 new concepts a week\n- 3 hooks per concept\n- judged on cost per activated trial after 5 days, not CTR\n\nBoring. Works.")
P("fb", "dtc_to_b2b", "I wonder if the \"Meta doesn't work for B2B\" crowd is mostly running ads that would also fail on LinkedIn, just cheaper.")
P("fb", "bia_midia", "Algu\u00e9m mais percebeu o CPM do Meta subindo muito nesta semana? Aqui no Brasil estamos vendo quase o dobro em p\u00fablicos amplos. Vale a pena pausar as campanhas at\u00e9 dezembro?", lang="pt")
P("fb", "ceciliaruns_ads", "\u00bfAlguien est\u00e1 usando Advantage+ para SaaS B2B en Latinoam\u00e9rica? Nos baja el costo por lead, pero la calidad es bastante peor. \u00bfC\u00f3mo lo est\u00e1n midiendo ustedes?", lang="es")
P("fb", "new_to_saas_ed", "first time running facebook ads for our startup. is $20 a day enough to learn anything or am i just burning money", eng="dead")
P("fb", "mktg_intern_zoe", "my manager asked me to \"fix the pixel\" and i have been staring at events manager for 3 hours. what does deduplicated even mean here \U0001F62D")
P("fb", "creativestrat_li", "Three hook formats still winning for SaaS on Meta right now:\n\n\"You're paying for X. You're using Y.\"\n\"We replaced [tool] with a spreadsheet. Then we replaced the spreadsheet.\"\n\"Your [role] is doing this by hand right now.\"")
P("fb", "ad_spam_hub", "\U0001F525 Meta ads templates \U0001F449 https://t.co/Qm7vX2pLkd #FacebookAds #marketing", eng={"likeCount": 1, "replyCount": 0, "retweetCount": 0})
P("fb", "free_leads_now", "GIVEAWAY \U0001F381 We're auditing 5 Facebook ad accounts for FREE. Like + RT + follow + tag 2 friends to enter. Winners announced Monday! #giveaway #FacebookAds", rr=0.8)
P("fb", "paidsocialpriya", "This matches what we saw. Creative explained more of the variance in our CPA than any audience setting we tested, and it wasn't close.", quote="ledger_ads")
P("fb", "dtc_to_b2b", "@adsbyjonah we send both with event_id dedup. Match quality went from 5.9 to 8.1 once we started passing hashed email + external_id from the trial signup.", reply="jonah_capi")
P("fb", "roasreality", "Incrementality test results: turning off Meta retargeting for 4 weeks cut trials by... 6%. We were spending 31% of the budget there. Make of that what you will.")
P("fb", "the_growth_ledger", "Meta CPMs for the B2B SaaS accounts we track (US, broad audiences):\nJul $14.20\nAug $15.10\nSep $16.80\nOct $19.40\nNov $26.90\n\nPlan your January budgets accordingly. #PaidSocial")
P("fb", "adsbyjonah", "Maybe the move for small SaaS budgets is to stop using Meta for cold acquisition entirely and only retarget people who already read your blog. Anyone tried that split?")
P("fb", "growth_gabe", "Why is every Facebook ads course taught by someone whose main business is selling Facebook ads courses?")
P("fb", "marisol_okafor", "When a PLG company says \"paid doesn't work for us\", 8 times out of 10 they're sending paid traffic to a homepage written for people who already know the brand.")
P("fb", "mediabuyer_max", "Dynamic creative vs the flexible ad format: has anyone run a clean test yet? Feels like flexible is just DCO with extra steps, but happy to be wrong.")
P("fb", "dtc_to_b2b", "Small win: moved our Meta optimisation event from Lead to Trial Activated (day 2) via CAPI. CPA went up 40%. Cost per paying customer went down 28%. The patience was the hard part.")
P("fb", "paidsocialpriya", "Creative brief template I give designers for Meta:\n\nWho is scrolling\nWhat they believe right now\nWhat we want them to believe\nThe proof\nOne line they'd screenshot\n\nBrand guidelines are not on page one. Ever.")
P("fb", "bootstrapped_bo", "Ran Meta ads to our pricing page for a week. 1,400 clicks, 0 signups. Probably the page, right?", eng="low")
P("fb", "roasreality", "Interest targeting in 2026 is mostly a vibe. Same creative, \"SaaS founders\" interests vs fully broad: broad won on CPA by 19%, and on lead quality it was a coin flip.")
P("fb", "mediabuyer_max", "Client asked why their Meta CPA doubled in a week. Checked the account: someone had duplicated every ad set \"to scale\" and now they're bidding against themselves six times over.")

# ----- cold email -----------------------------------------------------------------------------
P("email", "dtbrennan", "Cold email benchmarks from 4.1M emails we sent in 2026:\n\nAverage reply rate: 2.9%\nTop 10% of campaigns: 9.4%\nWhat separated them: not the copy. List quality. Every time.\n\nSpend 80% of your time on the list.", key="dan_bench", eng="viral")
P("email", "inboxplacement", "PSA: if you're still sending cold email from your primary domain, stop today. One bad week and your invoices start landing in spam too.")
P("email", "outboundoli", "What's a realistic cold email reply rate to VP-level at mid-market SaaS right now? We're at 1.4% and leadership thinks 5% is \"normal\". I think they read a LinkedIn post.", key="oli_rate")
P("email", "replyrate_rita", "The \"I noticed you're hiring SDRs\" opener is dead. Every VP Sales I know gets 30 of those a week. Personalisation that anyone with a scraper can do isn't personalisation.")
P("email", "coldcallcolin", "Why do sequences still default to 7 steps? Most of our replies come from email 1 and email 3. Steps 5 to 7 mostly generate unsubscribes and spam complaints.")
P("email", "inboxplacement", "Deliverability checklist before you send a single cold email:\n\u2705 SPF, DKIM, DMARC (p=none is fine to start)\n\u2705 separate sending domains\n\u2705 2-3 inboxes per domain, max\n\u2705 ~30 sends/day per inbox\n\u2705 no tracking pixel on email 1\n\u2705 plain text")
P("email", "sdr_sam", "Booked my first meeting from cold email today \U0001F389 took 212 emails and a lot of rewrites. The one that worked was 3 sentences long.")
P("email", "dtbrennan", "I think AI-written \"personalised\" first lines are making cold email worse, not better. Prospects can smell \"I loved your recent post about leadership\" from a mile away.")
P("email", "revops_ray", "Hot take: open rates have been meaningless since Apple's mail privacy changes, and people still A/B test subject lines on them. Measure positive replies or don't bother measuring.")
P("email", "outboundoli", "How are people handling the big inbox providers' bulk sender rules with cold outbound? We're well under 5k/day per domain but spam rate crept to 0.28% last week and I'm nervous.", key="oli_spam")
P("email", "replyrate_rita", "Cold email that got a 14% reply rate for a client last month, structure only:\n\nLine 1: a specific observation about their site (not their LinkedIn)\nLine 2: what that usually costs teams like theirs\nLine 3: one question they can answer with yes or no\n\nNo calendar link.", key="rita_struct")
P("email", "coldcallcolin", "Stop blowing your own trumpet in the first email. Nobody cares that you're \"the leading AI-powered platform\". They care whether you understand what their Tuesday looks like.")
P("email", "rafa_outbound", "Cold email no Brasil \u00e9 outra hist\u00f3ria: a taxa de resposta em portugu\u00eas \u00e9 quase o dobro da em ingl\u00eas para o mesmo p\u00fablico. Algu\u00e9m tem dados parecidos?", lang="pt")
P("email", "alvaro_growth", "Despu\u00e9s de 6 meses haciendo cold email para SaaS en Espa\u00f1a: los correos de 50-70 palabras tienen el doble de respuestas que los de 150. Menos es m\u00e1s, de verdad.", lang="es")
P("email", "growthhacks_daily", "Cold email is DEAD \u2620\ufe0f\n\nUnless you use this 3-line template that books 47 meetings a week.\n\nLike + comment \"TEMPLATE\" and I'll send it (must be following)", rr=1.8)
P("email", "dtbrennan", "We're retiring open tracking across all client campaigns from December. Tracking pixels cost more deliverability than the data is worth. Not debating this one, just sharing.", ctrl=True)
P("email", "b2b_benji", "Maybe cold email works better for dev tools than people think? We sent 300 emails to engineering managers: a 2-line note and a link to the repo. 11 replies, 4 trials. Tiny sample, but not nothing.")
P("email", "sdr_sam", "is it normal for managers to want 150 cold emails a day sent manually? asking for me")
P("email", "revops_ray", "Your cold email \"personalisation\" should come from your CRM, not their LinkedIn. \"You joined our webinar in March and your team has doubled since\" beats any compliment about their podcast.")
P("email", "outboundoli", "RT @dtbrennan: Cold email benchmarks from 4.1M emails we sent in 2026:\n\nAverage reply rate: 2.9%\nTop 10% of campaigns: 9.4%\nWhat separated them: not the copy. List quality. Every time.", rt="dan_bench")
P("email", "inboxplacement", "Seeing a lot of corporate Outlook inboxes silently dropping cold email this month. Not the spam folder: just gone. Seed tests look clean, real replies fell 40%. Anyone else?")
P("email", "replyrate_rita", "What do you write in the breakup email? Ours currently says \"Should I close your file?\" and honestly I hate it.")
P("email", "free_leads_now", "Verified B2B emails \U0001F449 https://t.co/Lk29sPxw0r #leadgen #coldemail", eng={"likeCount": 0, "replyCount": 0, "retweetCount": 1})
P("email", "coldcallcolin", "A cold email is a tiny landing page. One message, one ask, one reason to believe. Most of the ones I receive have four asks and no reason.")
P("email", "dtbrennan", "@outboundoli 0.28% is inside the line but trending the wrong way. Check which inboxes it comes from. Usually 1-2 inboxes sending to a stale list drag the whole domain down.", reply="oli_spam")
P("email", "mktg_intern_zoe", "how do you find someone's work email without paying for 4 different tools lol", eng="low")
P("email", "the_growth_ledger", "Cold email reply rate by length (B2B SaaS, 212k sends):\n<50 words: 4.1%\n50-100: 3.3%\n100-150: 2.2%\n150+: 1.1%\n\nShorter isn't always better. It usually is.")
P("email", "outboundoli", "Anyone using third-party intent data to time cold emails and actually seeing lift? Vendors swear by it. Our tests say maybe 10-15%, which might just be noise.")
P("email", "revops_ray", "Cold email + a 40-second screen recording of their actual onboarding flow = the highest reply rate we've ever had (11%). Also the most time-consuming thing we've ever done. Trade-offs.")
P("email", "replyrate_rita", "Agree with most of this, but \"no calendar link, ever\" is too strong. For warm-ish lists a link gets more meetings. For truly cold, yes, leave it out.", quote="dan_bench")
P("email", "sdr_sam", "Honest question for the SDR crowd: do you think cold email will still exist in 3 years, or will every inbox have an AI filter that eats it?")
P("email", "coldcallcolin", "I believe the best cold subject lines look like internal emails. \"quick q about onboarding\" beats \"Unlock 3x pipeline with AI\" every single time.")
P("email", "inboxplacement", "Warmup tools are mostly theatre. Real engagement from real humans is what builds sender reputation. Send fewer, better emails to people who might actually reply.")
P("email", "dtbrennan", "Why does every cold email agency promise meetings but nobody publishes show-up rates? Ours is 71% this quarter. I suspect the industry number is a lot lower.")
P("email", "growth_gabe", "sent a cold email with a typo in the prospect's company name. got a reply: \"at least I know you're human\". booked the call. this is not a strategy.")
P("email", "founder_fatima", "Cold email tip for the Gulf market: an Arabic subject line on an English body doubled our reply rate. The winner was simply \u00ab\u0633\u0624\u0627\u0644 \u0633\u0631\u064a\u0639\u00bb (quick question). Localise more than you think you need to.")
P("email", "outboundoli", "\"Signal-based outbound\" is just \"do your homework before you email someone\" with a new name and a SaaS price tag.")
P("email", "revops_ray", "We tracked 600 deals sourced from cold email. Median time from first reply to closed-won: 64 days. If you judge outbound on a 30-day window you'll kill it every time.")
P("email", "new_to_saas_ed", "does anyone have a cold email template for reaching out to small accounting firms? tried 3 and got nothing back", eng="dead")
P("email", "bootstrapped_bo", "Cold email got us to our first $10k MRR. Nobody wants to hear that. Everyone wants the viral tweet origin story.")
P("email", "free_leads_now", "We're doing a giveaway \U0001F389 3 free months of our inbox warmup tool for 3 lucky winners. Follow + RT + reply \"warm\" to enter!", rr=0.9)
P("email", "rafa_outbound", "Quantos follow-ups voc\u00eas fazem em cold email? Aqui paramos no terceiro e a taxa de resposta n\u00e3o caiu nada.", lang="pt", eng="low")

# ----- seo & content --------------------------------------------------------------------------
P("seo", "seo_sundeep", "AI Overviews have taken ~34% of clicks from our top 50 informational keywords since spring. Commercial keywords? Barely touched. If your content strategy is \"rank for definitions\", it's time to rethink.", key="sundeep_aio")
P("seo", "serpwatcher", "Big ranking volatility today across SaaS comparison pages (\"X vs Y\", \"X alternatives\"). Biggest swings we've tracked since the August core update. Anyone seeing drops?")
P("seo", "contentcalder", "Unpopular opinion: most B2B SaaS blogs would perform better if they published 70% less and spent the time updating what already ranks.")
P("seo", "programmatic_pete", "Programmatic SEO post-mortem: we launched 12,000 integration pages. 9,400 were never indexed. The 300 that drive 80% of signups have one thing in common: a real screenshot and a real use case instead of a template paragraph.", key="pete_pm")
P("seo", "techwriter_tess", "How do you brief freelance writers on technical SaaS topics without writing the whole thing yourself? Every brief I write ends up longer than the article.", key="tess_brief")
P("seo", "seo_sundeep", "How we got a 3-person SaaS to 140k organic visits a month without a single \"ultimate guide\" \U0001F9F5\n\n1/ We started with sales call transcripts, not keyword tools.")
P("seo", "linkbuilder_lou", "Maybe guest posting still works, but I think the sites accepting guest posts in 2026 are exactly the ones Google stopped trusting.")
P("seo", "contentcalder", "What's your content team's north star metric? \"Traffic\" feels wrong, \"signups attributed to the blog\" feels gameable, \"pipeline influenced\" feels like magic. Genuinely curious.")
P("seo", "serpwatcher", "The November core update has finished rolling out according to Google's status page. Expect rankings to keep settling for another week or two before you draw conclusions.", ctrl=True)
P("seo", "kenji_seo", "AIによる検索結果の要約が増えてから、うちのSaaSブログの流入が3割ほど減りました。皆さんはどう対策していますか？比較記事や導入事例に力を入れるべきでしょうか。", lang="ja")
P("seo", "jana_vogt_seo", "Programmatic SEO auf Deutsch ist schwieriger als gedacht: kleine Suchvolumina, und die Komposita machen jedes Template kaputt. Hat jemand damit gute Erfahrungen gemacht?", lang="de")
P("seo", "growthhacks_daily", "SEO is changing FAST \U0001F92F\n\nI used AI to write 500 blog posts in 1 weekend and traffic went \U0001F4C8\U0001F4C8\U0001F4C8\n\nHere's the exact prompt (bookmark this) \U0001F447\n#SEO #AI #growthhacking")
P("seo", "seo_tools_deals", "#SEO audit tool 50% off \U0001F449 https://t.co/Zx81mQaPo2 @seo_pro_tips #deals", eng="dead")
P("seo", "techwriter_tess", "Docs are the most underrated SEO asset in SaaS. Our API reference pages bring in more trial signups than the whole blog, and nobody on the marketing team has ever touched them.")
P("seo", "indiehacker_ines", "Wrote one very specific post (\"how to export X data to Y without losing custom fields\") 14 months ago. It still brings 6-8 signups a week. Every thought-leadership piece since: zero.")
P("seo", "the_growth_ledger", "Share of B2B SaaS blog traffic coming from Google, median across 140 companies we track:\n2023: 71%\n2024: 66%\n2025: 58%\n2026: 49%\n\nThe rest isn't all going to AI chat. Most of it is going to communities and newsletters.")
P("seo", "programmatic_pete", "Why does everyone assume programmatic SEO means thin pages? Ours are generated from a database, but every page has data nobody else has. That's the whole trick.")
P("seo", "contentcalder", "RT @seo_sundeep: AI Overviews have taken ~34% of clicks from our top 50 informational keywords since spring. Commercial keywords? Barely touched.", rt="sundeep_aio")
P("seo", "seo_sundeep", "If your \"X vs Y\" comparison page says you win on every single row, nobody believes it. Probably including Google. Lose honestly on 2 rows: our page converted 18% better after we did.")
P("seo", "mktg_intern_zoe", "is keyword research still a thing or do people just ask the AI what to write about now")
P("seo", "contentcalder", "Content refresh we shipped this week:\n- rewrote the intro to answer the query in 2 sentences\n- added original data from our own product\n- cut 1,100 words\n- new title\n\nPosition 9 \u2192 3 in 6 days. Old content is a goldmine.")
P("seo", "linkbuilder_lou", "What's a fair price for a genuinely good editorial link in SaaS right now? I'm getting quotes from $150 to $2,000 for what looks like the same thing.")
P("seo", "b2b_benji", "I think we invested in SEO way too early. 18 months of content for a category with maybe 900 monthly searches in total. Should have done outbound and community first.")
P("seo", "techwriter_tess", "Writing for AI Overviews and writing for humans are converging: clear question, direct answer, then the nuance. Honestly that's just good writing.")
P("seo", "serpwatcher", "Are AI Overviews showing up for \"best [category] software\" queries in your niche yet? Across the 6 SaaS categories we track, they jumped from 11% to 27% of queries this month.")
P("seo", "indiehacker_ines", "The flip side: programmatic pages without real data got us a manual action in 2025. Took 5 months to recover. Be careful out there.", quote="pete_pm")
P("seo", "seo_sundeep", "@techwriter_tess give them customer call clips instead of a brief. Three snippets of a customer describing the problem beat two pages of instructions.", reply="tess_brief")
P("seo", "new_to_saas_ed", "how long does it take a new blog to rank on google? we have 12 posts and zero traffic after 2 months", eng="dead")
P("seo", "growth_gabe", "Content marketing in 2026: write the thing, then spend three times as long distributing it. Most teams still have that ratio backwards.")
P("seo", "marisol_okafor", "Your pricing page is probably your highest-intent organic page and it has 140 words on it. Answer the objections right there: FAQs, honest comparisons, what happens after the trial.")
P("seo", "programmatic_pete", "Internal linking for programmatic sites with 10k+ pages: we replaced the \"related pages\" widget with hand-built hub pages per category. Crawl coverage went from 41% to 88% in a month.")
P("seo", "linkbuilder_lou", "Not taking questions on this one: buying links on \"news\" sites is burning money. Every client of ours who did it lost rankings this year.", ctrl=True)
P("seo", "contentcalder", "Why do so many SaaS companies still gate their best content? A gated ebook with 200 downloads vs an open guide with 20k readers. Which one builds more pipeline, honestly?")
P("seo", "seo_sundeep", "Stat that surprised me: pages with original screenshots of the actual product converted visitors to trial at 2.6x the rate of pages with stock illustrations. Same topics, same traffic sources.")
P("seo", "saasnewsroom", "Survey of 1,200 B2B marketers: 62% name organic search as their top pipeline source, down from 74% a year ago. 41% plan to spend more on newsletters and community in 2027. https://t.co/Hn5rT2wQaP")
P("seo", "serpwatcher", "Reminder that \"helpful content\" is not a word count. Several of the fastest-climbing pages we tracked this month are under 600 words.")
P("seo", "bootstrapped_bo", "We stopped blogging and shipped free calculators instead. 5 tiny tools, 2 weeks of dev time, more organic signups than 3 years of articles. Might not work for everyone.")
P("seo", "founder_fatima", "How do you do SEO for a product that's genuinely new, with no search volume for the category? Writing about adjacent problems feels like a detour, but maybe it's the only road?")
P("seo", "techwriter_tess", "A changelog is a content engine nobody uses. Every shipped feature is a page that answers \"can [product] do X?\", and that's a real query people type. #contentmarketing")
P("seo", "seo_sundeep", "What's actually working for getting your brand cited in AI answers? We've seen more mentions since we started publishing original benchmark data, but I can't prove causation yet.")
P("seo", "jana_vogt_seo", "Lesson from the DACH market: a translated English article almost never ranks #1 in German. People phrase the problem differently, so the content has to start from their words, not yours.")

# ----- product-led growth ---------------------------------------------------------------------
P("plg", "lennysan", "What's the single biggest lever you've seen for improving free-to-paid conversion? Collecting stories for an upcoming post. Specific numbers very welcome.")
P("plg", "lennysan", "Activation might be the most misunderstood metric in product-led growth. Teams tend to pick the event that's easiest to measure, not the one that predicts retention.")
P("plg", "lennysan", "Thinking about writing on onboarding checklists. Do they actually move activation, or do people just click through them to make the little progress bar go away?")
P("plg", "lennysan", "Reverse trials (start on the paid plan, fall back to free) keep coming up in my conversations with growth leaders. Curious who has tried one and what happened to conversion. https://t.co/Wd8sLq3nXe")
P("plg", "aprildunford", "Your pricing page is a positioning page. If someone lands there cold, can they tell who the product is for and what it's better than? Most can't.", key="april_pricing")
P("plg", "aprildunford", "Product-led doesn't mean positioning is optional. If a free user can't work out what your product is for in the first session, no onboarding tour will save you.")
P("plg", "aprildunford", "Why do so many teams treat \"we're easy to use\" as a differentiator? Easy compared to what? Every competitor says it too.", ctrl=True)
P("plg", "aprildunford", "Trial users who don't understand which category you're in will compare you to the wrong alternative. That's a positioning problem that shows up in your dashboards as an activation problem.")
P("plg", "marisol_okafor", "We removed the credit card requirement from our free trial.\n\nTrials: +212%\nTrial-to-paid: -41%\nNet new paying customers: +84%\n\nThen support tickets tripled. Nobody tells you that part.", key="marisol_card", eng="viral")
P("plg", "activation_amy", "Onboarding change that moved our day-7 retention by 9 points: we deleted the product tour and replaced it with one pre-filled sample project. People learn by poking, not by reading tooltips.")
P("plg", "pricingpages", "Why do SaaS pricing pages still hide the Enterprise price? I understand the reasoning. I'm asking whether it actually works for anyone, or whether it's just habit.")
P("plg", "plg_collective", "Quick poll-ish question: what's your free trial length, and would you change it?\n\n7 days\n14 days\n30 days\nNo trial, freemium\n\nWe keep hearing from teams who moved from 14 to 7 with no drop in conversion.")
P("plg", "activation_amy", "How do you define \"activated\" for a collaboration tool? We have \"invited a teammate\" and \"created 3 docs\" and they predict retention about equally well, which is... annoying.")
P("plg", "onboarding_oscar", "I think most SaaS onboarding emails are written for the product team's ego. \"Here are 9 features you haven't tried!\" No. Help me finish the one thing I came here to do.")
P("plg", "saas_sara_k", "From our last 6 months of data: users who hit the aha event in session 1 retain at 3.4x the rate of users who hit it in session 2 or later. Time to value isn't a nice-to-have. It's the whole game.")
P("plg", "indiehacker_ines", "Cut our pricing page from 4 tiers to 2 last week. Conversion to paid is up 23% so far. Maybe too early to call, but the \"which plan do I need?\" support questions went to zero.")
P("plg", "pricingpages", "Pricing page teardown of a PLG dev tool this morning: 6 plans, 41 feature rows, 3 toggles, and zero indication of who each plan is for. Friends, the grid is not the message.")
P("plg", "yuki_growth", "無料トライアルを14日から7日に短縮したところ、有料転換率はほぼ変わらず、オンボーディングの完了率が上がりました。期限が近いほうが人は動くのかもしれません。", lang="ja")
P("plg", "lukas_plg", "Unsere Erfahrung mit Freemium im DACH-Markt: viele Nutzer, kaum Upgrades. Seit wir eine 14-t\u00e4gige Testphase mit Kreditkarte verlangen, gibt es weniger Anmeldungen, aber dreimal so viele zahlende Kunden.", lang="de")
P("plg", "growthhacks_daily", "PLG is a SCAM \U0001F921 unless you do these 7 things (most founders miss #4)\n\nRT so other founders see this \U0001F501 #PLG #SaaS")
P("plg", "growthhacks_daily", "How I'd take a SaaS from $0 to $10k MRR in 90 days with zero budget \U0001F9F5\U0001F447\n\n1. Free trial, no card\n2. Onboarding in 3 clicks\n3. Pricing page with ONE plan\n\n(#7 is the one nobody talks about)")
P("plg", "plg_collective", "RT @aprildunford: Your pricing page is a positioning page. If someone lands there cold, can they tell who the product is for and what it's better than? Most can't.", rt="april_pricing")
P("plg", "marisol_okafor", "Product-led growth without a sales-assist motion caps out somewhere around $20-30M ARR for most B2B tools. I've seen maybe two exceptions. Happy to be proven wrong.")
P("plg", "activation_amy", "Shipping our new onboarding next week. Not looking for feedback, just excited \U0001F605 Six months of user interviews went into 4 screens.", ctrl=True)
P("plg", "saas_sara_k", "What's the right way to measure a freemium funnel when 80% of free users never intend to pay? Excluding them feels like cheating, including them makes every number look terrible.", key="sara_freemium")
P("plg", "onboarding_oscar", "Empty states are onboarding. If the first screen after signup is a blank table that says \"No data yet\", you've already lost a third of your signups.")
P("plg", "b2b_benji", "We added usage-based pricing on top of seats and now I need a PhD to explain our invoices. How do you keep hybrid pricing simple on the pricing page?")
P("plg", "pricingpages", "The support ticket point is the real lesson here. A no-card trial is a product decision AND a support staffing decision. Most teams only budget for the first one.", quote="marisol_card")
P("plg", "growth_gabe", "RT @marisol_okafor: We removed the credit card requirement from our free trial.\n\nTrials: +212%\nTrial-to-paid: -41%\nNet new paying customers: +84%", rt="marisol_card")
P("plg", "activation_amy", "@saas_sara_k we segment on the signup question (\"what brings you here?\"). Only people who pick a job we can actually do go into the funnel maths. Tinkerers get their own report.", reply="sara_freemium")
P("plg", "plg_collective", "Pattern we keep seeing in PLG pricing pages this year: more of them lead with a usage calculator than a plan grid. Buyers want to know what they'll pay, not what's included.")
P("plg", "the_growth_ledger", "Median trial-to-paid conversion in our B2B SaaS dataset (n=310):\n\nCard required: 48%\nNo card: 14%\nFreemium, free-to-paid within 90 days: 3.7%\n\nNone of these is \"better\". They're different businesses.")
P("plg", "mktg_intern_zoe", "what's the difference between PLG and just... having a free trial? genuinely asking, everyone at work uses it differently")
P("plg", "new_to_saas_ed", "we have 300 signups and 2 paying users. is that a pricing problem or an onboarding problem", eng="dead")
P("plg", "growth_gabe", "PLG: where the product does the selling and the growth team spends all week explaining why the product isn't doing the selling.")
P("plg", "indiehacker_ines", "Best onboarding change we ever made cost nothing: we ask \"what are you trying to do today?\" at signup and drop people straight onto that screen. Activation +17%.")
P("plg", "saas_sara_k", "Hot take: \"product qualified lead\" has become a meaningless term. If your PQL definition is \"used the product twice\", that's not qualified. That's awake.")
P("plg", "marisol_okafor", "Three things I'd check before touching your pricing:\n\n1. Do people reach value before the paywall?\n2. Does the paywall sit where the value is obvious?\n3. Do your plans map to how customers actually grow?\n\nPrice is usually the 4th problem.")
P("plg", "onboarding_oscar", "Perhaps the reason onboarding checklists work isn't the checklist. It's that building one forces the team to agree on what \"done with onboarding\" means.")
P("plg", "pricingpages", "Defaulted the billing toggle to annual on our pricing page: annual mix +31%, overall conversion -6%. Is that a win? I could argue both sides.")
P("plg", "bootstrapped_bo", "Killed our free plan. Not because people abused it, but because nobody on it ever upgraded and support time isn't free. 14 months of data, 0.4% conversion.")
P("plg", "founder_fatima", "Onboarding in Arabic takes more than translation: the whole layout flips right-to-left and half our tooltips pointed at the wrong buttons. Took 3 sprints to fix. Worth every hour.")
P("plg", "ad_spam_hub", "Free PLG playbook \U0001F4D8 https://t.co/Vb7nQe4YtU #PLG #SaaS #growth", eng={"likeCount": 2, "replyCount": 0, "retweetCount": 1})
P("plg", "plg_collective", "Reminder: our monthly AMA is on Tuesday. This time it's usage-based pricing for early-stage teams. Drop your questions below \U0001F447")

# ----- off-topic ------------------------------------------------------------------------------
P("off", "kickoffdaily", "FULL TIME: Riverside 2-3 Northgate. A 94th-minute winner in the derby and the away end is absolutely losing it. What a game. \u26bd", eng="viral", age=15.2)
P("off", "kickoffdaily", "Who's your pick for player of the month? Three midfielders on the shortlist and honestly there's no wrong answer.")
P("off", "hoopsmathguy", "The corner three is still the most underpriced shot in basketball and I will die on this hill \U0001F4CA")
P("off", "hoopsmathguy", "Why does every team suddenly play five-out? Because the math says so. Why does the math say so? Thread coming tonight.")
P("off", "hoopsmathguy", "GIVEAWAY \U0001F3C0 Two tickets to Sunday's game. Follow + reply with your MVP pick. Winner picked at halftime tomorrow!", rr=2.5)
P("off", "f1_fernanda", "Qualifying later today. If the rain forecast holds, expect chaos in Q1 and at least one big name out early \U0001F327\ufe0f\U0001F3CE\ufe0f")
P("off", "f1_fernanda", "Can't believe it's already the last race weekend of the season. Where did the year go?")
P("off", "chefnomadkai", "Tonight's ramen: 14-hour pork broth, a soy tare I've been tweaking for months, and one egg I definitely overcooked \U0001F35C", age=14.5)
P("off", "chefnomadkai", "What's one kitchen tool you thought was a gimmick but now use every day? Mine is a cheap bench scraper.")
P("off", "chefnomadkai", "Leftovers ranking from someone who cooked for 14 people on Thursday:\n1. stuffing\n2. stuffing again\n3. cold pie at midnight\n4. the turkey, grudgingly")
P("off", "sourdough_sid", "Day 6 of reviving my sourdough starter after leaving it in the fridge for a month. It smells like nail polish remover. Is that normal or is it gone?")
P("off", "sourdough_sid", "Best loaf yet. 78% hydration, long cold proof, and I finally stopped opening the oven to check on it \U0001F35E")
P("off", "localpolitics_pat", "City council voted 6-3 tonight to push the budget vote to January. Which means another month of the library hours debate. Bring snacks.", age=14.8)
P("off", "localpolitics_pat", "Whatever you think of Trump's latest tariff push, the small importers I talk to are freezing orders until January. Uncertainty is its own tax.")
P("off", "localpolitics_pat", "Turnout for the school board special election was 14%. Fourteen. The people deciding your kids' curriculum were picked by about one in seven voters.")
P("off", "weekendwarrior_wes", "Deadlifted 180kg today for the first time. Two years ago I couldn't touch my toes. Small wins \U0001F4AA")
P("off", "weekendwarrior_wes", "Saturday plan: long run, big breakfast, nap, pretend I'm going to clean the garage.")
P("off", "nomad_nadia", "Working from a caf\u00e9 in Lisbon this week and the wifi password is \"nolaptops\". Message received \u2615")
P("off", "nomad_nadia", "Anyone else find it impossible to take a real holiday? I've \"just checked Slack once\" four times today.")
P("off", "growth_gabe", "My 4-year-old asked what I do for work. I said \"I help companies find customers\". She said \"are they lost?\" Yeah kid. Some of them.")
P("off", "b2b_benji", "Took a full weekend off for the first time since we launched. The product survived. So did I. Recommend.")
P("off", "mktg_intern_zoe", "my cat walked across my keyboard during standup and unmuted me mid-sneeze. no further questions")
P("off", "jazzhands_june", "Finally hit the high C on my trumpet after six months of lip slurs. My neighbours are thrilled, I'm sure \U0001F3BA")
P("off", "brass_and_bytes", "Unpopular opinion: learning the trumpet as an adult did more for my focus at work than any productivity app. You cannot think about Jira tickets while trying not to crack a note.")
P("off", "jazzhands_june", "What's a good practice mute for trumpet that doesn't completely kill the tone? Apartment living is hard.")
P("off", "cryptomoonshotz", "\U0001F6A8 $NOVA AIRDROP IS LIVE \U0001F6A8\n\nConnect wallet, follow, RT and claim before it's gone. Only 2,000 spots left \U0001FA82\U0001F525\n\n#airdrop #crypto #100x")
P("off", "airdrop_alerts_x", "Biggest airdrop of the month just dropped \U0001F440 Early wallets eligible. Don't fade this one. #Airdrop #DeFi")
P("off", "cryptomoonshotz", "$PEPU about to send. Chart looks exactly like the big dog coins in 2020. Not financial advice but you'd be crazy not to \U0001F680\U0001F680\U0001F680")
P("off", "airdrop_alerts_x", "Claim now \U0001F449 https://t.co/Rt4kYp0aZc #airdrop #crypto", eng={"likeCount": 3, "replyCount": 0, "retweetCount": 2})
P("off", "saasnewsroom", "Storm warning: airports across the north-east expect delays and cancellations through Sunday. Check your airline before heading out.", sensitive=False)
P("off", "f1_fernanda", "Pit-lane coffee ranking after a full season: team hospitality 8/10, media centre 3/10, the van behind turn 4 somehow 10/10 \u2615")
P("off", "hoopsmathguy", "Free throw percentage is down league-wide for the third straight year. Nobody can explain it and I've read every theory. Maybe it's the new balls?")
P("off", "nomad_nadia", "Booked a flight for the wrong month. Again. At least the airline hold music is a banger \U0001F3B6")

# ---------------------------------------------------------------------------------------------

HEDGES = re.compile(r"\b(maybe|perhaps|possibly|might|could|seems?|appears?|probably|wonder|think|feel|believe)\b", re.I)
LISTY = re.compile(r"\n\s*(\d+[./]|-|\u2705|\u2022)|\n[A-Z][a-z]+ \$?\d", re.M)


def snowflake(dt, rng):
    ms = int(dt.timestamp() * 1000) + rng.randint(0, 999)
    return str(((ms - TWITTER_EPOCH_MS) << 22) | rng.getrandbits(22))


def legacy(dt):
    return dt.strftime("%a %b %d %H:%M:%S +0000 %Y")


def author_objects(rng):
    out = {}
    for handle, (name, followers, following, verified, blue, _em, bio) in AUTHORS.items():
        # Mix of old short numeric ids and newer 19-digit snowflake ids.
        if rng.random() < 0.45:
            uid = str(rng.randint(10_000_000, 2_999_999_999))
        else:
            joined = datetime(2013, 1, 1, tzinfo=timezone.utc) + timedelta(days=rng.randint(0, 4700))
            uid = snowflake(joined, rng)
        out[handle] = {
            "type": "user",
            "userName": handle,
            "name": name,
            "id": uid,
            "url": f"https://x.com/{handle}",
            "isVerified": verified,
            "isBlueVerified": blue,
            "followers": followers,
            "following": following,
            "description": bio,
        }
    return out


def pick_ages(rng, n):
    """70% within the last 6 h, the rest spread over the 10 h before that. Hours before NOW."""
    ages = []
    for i in range(n):
        if rng.random() < 0.70:
            ages.append(rng.uniform(0.03, 6.0))
        else:
            ages.append(rng.uniform(6.0, WINDOW_H - 0.05))
    return ages


def engagement(rng, post, followers, em, age_h):
    text = post["text"]
    eng = post.get("eng")
    if isinstance(eng, dict):
        likes = eng.get("likeCount", 0)
        replies = eng.get("replyCount", 0)
        rts = eng.get("retweetCount", 0)
        views = rng.randint(30, 400) if likes or rts else 0
        return dict(retweetCount=rts, replyCount=replies, likeCount=likes,
                    quoteCount=0, viewCount=views, bookmarkCount=0)
    if eng == "dead":
        views = 0 if age_h < 0.5 or rng.random() < 0.4 else rng.randint(3, 40)
        return dict(retweetCount=0, replyCount=0, likeCount=0, quoteCount=0,
                    viewCount=views, bookmarkCount=0)

    # Matured likes for an ordinary post: big accounts get a smaller share of followers.
    base = followers * 0.006 * (max(followers, 100) / 1000.0) ** -0.25 * em
    quality = math.exp(rng.gauss(0.0, 0.75))
    if eng == "viral":
        quality = rng.uniform(6.0, 9.0)
    elif eng == "low":
        quality = rng.uniform(0.05, 0.25)
    grown = 1.0 - math.exp(-age_h / 2.5)
    if post.get("reply") or post.get("quote"):
        quality *= 0.25  # replies and quotes reach fewer people than original posts
    likes = int(round(base * quality * grown))

    rr = post.get("rr")
    if rr is None:
        rr = 0.07
        if text.rstrip().endswith("?"):
            rr = 0.35
        elif "?" in text:
            rr = 0.2
        elif HEDGES.search(text):
            rr = 0.14
    replies = int(round(likes * rr * rng.uniform(0.6, 1.4)))
    if likes == 0 and replies == 0 and text.rstrip().endswith("?") and rng.random() < 0.5:
        replies = 1  # a question often gets an answer before a like
    listy = bool(LISTY.search(text))
    rts = int(round(likes * (0.18 if listy else 0.08) * rng.uniform(0.5, 1.5)))
    quotes = int(round(rts * rng.uniform(0.05, 0.3)))
    bookmarks = int(round(likes * (0.45 if listy else 0.1) * rng.uniform(0.5, 1.5)))
    if likes > 0:
        views = int(likes * rng.uniform(20, 200))
    elif age_h < 0.1:
        views = 0
    else:
        views = int(min(followers, 5000) * rng.uniform(0.005, 0.05))
    return dict(retweetCount=rts, replyCount=replies, likeCount=likes,
                quoteCount=quotes, viewCount=views, bookmarkCount=bookmarks)


def build():
    rng = random.Random(SEED)
    authors = author_objects(rng)
    ages = pick_ages(rng, len(POSTS))
    # Newest post a couple of minutes before the window end.
    ages[rng.randrange(len(ages))] = 0.04

    for post, age in zip(POSTS, ages):
        post["age_h"] = post.get("age", age)
    by_key = {p["key"]: p for p in POSTS if "key" in p}

    # Viral posts need time to go viral.
    for p in POSTS:
        if p.get("eng") == "viral" and "age" not in p and p["age_h"] < 5:
            p["age_h"] = rng.uniform(7.0, 13.0)
    # Retweets, quotes and replies come after the post they refer to.
    for p in POSTS:
        ref = p.get("rt") or p.get("quote") or p.get("reply")
        if ref:
            p["age_h"] = by_key[ref]["age_h"] * rng.uniform(0.15, 0.8)

    for p in POSTS:
        dt = NOW - timedelta(hours=p["age_h"])
        dt = dt.replace(microsecond=0)
        p["dt"] = dt
        p["id"] = snowflake(dt, rng)

    items = []
    for p in POSTS:
        a = authors[p["author"]]
        handle = p["author"]
        _name, followers, _fg, _v, _b, em, _bio = AUTHORS[handle]
        counts = engagement(rng, p, followers, em, p["age_h"])
        item = {
            "type": "tweet",
            "id": p["id"],
            "url": f"https://x.com/{handle}/status/{p['id']}",
            "twitterUrl": f"https://twitter.com/{handle}/status/{p['id']}",
            "text": p["text"],
            "fullText": p["text"],
            **counts,
            "createdAt": legacy(p["dt"]),
            "lang": p.get("lang", "en"),
            "isReply": False,
            "isRetweet": False,
            "isQuote": False,
            "conversationId": p["id"],
            "isConversationControlled": bool(p.get("ctrl", False)),
            "possiblySensitive": bool(p.get("sensitive", False)),
            "author": a,
        }
        if "rt" in p:
            # Legacy retweets carry no likes/replies of their own.
            item.update(isRetweet=True, likeCount=0, replyCount=0, quoteCount=0, bookmarkCount=0,
                        retweetCount=rng.randint(5, 60), viewCount=0)
        if "quote" in p:
            item.update(isQuote=True, quoteId=by_key[p["quote"]]["id"])
        if "reply" in p:
            orig = by_key[p["reply"]]
            item.update(isReply=True, inReplyToId=orig["id"], inReplyToUsername=orig["author"],
                        conversationId=orig["id"])
        items.append(item)

    # Newest first, like a "Latest" search.
    items.sort(key=lambda it: int(it["id"]), reverse=True)
    return items


def validate(items):
    ids = [it["id"] for it in items]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert 190 <= len(items) <= 210, len(items)
    lo = datetime(2026, 11, 27, 20, 0, 0, tzinfo=timezone.utc)
    recent = 0
    for it in items:
        assert len(it["id"]) == 19 and it["id"].isdigit(), it["id"]
        dt = datetime.strptime(it["createdAt"], "%a %b %d %H:%M:%S %z %Y")
        assert lo <= dt <= NOW, it["createdAt"]
        recent += dt >= NOW - timedelta(hours=6)
        assert it["text"] == it["fullText"]
        for k in ("retweetCount", "replyCount", "likeCount", "quoteCount", "viewCount", "bookmarkCount"):
            assert isinstance(it[k], int) and it[k] >= 0
    return recent


def main():
    items = build()
    recent = validate(items)
    out = Path(__file__).resolve().parent / "posts.json"
    out.write_text(json.dumps(items, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    topics = {}
    for p in POSTS:
        topics[p["topic"]] = topics.get(p["topic"], 0) + 1
    print(f"wrote {len(items)} posts to {out}; {recent} within the last 6 h; "
          f"{len(AUTHORS)} authors; by topic: {topics}")


if __name__ == "__main__":
    main()
