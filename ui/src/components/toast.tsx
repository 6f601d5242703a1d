// Notices in the window's bottom-left corner, over the sidebar's empty foot, so they never cover
// a screen's actions. Confirmations ("Copied") are short; one with an action ("Undo") stays
// longer; errors stay until dismissed.

import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import { describeError } from "../lib/errors";

/** How long a notice stays, in ms; null: until dismissed. */
export function toastLifetime(kind: "ok" | "error", hasAction: boolean): number | null {
  if (kind === "error") return null;
  return hasAction ? 8000 : 3000;
}

export interface ToastAction {
  label: string;
  run: () => void;
  testId?: string;
}

interface Toast {
  id: number;
  text: string;
  kind: "ok" | "error";
  action?: ToastAction;
}

interface ToastApi {
  ok(text: string, action?: ToastAction): void;
  error(error: unknown): void;
}

const ToastContext = createContext<ToastApi>({ ok: () => undefined, error: () => undefined });

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const dismiss = useCallback((id: number) => setToasts((t) => t.filter((x) => x.id !== id)), []);
  const push = useCallback(
    (text: string, kind: Toast["kind"], action?: ToastAction) => {
      const id = next.current++;
      // A new confirmation replaces older ones; errors stay until dismissed.
      setToasts((t) => [...t.filter((x) => x.kind === "error").slice(-2), { id, text, kind, action }]);
      const life = toastLifetime(kind, action != null);
      if (life != null) setTimeout(() => dismiss(id), life);
    },
    [dismiss],
  );
  const api = useMemo<ToastApi>(
    () => ({
      ok: (text, action) => push(text, "ok", action),
      error: (error) => {
        const t = describeError(error);
        push(t.next ? `${t.sentence} ${t.next}` : t.sentence, "error");
      },
    }),
    [push],
  );
  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toasts" aria-live="polite" data-testid="toasts">
        {toasts.map((t) => (
          <div key={t.id} className={`toast ${t.kind === "error" ? "error" : ""}`} role={t.kind === "error" ? "alert" : "status"}>
            <span className="grow">{t.text}</span>
            {t.action ? (
              <button
                type="button"
                className="toast-action"
                onClick={() => {
                  dismiss(t.id);
                  t.action?.run();
                }}
                data-testid={t.action.testId}
              >
                {t.action.label}
              </button>
            ) : null}
            {t.kind === "error" || t.action ? (
              <button type="button" className="toast-close" aria-label="Dismiss" onClick={() => dismiss(t.id)} data-testid="toast-dismiss">
                ×
              </button>
            ) : null}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): ToastApi {
  return useContext(ToastContext);
}
