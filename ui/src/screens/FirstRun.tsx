// First run: the Gemini key (checked live, kept in the OS keychain), the account plan, and
// the optional tokens. The sample project is already there, so the app is never empty.

import { useNavigate } from "react-router";
import { KeyForm } from "../components/KeyForm";
import { TierPicker } from "../components/TierPicker";
import { Button, Fold, Loading } from "../components/ui";
import { openLink } from "../lib/platform";
import { useKeyStatus, useLimits } from "../lib/queries";

const SKIP_KEY = "comment-finder.welcome-skipped";

export function welcomeSkipped(): boolean {
  try {
    return localStorage.getItem(SKIP_KEY) === "1";
  } catch {
    return false;
  }
}

function skipWelcome(): void {
  try {
    localStorage.setItem(SKIP_KEY, "1");
  } catch {
    /* not remembered */
  }
}

export function FirstRunScreen() {
  const keys = useKeyStatus();
  const limits = useLimits();
  const navigate = useNavigate();
  const status = (s: string) => keys.data?.find((k) => k.secret === s);
  const geminiSet = status("gemini")?.set ?? false;

  return (
    <div className="welcome">
      <div className="card stack loose" data-testid="first-run">
        <div className="stack tight">
          <div className="brand" style={{ padding: 0 }}>
            <img src="/icon.svg" alt="" /> Comment Finder
          </div>
          <h1>Welcome! Two quick steps and you're ready.</h1>
          <p className="muted">
            Comment Finder finds fresh posts in your niche, tells you which are worth a reply and why, and drafts replies in your brand's voice. You stay in
            charge: “Reply on X” opens X's reply box with the draft filled in, and you post it yourself.
          </p>
        </div>

        <section className="stack">
          <h2>1. Connect Gemini</h2>
          <p className="muted small">
            Get a free key in Google AI Studio, then paste it below.{" "}
            <button type="button" className="link-btn" onClick={() => void openLink("https://aistudio.google.com/apikey")}>
              Open Google AI Studio
            </button>
          </p>
          {keys.isLoading ? <Loading /> : <KeyForm secret="gemini" status={status("gemini")} />}
        </section>

        <section className="stack">
          <h2>2. Your Gemini plan</h2>
          <p className="muted small">This sets how fast runs go, so Google never has to turn requests away. You can change it later in Settings.</p>
          {limits.data ? <TierPicker current={limits.data} /> : <Loading />}
        </section>

        <Fold title="Optional: keys for finding posts automatically">
          <KeyForm secret="apify" status={status("apify")} />
          <KeyForm secret="x-bearer" status={status("x-bearer")} />
        </Fold>

        <div className="row between">
          <Button
            variant="ghost"
            data-testid="first-run-skip"
            onClick={() => {
              skipWelcome();
              navigate("/review");
            }}
          >
            Look around first
          </Button>
          <Button variant="primary" size="lg" disabled={!geminiSet} data-testid="first-run-done" onClick={() => navigate("/review")}>
            {geminiSet ? "Start using Comment Finder" : "Save your key to continue"}
          </Button>
        </div>
        <p className="muted small">
          A sample project, "Sample: B2B SaaS growth", with about 200 posts is ready, and its best posts already have sample reply drafts: you can see how it
          works before adding a key.
        </p>
      </div>
    </div>
  );
}
